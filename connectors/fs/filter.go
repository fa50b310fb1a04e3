package fs

import (
	"fmt"
	"math"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// filter decides which files a run captures, from their path relative to
// the root (slash-separated), size and modification time.
type filter struct {
	include, exclude     []string
	includeRE, excludeRE []*regexp.Regexp
	dirRegex             *regexp.Regexp
	minSize, maxSize     int64 // 0: no bound
	since, until         time.Time
}

// checkGlobs validates glob patterns for the option named name.
func checkGlobs(name string, globs []string) error {
	for _, g := range globs {
		if _, err := path.Match(g, ""); err != nil {
			return fmt.Errorf("--%s %q: %w", name, g, err)
		}
	}
	return nil
}

// globMatch matches a glob against a file: a glob with a "/" against its
// path relative to the root, any other against its base name.
func globMatch(glob, rel string) bool {
	target := rel
	if !strings.Contains(glob, "/") {
		target = path.Base(rel)
	}
	ok, _ := path.Match(glob, target)
	return ok
}

// tally counts, over one pass, the files the name filters looked at and
// how many each pattern matched, so that a pattern that matches none
// can be told (a regular expression given as a glob matches nothing).
type tally struct {
	files                                  int
	include, exclude, includeRE, excludeRE []int
	dirRegex                               int
}

// byName reports whether the file's path passes the globs, the regular
// expressions and the directory regex. With t, every pattern is tried
// and its matches counted.
func (f *filter) byName(rel string, t *tally) bool {
	if t != nil && t.include == nil {
		t.include, t.exclude = make([]int, len(f.include)), make([]int, len(f.exclude))
		t.includeRE, t.excludeRE = make([]int, len(f.includeRE)), make([]int, len(f.excludeRE))
	}
	if t != nil {
		t.files++
	}
	ok := true
	if len(f.include) > 0 || len(f.includeRE) > 0 {
		in := false
		for i, g := range f.include {
			if (t != nil || !in) && globMatch(g, rel) {
				in = true
				if t != nil {
					t.include[i]++
				}
			}
		}
		for i, re := range f.includeRE {
			if (t != nil || !in) && re.MatchString(rel) {
				in = true
				if t != nil {
					t.includeRE[i]++
				}
			}
		}
		ok = in
	}
	for i, g := range f.exclude {
		if (t != nil || ok) && globMatch(g, rel) {
			ok = false
			if t != nil {
				t.exclude[i]++
			}
		}
	}
	for i, re := range f.excludeRE {
		if (t != nil || ok) && re.MatchString(rel) {
			ok = false
			if t != nil {
				t.excludeRE[i]++
			}
		}
	}
	if f.dirRegex != nil && (t != nil || ok) {
		if f.dirRegex.MatchString(path.Dir(rel)) {
			if t != nil {
				t.dirRegex++
			}
		} else {
			ok = false
		}
	}
	return ok
}

// unmatched returns one line for each pattern that matched none of the
// files of a pass (none when there were no files).
func (f *filter) unmatched(t *tally) []string {
	if t == nil || t.files == 0 {
		return nil
	}
	var out []string
	say := func(flag, pat string, hint string) {
		out = append(out, fmt.Sprintf("--%s %q matched 0 of %d file(s)%s", flag, pat, t.files, hint))
	}
	for i, g := range f.include {
		if t.include[i] == 0 {
			say("include", g, " (a glob, matched against the file name, or the path with a \"/\"; for a regular expression use --include-re)")
		}
	}
	for i, re := range f.includeRE {
		if t.includeRE[i] == 0 {
			say("include-re", re.String(), " (a regular expression, matched against the path relative to DIR)")
		}
	}
	for i, g := range f.exclude {
		if t.exclude[i] == 0 {
			say("exclude-files", g, " (a glob; for a regular expression use --exclude-re)")
		}
	}
	for i, re := range f.excludeRE {
		if t.excludeRE[i] == 0 {
			say("exclude-re", re.String(), "")
		}
	}
	if f.dirRegex != nil && t.dirRegex == 0 {
		say("dir-regex", f.dirRegex.String(), ` (matched against the folder relative to DIR, "." for DIR)`)
	}
	return out
}

// byStat reports whether the file's size and modification time pass.
func (f *filter) byStat(size int64, mtime time.Time) bool {
	switch {
	case f.minSize > 0 && size < f.minSize:
		return false
	case f.maxSize > 0 && size > f.maxSize:
		return false
	case !f.since.IsZero() && mtime.Before(f.since):
		return false
	case !f.until.IsZero() && !mtime.Before(f.until):
		return false
	}
	return true
}

// ParseTime reads a --since or --until value: an RFC 3339 time
// (2026-01-02T15:04:05Z), a local date or date and time (2026-01-02,
// 2026-01-02 15:04:05), or a duration before now (90m, 24h, 7d, 1d12h).
func ParseTime(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{time.DateOnly, time.DateTime, "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			return t, nil
		}
	}
	if d, ok := parseAgo(s); ok {
		return now.Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("%q: want an RFC 3339 time, a date such as 2026-01-02, or a duration ago such as 24h or 7d", s)
}

// parseAgo reads a non-negative duration, with "d" for days allowed in
// front (7d, 1d12h).
func parseAgo(s string) (time.Duration, bool) {
	var days int64
	if i := strings.IndexByte(s, 'd'); i > 0 {
		n, err := strconv.ParseInt(s[:i], 10, 32)
		if err != nil {
			return 0, false
		}
		days, s = n, s[i+1:]
	}
	var d time.Duration
	if s != "" {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, false
		}
	}
	const day = 24 * time.Hour
	if days < 0 || days > int64((math.MaxInt64-d)/day) {
		return 0, false // beyond time.Duration's 292 years
	}
	d += time.Duration(days) * day
	return d, d >= 0
}
