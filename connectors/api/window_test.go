package api

import (
	"testing"
	"time"
)

func date(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestWindows(t *testing.T) {
	for _, tc := range []struct {
		size, from, to string
		want           []string // from of each window, then the last to
	}{
		{"day", "2026-01-01", "2026-01-04", []string{"2026-01-01", "2026-01-02", "2026-01-03", "2026-01-04"}},
		{"week", "2026-01-01", "2026-01-20", []string{"2026-01-01", "2026-01-08", "2026-01-15", "2026-01-20"}},
		{"month", "2026-01-01", "2026-03-01", []string{"2026-01-01", "2026-02-01", "2026-03-01"}},
		// Months step by calendar month from the anchor, clamped to the
		// month's end: no drift to the 3rd.
		{"month", "2026-01-31", "2026-03-15", []string{"2026-01-31", "2026-02-28", "2026-03-15"}},
		{"month", "2026-01-31", "2026-08-01", []string{"2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31", "2026-06-30", "2026-07-31", "2026-08-01"}},
		{"month", "2028-01-31", "2028-04-30", []string{"2028-01-31", "2028-02-29", "2028-03-31", "2028-04-30"}},
		{"month", "2026-01-30", "2026-04-30", []string{"2026-01-30", "2026-02-28", "2026-03-30", "2026-04-30"}},
		{"month", "2026-11-30", "2027-03-30", []string{"2026-11-30", "2026-12-30", "2027-01-30", "2027-02-28", "2027-03-30"}},
		{"day", "2026-01-01", "2026-01-01", nil},
	} {
		t.Run(tc.size+" "+tc.from+" "+tc.to, func(t *testing.T) {
			ws := Windows(date(tc.from), date(tc.to), tc.size)
			var got []string
			for i, w := range ws {
				if w.Index != i {
					t.Errorf("window %d has index %d", i, w.Index)
				}
				if i > 0 && !w.From.Equal(ws[i-1].To) {
					t.Errorf("window %d starts at %s, not where %d ends (%s)", i, w.From, i-1, ws[i-1].To)
				}
				got = append(got, w.From.Format("2006-01-02"))
			}
			if len(ws) > 0 {
				got = append(got, ws[len(ws)-1].To.Format("2006-01-02"))
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %v; want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("got %v; want %v", got, tc.want)
				}
			}
		})
	}
}

// Only a last window cut short by to is Partial; it ends at to.
func TestWindowsPartial(t *testing.T) {
	to := time.Date(2026, 1, 3, 10, 0, 0, 0, time.UTC)
	ws := Windows(date("2026-01-01"), to, "day")
	if len(ws) != 3 || ws[0].Partial || ws[1].Partial || !ws[2].Partial || !ws[2].To.Equal(to) {
		t.Fatalf("windows %+v; want two whole days and a partial third ending at %s", ws, to)
	}
	ws = Windows(date("2026-01-01"), date("2026-01-03"), "day")
	if len(ws) != 2 || ws[1].Partial {
		t.Fatalf("windows %+v; want two whole days", ws)
	}
	// A month window from the 31st that --to-ts cuts in its middle.
	ws = Windows(date("2026-01-31"), date("2026-03-15"), "month")
	if len(ws) != 2 || ws[0].Partial || !ws[1].Partial || !ws[1].From.Equal(date("2026-02-28")) {
		t.Fatalf("windows %+v", ws)
	}
}

func TestParseTime(t *testing.T) {
	now := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	for _, tc := range []struct {
		in, want string
		bad      bool
	}{
		{in: "2026-01-01", want: "2026-01-01T00:00:00Z"},
		{in: "2026-01-01T10:30", want: "2026-01-01T10:30:00Z"},
		{in: "2026-01-01T10:30:00+02:00", want: "2026-01-01T08:30:00Z"},
		{in: "now", want: "2026-05-06T07:08:09Z"},
		{in: "today", want: "2026-05-06T00:00:00Z"},
		{in: "NOW", want: "2026-05-06T07:08:09Z"},
		{in: "2026-01-02T01:00:00Z", want: "2026-01-02T01:00:00Z"},
		{in: " 2026-01-02T01:00:00.5Z ", want: "2026-01-02T01:00:00Z"},
		{in: "01/02/2026", bad: true},
		{in: "", bad: true},
	} {
		got, err := ParseTime("from-ts", tc.in, now)
		if tc.bad {
			if err == nil {
				t.Errorf("ParseTime(%q) = %s; want an error", tc.in, got)
			}
			continue
		}
		if err != nil || got.Format(time.RFC3339) != tc.want {
			t.Errorf("ParseTime(%q) = %s, %v; want %s", tc.in, got.Format(time.RFC3339), err, tc.want)
		}
	}
}

func TestFormat(t *testing.T) {
	tm := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for layout, want := range map[string]string{
		"2006-01-02":   "2026-01-02",
		time.RFC3339:   "2026-01-02T03:04:05Z",
		"unix":         "1767323045",
		"unixms":       "1767323045000",
		"20060102T150": "20260102T030",
	} {
		if got := Format(tm, layout); got != want {
			t.Errorf("Format(%q) = %q; want %q", layout, got, want)
		}
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"https://host/r?from={from}&to={to}":                   "https://host/r?from={from}&to={to}",
		"https://host/r?from={from}&api_key=abc&to={to}":       "https://host/r?from={from}&api_key=xxxxx&to={to}",
		"https://user:pw@host/r?token=t#frag":                  "https://user:xxxxx@host/r?token=xxxxx#frag",
		"https://host/r?Token=t&monkey=ok&access%5Ftoken=secr": "https://host/r?Token=xxxxx&monkey=ok&access%5Ftoken=xxxxx",
		"http://host:80/path/{from}/{to}":                      "http://host:80/path/{from}/{to}",
		"https://user@host/x?q=1":                              "https://user:xxxxx@host/x?q=1",
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q; want %q", in, got, want)
		}
	}
}

func FuzzRedact(f *testing.F) {
	f.Add("https://u:secretpw@host/r?key=secretkey&a=b")
	f.Add("http://h?token=secrettok#x")
	f.Fuzz(func(t *testing.T, s string) {
		out := Redact(s)
		if len(out) > len(s)+len(secretParams)*8+16 && len(out) > 4*len(s)+16 {
			t.Fatalf("Redact grew %q to %q", s, out)
		}
	})
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for h, want := range map[string]time.Duration{
		"":                              0,
		"1":                             time.Second,
		"120":                           2 * time.Minute,
		"99999":                         maxRetryAfter,
		"Thu, 01 Jan 2026 00:00:10 GMT": 10 * time.Second,
		"soon":                          0,
	} {
		if got := retryAfter(h, now); got != want {
			t.Errorf("retryAfter(%q) = %s; want %s", h, got, want)
		}
	}
}
