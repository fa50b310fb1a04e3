package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blockhub/blockhub/connectors"
	"github.com/blockhub/blockhub/connectors/api"
	"github.com/blockhub/blockhub/connectors/connectortest"
)

// vendor is a dated report API: GET /report?from=&to= answers the
// window's rows as JSON. fail makes a day answer 500; limit makes a day
// answer 429 with Retry-After: 1 once.
type vendor struct {
	mu      sync.Mutex
	fail    map[string]bool
	limit   map[string]bool
	calls   map[string]int
	headers []http.Header
}

func newVendor(t *testing.T) (*vendor, *httptest.Server) {
	v := &vendor{fail: map[string]bool{}, limit: map[string]bool{}, calls: map[string]int{}}
	ts := httptest.NewServer(v)
	t.Cleanup(ts.Close)
	return v, ts
}

func (v *vendor) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	from, to := r.URL.Query().Get("from"), r.URL.Query().Get("to")
	v.mu.Lock()
	v.calls[from]++
	v.headers = append(v.headers, r.Header.Clone())
	fail, limit := v.fail[from], v.limit[from]
	delete(v.limit, from)
	v.mu.Unlock()
	switch {
	case r.URL.Path != "/report" || from == "" || to == "":
		http.Error(w, "want /report?from=&to=", http.StatusBadRequest)
	case fail:
		http.Error(w, "database is down", http.StatusInternalServerError)
	case limit:
		w.Header().Set("Retry-After", "1")
		http.Error(w, "slow down", http.StatusTooManyRequests)
	default:
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"from":%q,"to":%q,"rows":[{"id":1,"last_name":"Doe","total":9.90}]}`, from, to)
	}
}

func (v *vendor) count(from string) int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.calls[from]
}

func source(t *testing.T, c api.Config) *api.Source {
	t.Helper()
	if c.Backoff == 0 {
		c.Backoff = 10 * time.Millisecond
	}
	s, err := api.New(c)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func day(s string) time.Time {
	t, _ := time.Parse("2006-01-02", s)
	return t
}

func TestConnector(t *testing.T) {
	_, ts := newVendor(t)
	connectortest.Run(t, connectortest.Harness{
		Name: api.Name,
		New: func(t *testing.T, c connectors.Common) connectors.Source {
			return source(t, api.Config{URL: ts.URL + "/report?from={from}&to={to}", From: day("2026-01-01"), To: day("2026-01-04"), Exclude: c.Exclude})
		},
		Check: func(t *testing.T, chunks []connectors.Chunk) {
			if len(chunks) != 3 {
				t.Fatalf("%d chunk(s); want one per day, 3", len(chunks))
			}
			for i, c := range chunks {
				from := day("2026-01-01").AddDate(0, 0, i).Format("2006-01-02")
				to := day("2026-01-01").AddDate(0, 0, i+1).Format("2006-01-02")
				if !strings.Contains(string(c.Data), `"from":"`+from+`","to":"`+to+`"`) {
					t.Errorf("chunk %d = %s; want the window %s..%s", i, c.Data, from, to)
				}
				w, _ := json.Marshal(c.Meta["window"])
				if string(w) != `["`+from+`","`+to+`"]` || c.Meta["status"] != 200 || c.Type != "application/json" {
					t.Errorf("chunk %d meta %v type %s; want window [%s, %s], status 200, application/json", i, c.Meta, c.Type, from, to)
				}
				if !strings.HasSuffix(c.Key, "#"+from+"T00:00:00Z") {
					t.Errorf("chunk %d key %q; want one key per window", i, c.Key)
				}
			}
		},
	})
}

// TestGapsFilledOnRerun: a window that keeps failing is reported, the run
// goes on and fails; a re-run with --prevent-dups fetches only that window.
func TestGapsFilledOnRerun(t *testing.T) {
	v, ts := newVendor(t)
	v.fail["2026-01-02"] = true
	h, root := connectortest.NewChain(t)
	common := connectors.Common{PreventDups: true}
	cfg := api.Config{URL: ts.URL + "/report?from={from}&to={to}&api_key=s3cret", From: day("2026-01-01"), To: day("2026-01-05"), Retries: 3}
	sum, err := connectortest.TryImport(h, root, api.Name, source(t, cfg), common)
	if err == nil || !strings.Contains(err.Error(), "1 window(s) failed") || !strings.Contains(err.Error(), "[2026-01-02, 2026-01-03)") || !strings.Contains(err.Error(), "status 500") {
		t.Fatalf("first run: %v; want an error naming the failed window", err)
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Errorf("error shows the api key: %v", err)
	}
	if sum.Captured != 3 {
		t.Fatalf("first run captured %d; want the 3 windows that answered", sum.Captured)
	}
	if n := v.count("2026-01-02"); n != 3 {
		t.Errorf("failing window tried %d time(s); want --retries 3", n)
	}
	for _, r := range connectortest.Assets(t, h, root) {
		if strings.Contains(string(r.Meta), "s3cret") {
			t.Errorf("meta shows the api key: %s", r.Meta)
		}
	}

	v.fail["2026-01-02"] = false
	sum = connectortest.Import(t, h, root, api.Name, source(t, cfg), common)
	if sum.Captured != 1 {
		t.Fatalf("re-run captured %d; want only the gap, 1", sum.Captured)
	}
	if n := v.count("2026-01-01"); n != 1 {
		t.Errorf("window 2026-01-01 fetched %d time(s); want once", n)
	}
	windows := map[string]bool{}
	for _, r := range connectortest.Assets(t, h, root) {
		var m struct{ Window []string }
		json.Unmarshal(r.Meta, &m)
		windows[strings.Join(m.Window, "..")] = true
	}
	if len(windows) != 4 {
		t.Errorf("windows on the chain: %v; want the 4 days", windows)
	}
}

func TestRetryAfter429(t *testing.T) {
	v, ts := newVendor(t)
	v.limit["2026-01-01"] = true
	start := time.Now()
	chunks := connectortest.Collect(t, source(t, api.Config{URL: ts.URL + "/report?from={from}&to={to}", From: day("2026-01-01"), To: day("2026-01-02")}), nil)
	if len(chunks) != 1 {
		t.Fatalf("%d chunk(s); want 1", len(chunks))
	}
	if el := time.Since(start); el < time.Second {
		t.Errorf("retried after %s; want the server's Retry-After: 1", el)
	}
	if n := v.count("2026-01-01"); n != 2 {
		t.Errorf("%d request(s); want 2", n)
	}
}

func TestClientErrorNotRetried(t *testing.T) {
	v, ts := newVendor(t)
	s := source(t, api.Config{URL: ts.URL + "/wrong?from={from}&to={to}", From: day("2026-01-01"), To: day("2026-01-03")})
	var errs []error
	for _, err := range s.Chunks(context.Background(), nil) {
		errs = append(errs, err)
	}
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "2 window(s) failed") || !strings.Contains(errs[0].Error(), "status 400") {
		t.Fatalf("errors %v; want one naming both windows and the 400", errs)
	}
	if n := v.count("2026-01-01"); n != 1 {
		t.Errorf("a 400 was tried %d time(s); want once", n)
	}
}

func TestStartAtWeeksHeadersExclude(t *testing.T) {
	v, ts := newVendor(t)
	s := source(t, api.Config{
		URL: ts.URL + "/report?from={from}&to={to}", From: day("2026-01-01"), To: day("2026-03-01"),
		Window: "week", StartAt: 6, Header: http.Header{"Authorization": {"Bearer abc"}}, Exclude: []string{"last_name"},
	})
	chunks := connectortest.Collect(t, s, nil)
	// Weeks from 2026-01-01: 9 windows (the last cut at 03-01); skip 6.
	if len(chunks) != 3 {
		t.Fatalf("%d chunk(s); want weeks 6, 7 and 8", len(chunks))
	}
	if got := chunks[0].Meta["window"].([]string)[0]; got != "2026-02-12" {
		t.Errorf("first window starts %s; want 2026-02-12", got)
	}
	if got := chunks[2].Meta["window"].([]string)[1]; got != "2026-03-01" {
		t.Errorf("last window ends %s; want 2026-03-01", got)
	}
	if strings.Contains(string(chunks[0].Data), "last_name") || !strings.Contains(string(chunks[0].Data), `"total":9.90`) {
		t.Errorf("data %s; want last_name dropped, the total kept as written", chunks[0].Data)
	}
	if v.headers[0].Get("Authorization") != "Bearer abc" {
		t.Errorf("headers %v; want the Authorization header sent", v.headers[0])
	}
	for _, c := range chunks {
		if b, _ := json.Marshal(c.Meta); strings.Contains(string(b), "abc") {
			t.Errorf("meta shows a header: %s", b)
		}
	}
}

// TestEvery runs as a service on a clock that moves a day per pass: each
// pass fetches the day that has just ended, none twice.
func TestEvery(t *testing.T) {
	_, ts := newVendor(t)
	var mu sync.Mutex
	clock := day("2026-01-03").Add(time.Hour)
	now := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		c := clock
		clock = clock.AddDate(0, 0, 1)
		return c
	}
	s := source(t, api.Config{URL: ts.URL + "/report?from={from}&to={to}", From: day("2026-01-01"), ToNow: true, Every: 20 * time.Millisecond, Now: now})
	ctx, cancel := context.WithCancel(context.Background())
	seen := map[string]int{}
	n := 0
	for c, err := range s.Chunks(ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		seen[c.Key]++
		if n++; n == 6 {
			cancel()
		}
	}
	cancel()
	if n < 6 {
		t.Fatalf("%d chunk(s); want the run to go on until cancelled", n)
	}
	for k, c := range seen {
		if c > 1 {
			t.Errorf("window %s fetched %d times", k, c)
		}
	}
}

func TestNewChecks(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    api.Config
		want string
	}{
		{"no from", api.Config{URL: "https://h/r?x=1", From: day("2026-01-01"), To: day("2026-01-02")}, "{from}"},
		{"not http", api.Config{URL: "ftp://h/r?from={from}", From: day("2026-01-01"), To: day("2026-01-02")}, "http"},
		{"to before from", api.Config{URL: "https://h/r?from={from}", From: day("2026-01-02"), To: day("2026-01-01")}, "not after"},
		{"bad window", api.Config{URL: "https://h/r?from={from}", From: day("2026-01-01"), To: day("2026-01-02"), Window: "fortnight"}, "--window"},
	} {
		if _, err := api.New(tc.c); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v; want an error naming %s", tc.name, err, tc.want)
		}
	}
}

// TestEveryResumesOnChain: a run with --every needs no --prevent-dups: it
// is handed the chain's index (it is a connectors.Resumer), so a restart
// fetches only the windows that are not on the chain yet.
func TestEveryResumesOnChain(t *testing.T) {
	v, ts := newVendor(t)
	h, root := connectortest.NewChain(t)
	cfg := api.Config{URL: ts.URL + "/report?from={from}&to={to}", From: day("2026-01-01"), To: day("2026-01-03")}
	if sum := connectortest.Import(t, h, root, api.Name, source(t, cfg), connectors.Common{}); sum.Captured != 2 {
		t.Fatalf("first run: %+v; want 2 windows", sum)
	}
	cfg.To, cfg.Every = day("2026-01-05"), 10*time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	seen := 0
	sum, err := connectors.Capture(ctx, h, root, source(t, cfg), connectors.ImportOptions{Connector: api.Name, OnAsset: func(connectors.Outcome) {
		if seen++; seen == 2 {
			cancel() // the service is stopped once it has the two new windows
		}
	}})
	if err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("--every run: %v", err)
	}
	if sum.Captured != 2 || seen != 2 {
		t.Errorf("--every run: %+v, %d asset(s); want the 2 new windows", sum, seen)
	}
	for _, d := range []string{"2026-01-01", "2026-01-02", "2026-01-03", "2026-01-04"} {
		if n := v.count(d); n != 1 {
			t.Errorf("window %s fetched %d time(s); want once", d, n)
		}
	}
}

// TestResumes: only a run with --every resumes, named by its URL template
// with credentials removed, so that two such runs on a chain exclude each
// other.
func TestResumes(t *testing.T) {
	cfg := api.Config{URL: "https://u:pw@host/report?day={from}&api_key=s3cret", From: day("2026-01-01"), To: day("2026-01-03")}
	if got := source(t, cfg).Resumes(); got != "" {
		t.Errorf("without --every: %q; want none", got)
	}
	cfg.Every = time.Hour
	if got := source(t, cfg).Resumes(); got != "api:"+api.Redact(cfg.URL) || strings.Contains(got, "s3cret") || strings.Contains(got, "pw") {
		t.Errorf("with --every: %q; want api: and the redacted template", got)
	}
}
