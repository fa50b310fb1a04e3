package contract_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/blockhub/blockhub"
	"github.com/blockhub/blockhub/appender"
	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/oracle"
	"github.com/blockhub/blockhub/oracle/contract"
	"github.com/blockhub/blockhub/oracle/oracletest"
)

// shopFile is ORDER_CREATED over shop(), handed to the handler "out"
// given as YAML (a url or chain line).
func shopFile(out string) []byte {
	return []byte(`name: shop
filters:
  cart: 'meta.path == "cart.csv"'
  created: 'meta.path == "orders.csv" && status == "created"'
events:
  - name: ORDER_CREATED
    filters: [cart, created]
    key: order_id
    window: {time: 24h}
    handlers: [out]
handlers:
  out: ` + out + "\n")
}

// request is one request a test server received.
type request struct {
	at     time.Time
	method string
	ctype  string
	key    string
	body   []byte
	status int
}

// hookServer is an httptest server on loopback answering each request
// with status(n), n counting requests from 1.
type hookServer struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []request
}

func newHookServer(t *testing.T, status func(n int) int) *hookServer {
	t.Helper()
	s := &hookServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("reading the body: %v", err)
		}
		s.mu.Lock()
		code := status(len(s.reqs) + 1)
		s.reqs = append(s.reqs, request{at: time.Now(), method: r.Method, ctype: r.Header.Get("Content-Type"),
			key: r.Header.Get("Idempotency-Key"), body: body, status: code})
		s.mu.Unlock()
		w.WriteHeader(code)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *hookServer) requests() []request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]request(nil), s.reqs...)
}

// delivered counts the requests answered 2xx by idempotency key.
func (s *hookServer) delivered() map[string]int {
	n := map[string]int{}
	for _, r := range s.requests() {
		if r.status/100 == 2 {
			n[r.key]++
		}
	}
	return n
}

func loadURL(t *testing.T, url string) *contract.Contract {
	t.Helper()
	c, err := contract.Parse(shopFile(fmt.Sprintf("{url: %q}", url)), t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestURLHandlerPostsEvents(t *testing.T) {
	srv := newHookServer(t, func(int) int { return http.StatusNoContent })
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
		t.Fatalf("test server at %s; want loopback", srv.URL)
	}
	src, _ := oracletest.NewChain(t, shop())
	var got []contract.Event
	sum, err := loadURL(t, srv.URL+"/events").Run(context.Background(), src, &contract.RunOptions{
		Checkpoint: filepath.Join(t.TempDir(), "cp.json"),
		OnEvent:    func(ev contract.Event) { got = append(got, ev) },
	})
	if err != nil || sum.Events != 2 || len(got) != 2 {
		t.Fatalf("run: %+v, %d events, %v; want 2 events", sum, len(got), err)
	}
	reqs := srv.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests; want 2 (one per event)", len(reqs))
	}
	for i, r := range reqs {
		ev := got[i]
		if r.method != http.MethodPost || r.ctype != "application/json" {
			t.Errorf("request %d: %s with Content-Type %q; want a POST of application/json", i, r.method, r.ctype)
		}
		if r.key != ev.ID || ev.ID == "" {
			t.Errorf("request %d: Idempotency-Key %q; want the event id %q", i, r.key, ev.ID)
		}
		want, _ := json.Marshal(ev)
		if !bytes.Equal(r.body, want) {
			t.Errorf("request %d body:\n%s\nwant the event:\n%s", i, r.body, want)
		}
		var back contract.Event
		if err := json.Unmarshal(r.body, &back); err != nil {
			t.Fatalf("request %d: body is not an event: %v", i, err)
		}
		if back.Name != "ORDER_CREATED" || back.Key != fmt.Sprint(i+1) || back.Height != 2 || len(back.Matches) != 2 ||
			back.Matches[0].Filter != "cart" || back.Matches[1].Filter != "created" || len(back.Assets) != 2 ||
			back.Assets[0].Height != 1 || back.Assets[1].Height != 2 || back.Assets[0].Block == "" {
			t.Errorf("request %d: event %+v; want ORDER_CREATED %d at height 2 matching cart (height 1) and created (height 2)", i, back, i+1)
		}
	}
}

