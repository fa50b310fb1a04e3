package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/blockhub/blockhub/connectors"
	"github.com/blockhub/blockhub/connectors/api"
	"github.com/blockhub/blockhub/connectors/connectortest"
)

// queries is an API on loopback that answers every request and records
// its from and to.
type queries struct {
	mu   sync.Mutex
	seen []string
}

func newQueries(t *testing.T) (*queries, *httptest.Server) {
	q := &queries{}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		from, to := r.URL.Query().Get("from"), r.URL.Query().Get("to")
		q.mu.Lock()
		q.seen = append(q.seen, from+" "+to)
		q.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"from": from, "to": to})
	}))
	t.Cleanup(ts.Close)
	return q, ts
}

// take returns the requests since the last take.
func (q *queries) take() []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	s := q.seen
	q.seen = nil
	return s
}

// With the default --to-ts now, a run fetches only the windows that have
// ended: today's is left, and a later --prevent-dups run, once the day
// has ended, fetches it whole (it is not skipped as captured already).
func TestToNowFetchesOnlyEndedWindows(t *testing.T) {
	q, ts := newQueries(t)
	h, root := connectortest.NewChain(t)
	common := connectors.Common{PreventDups: true}
	run := func(now time.Time) connectors.Summary {
		t.Helper()
		cfg := api.Config{URL: ts.URL + "/report?from={from}&to={to}", From: day("2026-01-01"), ToNow: true,
			TimeFormat: time.RFC3339, Now: func() time.Time { return now }}
		return connectortest.Import(t, h, root, api.Name, source(t, cfg), common)
	}
	if s := run(day("2026-01-03").Add(10 * time.Hour)); s.Captured != 2 {
		t.Fatalf("run at 10:00 on the 3rd: %+v; want the 1st and the 2nd", s)
	}
	if got, want := q.take(), []string{"2026-01-01T00:00:00Z 2026-01-02T00:00:00Z", "2026-01-02T00:00:00Z 2026-01-03T00:00:00Z"}; !slices.Equal(got, want) {
		t.Fatalf("requests %q; want %q (not the 3rd, which has not ended)", got, want)
	}
	if s := run(day("2026-01-03").Add(23 * time.Hour)); s.Captured != 0 {
		t.Fatalf("run at 23:00 on the 3rd: %+v; want nothing", s)
	}
	if got := q.take(); len(got) != 0 {
		t.Fatalf("requests %q; want none", got)
	}
	if s := run(day("2026-01-04").Add(time.Minute)); s.Captured != 1 {
		t.Fatalf("run just after the 3rd ended: %+v; want the 3rd", s)
	}
	if got, want := q.take(), []string{"2026-01-03T00:00:00Z 2026-01-04T00:00:00Z"}; !slices.Equal(got, want) {
		t.Fatalf("requests %q; want %q", got, want)
	}
	for _, rc := range connectortest.Assets(t, h, root) {
		var m map[string]any
		json.Unmarshal(rc.Meta, &m)
		if m["partial"] != nil {
			t.Errorf("asset %s is marked partial: %s", rc.Hash, rc.Meta)
		}
	}
}

// An explicit --to-ts inside a window: that last window is fetched up to
// --to-ts, marked partial under its own key; a later run with a later
// --to-ts fetches the whole window (and skips the whole ones captured).
func TestExplicitToTsPartialWindow(t *testing.T) {
	q, ts := newQueries(t)
	h, root := connectortest.NewChain(t)
	common := connectors.Common{PreventDups: true}
	now := func() time.Time { return day("2026-02-01") }
	run := func(to time.Time) connectors.Summary {
		t.Helper()
		cfg := api.Config{URL: ts.URL + "/report?from={from}&to={to}", From: day("2026-01-01"), To: to, TimeFormat: time.RFC3339, Now: now}
		return connectortest.Import(t, h, root, api.Name, source(t, cfg), common)
	}
	if s := run(day("2026-01-02").Add(time.Hour)); s.Captured != 2 {
		t.Fatalf("first run: %+v; want the 1st and one hour of the 2nd", s)
	}
	if got, want := q.take(), []string{"2026-01-01T00:00:00Z 2026-01-02T00:00:00Z", "2026-01-02T00:00:00Z 2026-01-02T01:00:00Z"}; !slices.Equal(got, want) {
		t.Fatalf("requests %q; want %q", got, want)
	}
	if s := run(day("2026-01-03")); s.Captured != 1 {
		t.Fatalf("second run: %+v; want the whole 2nd", s)
	}
	if got, want := q.take(), []string{"2026-01-02T00:00:00Z 2026-01-03T00:00:00Z"}; !slices.Equal(got, want) {
		t.Fatalf("requests %q; want %q", got, want)
	}
	as := connectortest.Assets(t, h, root)
	var partial []string
	for _, rc := range as {
		var m struct {
			Key     string   `json:"key"`
			Window  []string `json:"window"`
			Partial bool     `json:"partial"`
		}
		if err := json.Unmarshal(rc.Meta, &m); err != nil {
			t.Fatal(err)
		}
		if m.Partial {
			partial = append(partial, m.Key)
		}
	}
	if want := []string{"api:" + ts.URL + "/report?from={from}&to={to}#2026-01-02T00:00:00Z/2026-01-02T01:00:00Z"}; !slices.Equal(partial, want) {
		t.Fatalf("partial assets %q; want %q", partial, want)
	}
}

// The flags as bhctl passes them: --to-ts keeps its case for parsing
// (2026-01-02T01:00:00Z was refused once lower-cased), now and today in
// any case.
func TestToTsFlag(t *testing.T) {
	for _, tc := range []struct{ to, want string }{
		{"2026-01-02T01:00:00Z", ""},
		{"2026-01-02T01:00", ""},
		{"2026-01-02", ""},
		{"NOW", ""},
		{"Today", ""},
		{"tomorrow", "--to-ts"},
	} {
		t.Run(tc.to, func(t *testing.T) {
			connectortest.CheckNew(t, api.Name, []string{"https://127.0.0.1/r?from={from}"},
				connectors.Values{"from-ts": {"2026-01-01"}, "to-ts": {tc.to}}, connectors.Common{}, tc.want)
		})
	}
}
