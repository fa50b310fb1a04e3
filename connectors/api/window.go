package api

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Window is one period [From, To) of a run; Index counts from 0.
// Partial is set on a last window cut short by the run's end (--to-ts):
// it covers less than its size.
type Window struct {
	Index    int
	From, To time.Time
	Partial  bool
}

// start returns the start of window i of size from anchor: anchor plus i
// hours, days, weeks or calendar months. Counting from the anchor (not
// from the window before) keeps months from drifting: from Jan 31 they
// start on Feb 28 (29), Mar 31, Apr 30, ..., clamped to each month's end.
func start(anchor time.Time, size string, i int) time.Time {
	switch size {
	case "hour":
		return anchor.Add(time.Duration(i) * time.Hour)
	case "week":
		return anchor.AddDate(0, 0, 7*i)
	case "month":
		return addMonths(anchor, i)
	}
	return anchor.AddDate(0, 0, i)
}

// addMonths is t n calendar months later, on the same day of the month or
// the month's last day when it has fewer days; the time of day is kept.
func addMonths(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(n), 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
	days := time.Date(first.Year(), first.Month()+1, 0, 0, 0, 0, 0, t.Location()).Day()
	return first.AddDate(0, 0, min(d, days)-1)
}

// CheckWindow validates a --window value.
func CheckWindow(size string) error {
	switch size {
	case "hour", "day", "week", "month":
		return nil
	}
	return fmt.Errorf("--window %q: want hour, day, week or month", size)
}

// Windows cuts [from, to) into windows of size, aligned on from; a last
// window that would pass to ends at to and is Partial.
func Windows(from, to time.Time, size string) []Window {
	var out []Window
	for i := 0; ; i++ {
		s := start(from, size, i)
		if !s.Before(to) {
			return out
		}
		w := Window{Index: i, From: s, To: start(from, size, i+1)}
		if w.To.After(to) {
			w.To, w.Partial = to, true
		}
		out = append(out, w)
	}
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