func TestURLHandlerRetriesWithBackoff(t *testing.T) {
	// The first two requests fail, every later one succeeds.
	srv := newHookServer(t, func(n int) int {
		if n <= 2 {
			return http.StatusInternalServerError
		}
		return http.StatusOK
	})
	src, _ := oracletest.NewChain(t, shop())
	var ids []string
	const first = 20 * time.Millisecond
	sum, err := loadURL(t, srv.URL).Run(context.Background(), src, &contract.RunOptions{
		Checkpoint:     filepath.Join(t.TempDir(), "cp.json"),
		InitialBackoff: first, MaxTries: 5,
		OnEvent: func(ev contract.Event) { ids = append(ids, ev.ID) },
	})
	if err != nil || sum.Events != 2 {
		t.Fatalf("run: %+v, %v; want 2 events", sum, err)
	}
	reqs := srv.requests()
	if len(reqs) != 4 {
		t.Fatalf("%d requests; want 4 (three tries of the first event, one of the second)", len(reqs))
	}
	for i := range 3 {
		if reqs[i].key != ids[0] || !bytes.Equal(reqs[i].body, reqs[0].body) {
			t.Errorf("try %d of the first event: key %s; want the same event again (%s)", i+1, reqs[i].key, ids[0])
		}
	}
	if d := srv.delivered(); len(d) != 2 || d[ids[0]] != 1 || d[ids[1]] != 1 {
		t.Errorf("delivered %v; want each of %v once", d, ids)
	}
	// Exponential backoff with the default jitter (±50%) and factor 1.5:
	// the first wait is at least first/2, the second at least 0.75*first.
	if gap := reqs[1].at.Sub(reqs[0].at); gap < first/2 {
		t.Errorf("first retry after %v; want a backoff of at least %v", gap, first/2)
	}
	if gap := reqs[2].at.Sub(reqs[1].at); gap < first*3/4 {
		t.Errorf("second retry after %v; want a backoff of at least %v", gap, first*3/4)
	}
}

func TestURLHandlerFailureIsReported(t *testing.T) {
	var up atomic.Bool
	srv := newHookServer(t, func(int) int {
		if up.Load() {
			return http.StatusOK
		}
		return http.StatusServiceUnavailable
	})
	src, _ := oracletest.NewChain(t, shop())
	c := loadURL(t, srv.URL)
	var logs bytes.Buffer
	opts := &contract.RunOptions{
		Checkpoint:     filepath.Join(t.TempDir(), "cp.json"),
		InitialBackoff: time.Millisecond, MaxTries: 3,
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
	}
	sum, err := c.Run(context.Background(), src, opts)
	if err == nil || sum.Events != 0 {
		t.Fatalf("run against a server that is down: %+v, %v; want an error and no event", sum, err)
	}
	for _, want := range []string{"ORDER_CREATED", "handler out failed 3 times", "503 Service Unavailable"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q; want it to say %q", err, want)
		}
	}
	reqs := srv.requests()
	if len(reqs) != 3 || reqs[0].key == "" || reqs[1].key != reqs[0].key || reqs[2].key != reqs[0].key {
		t.Fatalf("%d requests; want 3 tries of the first event, then the run stops", len(reqs))
	}
	if !strings.Contains(err.Error(), reqs[0].key) {
		t.Errorf("error %q; want it to name the event id %s", err, reqs[0].key)
	}
	if n := strings.Count(logs.String(), "handler failed; retrying"); n != 2 {
		t.Errorf("%d retry warnings logged; want 2:\n%s", n, logs.String())
	}
	// Nothing was checkpointed: once the server is back, both events go out.
	up.Store(true)
	sum, err = c.Run(context.Background(), src, opts)
	if err != nil || sum.Events != 2 || sum.Skipped != 0 {
		t.Fatalf("run after the server is back: %+v, %v; want 2 events", sum, err)
	}
	if d := srv.delivered(); len(d) != 2 || d[reqs[0].key] != 1 {
		t.Errorf("delivered %v; want 2 events once each, the first %s among them", d, reqs[0].key)
	}
}

// openFolder opens the folder store at home, with appendChain appending
// to a named chain as bhctl contract run does.
func openFolder(t *testing.T, home string) (*blockhub.Hub, func(context.Context, string, []byte) error) {
	t.Helper()
	h, err := blockhub.Open(context.Background(), blockhub.Config{Home: home})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	appendChain := func(ctx context.Context, name string, data []byte) error {
		r, _, err := h.Chain(ctx, name, nil)
		if err != nil {
			return err
		}
		w, err := h.Writer(ctx, r)
		if err != nil {
			return err
		}
		if _, err := w.Append(ctx, appender.Chunk{Data: data, Type: "application/x-ndjson", Meta: json.RawMessage(`{"source":"contract"}`)}); err != nil {
			w.Close()
			return err
		}
		return w.Close()
	}
	return h, appendChain
}

