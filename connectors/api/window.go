package api

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Window is one period [From, To) of a run; Index counts from 0.
type Window struct {
	Index    int
	From, To time.Time
}

// step advances t by one window of size.
func step(t time.Time, size string) time.Time {
	switch size {
	case "hour":
		return t.Add(time.Hour)
	case "week":
		return t.AddDate(0, 0, 7)
	case "month":
		return t.AddDate(0, 1, 0)
	}
	return t.AddDate(0, 0, 1)
}

// CheckWindow validates a --window value.
func CheckWindow(size string) error {
	switch size {
	case "hour", "day", "week", "month":
		return nil
	}
	return fmt.Errorf("--window %q: want hour, day, week or month", size)
}

// Windows cuts [from, to) into windows of size, aligned on from; the last
// one ends at to.
func Windows(from, to time.Time, size string) []Window {
	var out []Window
	for t := from; t.Before(to); {
		next := step(t, size)
		if next.After(to) {
			next = to
		}
		out = append(out, Window{Index: len(out), From: t, To: next})
		t = next
	}
	return out
}

// timeLayouts are what --from-ts and --to-ts accept.
var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"}

// ParseTime reads a --from-ts or --to-ts value: a date (2026-01-01), a
// date and time (2026-01-01T10:00, RFC 3339), "now" or "today"; times
// without a zone are UTC.
func ParseTime(name, s string, now time.Time) (time.Time, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "now":
		return now.UTC(), nil
	case "today":
		y, m, d := now.UTC().Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC), nil
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, strings.TrimSpace(s)); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("--%s %q: want a date such as 2026-01-01, a time such as 2026-01-01T10:00:00Z, now or today", name, s)
}

// Format writes t with layout: a Go layout, or unix / unixms.
func Format(t time.Time, layout string) string {
	switch layout {
	case "unix":
		return strconv.FormatInt(t.Unix(), 10)
	case "unixms":
		return strconv.FormatInt(t.UnixMilli(), 10)
	}
	return t.UTC().Format(layout)
}