// chainData walks the chain called name back from its root and returns
// every asset's bytes after the root, in chain order.
func chainData(t *testing.T, h *blockhub.Hub, name string) [][]byte {
	t.Helper()
	ctx := context.Background()
	root, err := h.Resolve(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for b, err := range h.Walker(root).All(ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		if b.IsRoot() {
			continue // the chain's settings
		}
		for _, rc := range b.Assets {
			data, err := h.Assets.ReadAll(ctx, rc.Hash)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, data)
		}
	}
	return out
}

func TestChainHandlerAppendsOnce(t *testing.T) {
	ctx := context.Background()
	home := t.TempDir()
	cp := filepath.Join(home, "contracts", "shop.json")
	h, appendChain := openFolder(t, home)
	root, err := h.Create(ctx, chain.DefaultSettings("shop"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := oracletest.Append(ctx, h, root, shop()); err != nil {
		t.Fatal(err)
	}
	run := func(h *blockhub.Hub, appendChain func(context.Context, string, []byte) error) ([]contract.Event, contract.Summary) {
		t.Helper()
		c, err := contract.Parse(shopFile("{chain: events}"), home, &contract.LoadOptions{AppendChain: appendChain})
		if err != nil {
			t.Fatal(err)
		}
		var got []contract.Event
		sum, err := c.Run(ctx, oracle.Source{Blocks: h.Blocks, Assets: h.Assets, Root: root}, &contract.RunOptions{
			Checkpoint: cp, OnEvent: func(ev contract.Event) { got = append(got, ev) },
		})
		if err != nil {
			t.Fatal(err)
		}
		return got, sum
	}
	events, sum := run(h, appendChain)
	if sum.Events != 2 || len(events) != 2 {
		t.Fatalf("first run: %+v; want 2 events", sum)
	}
	check := func(h *blockhub.Hub, want []contract.Event) {
		t.Helper()
		data := chainData(t, h, "events")
		if len(data) != len(want) {
			t.Fatalf("events chain holds %d assets; want %d", len(data), len(want))
		}
		for i, d := range data {
			b, _ := json.Marshal(want[i])
			if !bytes.Equal(d, append(b, '\n')) {
				t.Errorf("asset %d of the events chain:\n%s\nwant the event as a JSON line:\n%s", i, d, b)
			}
			var ev contract.Event
			if err := json.Unmarshal(d, &ev); err != nil || ev.ID != want[i].ID || ev.Name != "ORDER_CREATED" {
				t.Errorf("asset %d: %+v (%v); want event %s", i, ev, err, want[i].ID)
			}
		}
	}
	check(h, events)

	// Restart: reopen the folder store. The second run appends nothing.
	h.Close()
	h, appendChain = openFolder(t, home)
	again, sum := run(h, appendChain)
	if sum.Events != 0 || sum.Skipped != 0 || len(again) != 0 {
		t.Fatalf("second run: %+v, %d events; want nothing new", sum, len(again))
	}
	check(h, events)

	// A new order on the source chain: only its event is appended.
	if _, err := oracletest.Append(ctx, h, root, []oracletest.Block{{At: t0.Add(80 * time.Hour), Assets: []oracletest.Asset{
		oracletest.CSV("cart.csv", "order_id,item", "7,lamp"),
		oracletest.CSV("orders.csv", "order_id,status", "7,created"),
	}}}); err != nil {
		t.Fatal(err)
	}
	more, sum := run(h, appendChain)
	if sum.Events != 1 || sum.Skipped != 0 || len(more) != 1 || more[0].Key != "7" || more[0].Height != 5 || more[0].Index != 1 {
		t.Fatalf("third run: %+v, %+v; want only ORDER_CREATED 7 at 5/1", sum, more)
	}
	check(h, append(events, more...))
}

// A run ended while it waits to retry says how many tries were made and
// what the handler last answered, not only that the context ended.
func TestURLHandlerCancelledWhileRetrying(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := newHookServer(t, func(n int) int {
		if n == 1 {
			// The run is interrupted while it waits (an hour) to try again.
			time.AfterFunc(50*time.Millisecond, cancel)
		}
		return http.StatusBadGateway
	})
	src, _ := oracletest.NewChain(t, shop())
	sum, err := loadURL(t, srv.URL).Run(ctx, src, &contract.RunOptions{
		Checkpoint: filepath.Join(t.TempDir(), "cp.json"), InitialBackoff: time.Hour, MaxTries: 5,
	})
	if err == nil || sum.Events != 0 || len(srv.requests()) != 1 {
		t.Fatalf("cancelled run: %+v, %d requests, %v; want an error after one try", sum, len(srv.requests()), err)
	}
	for _, want := range []string{"failed once", "502 Bad Gateway", "context canceled"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q; want it to say %q", err, want)
		}
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %q is not context.Canceled", err)
	}
}
