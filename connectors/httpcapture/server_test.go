package httpcapture_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blockhub/blockhub"
	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/connectors/connectortest"
	"github.com/blockhub/blockhub/connectors/httpcapture"
)

// pngBytes is the start of a PNG file: enough for the sniffer.
var pngBytes = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"), make([]byte, 64)...)

type fixture struct {
	hub  *blockhub.Hub
	root chain.Block
	w    *blockhub.Writer
	srv  *httpcapture.Server
}

func newFixture(t *testing.T, opts *httpcapture.Options) *fixture {
	t.Helper()
	h, root := connectortest.NewChain(t)
	w, err := h.Writer(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	if opts == nil {
		opts = &httpcapture.Options{}
	}
	opts.Chain = root.ID
	srv, err := httpcapture.New(w.Appender, opts)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{hub: h, root: root, w: w, srv: srv}
}

// do sends one request from remote and returns the answer.
func (f *fixture) do(t *testing.T, req *http.Request) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, req)
	return rec
}

// onChain links what was appended and returns the hashes on the chain.
func (f *fixture) onChain(t *testing.T) map[string]chain.Receipt {
	t.Helper()
	if err := f.w.Close(); err != nil {
		t.Fatal(err)
	}
	out := map[string]chain.Receipt{}
	for _, r := range connectortest.Assets(t, f.hub, f.root) {
		out[r.Hash] = r
	}
	return out
}

func receipt(t *testing.T, rec *httptest.ResponseRecorder) httpcapture.Receipt {
	t.Helper()
	if rec.Code != http.StatusCreated {
		t.Fatalf("status %d (%s); want 201", rec.Code, strings.TrimSpace(rec.Body.String()))
	}
	var rc httpcapture.Receipt
	if err := json.Unmarshal(rec.Body.Bytes(), &rc); err != nil {
		t.Fatalf("receipt %q: %v", rec.Body.String(), err)
	}
	return rc
}

func post(body string, header ...string) *http.Request {
	req := httptest.NewRequest("POST", "/hook?x=1", strings.NewReader(body))
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return req
}

func TestCaptureBodyAndInfo(t *testing.T) {
	f := newFixture(t, nil)
	req := post(`{"order":42}`, "Content-Type", "application/json", "Authorization", "Bearer x",
		"Cookie", "s=1", "X-Token", "t", "Proxy-Authorization", "p", "X-Request-Id", "r1")
	req.URL.RawQuery = "x=1&token=secret&api_key=k"
	rc := receipt(t, f.do(t, req))
	if rc.Type != "application/json" || rc.Length != 12 || rc.Chain != f.root.ID {
		t.Errorf("receipt %+v: want type application/json, length 12, chain %s", rc, f.root.ID)
	}
	assets := f.onChain(t)
	if _, ok := assets[rc.Body]; !ok {
		t.Fatalf("body %s not on the chain", rc.Body)
	}
	if _, ok := assets[rc.Info]; !ok {
		t.Fatalf("info %s not on the chain", rc.Info)
	}
	body, err := f.hub.Assets.ReadAll(context.Background(), rc.Body)
	if err != nil || string(body) != `{"order":42}` {
		t.Errorf("body asset = %q, %v; want the request body", body, err)
	}
	raw, err := f.hub.Assets.ReadAll(context.Background(), rc.Info)
	if err != nil {
		t.Fatal(err)
	}
	var info httpcapture.Info
	if err := json.Unmarshal(raw, &info); err != nil {
		t.Fatal(err)
	}
	if info.Body.Hash != rc.Body || info.Method != "POST" || info.Path != "/hook" || info.Length != 12 || info.Remote == "" {
		t.Errorf("info %+v: want it to name the body %s, POST /hook, length 12, a remote", info, rc.Body)
	}
	for _, k := range []string{"Authorization", "Cookie", "X-Token", "Proxy-Authorization"} {
		if _, ok := info.Headers[k]; ok {
			t.Errorf("info keeps the credential header %s", k)
		}
	}
	if info.Headers["X-Request-Id"] == nil {
		t.Errorf("info lost the X-Request-Id header: %v", info.Headers)
	}
	if strings.Contains(string(raw), "secret") || info.Query["x"] == nil {
		t.Errorf("info query %v: want x kept, token and api_key dropped (%s)", info.Query, raw)
	}
	if m := string(assets[rc.Info].Meta); !strings.Contains(m, rc.Body) {
		t.Errorf("info meta %s does not name the body", m)
	}
}

func TestToken(t *testing.T) {
	f := newFixture(t, &httpcapture.Options{Token: "s3cret"})
	for _, tc := range []struct {
		name, token string
		want        int
		reason      string
	}{
		{"missing", "", 401, "missing X-Token"},
		{"wrong", "s3cre", 401, "wrong X-Token"},
		{"longer", "s3cret!", 401, "wrong X-Token"},
		{"right", "s3cret", 201, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := post("hi")
			if tc.token != "" {
				req.Header.Set("X-Token", tc.token)
			}
			rec := f.do(t, req)
			if rec.Code != tc.want {
				t.Fatalf("status %d (%s); want %d", rec.Code, rec.Body, tc.want)
			}
			if got := strings.TrimSpace(rec.Body.String()); tc.reason != "" && got != tc.reason {
				t.Errorf("reason %q; want %q", got, tc.reason)
			}
		})
	}
}

func TestIPRules(t *testing.T) {
	pfx := func(s ...string) []string { return s }
	for _, tc := range []struct {
		name         string
		allow, block []string
		remote       string
		want         int
	}{
		{"no rules", nil, nil, "203.0.113.9:5000", 201},
		{"allowed", pfx("10.0.0.0/8"), nil, "10.1.2.3:5000", 201},
		{"not allowed", pfx("10.0.0.0/8"), nil, "11.1.2.3:5000", 403},
		{"blocked", nil, pfx("10.9.0.0/16"), "10.9.1.1:5000", 403},
		{"block beats allow", pfx("10.0.0.0/8"), pfx("10.9.0.0/16"), "10.9.1.1:5000", 403},
		{"allowed not blocked", pfx("10.0.0.0/8"), pfx("10.9.0.0/16"), "10.8.1.1:5000", 201},
		{"single address", pfx("192.0.2.7"), nil, "192.0.2.7:1", 201},
		{"ipv6", pfx("2001:db8::/32"), nil, "[2001:db8::1]:80", 201},
		{"ipv4 mapped", pfx("10.0.0.0/8"), nil, "[::ffff:10.0.0.1]:80", 201},
	} {
		t.Run(tc.name, func(t *testing.T) {
			allow, err := httpcapture.ParsePrefixes("ip-allow", tc.allow)
			if err != nil {
				t.Fatal(err)
			}
			block, err := httpcapture.ParsePrefixes("ip-block", tc.block)
			if err != nil {
				t.Fatal(err)
			}
			f := newFixture(t, &httpcapture.Options{IP: httpcapture.IPRules{Allow: allow, Block: block}})
			req := post("hi")
			req.RemoteAddr = tc.remote
			if rec := f.do(t, req); rec.Code != tc.want {
				t.Fatalf("status %d (%s); want %d", rec.Code, strings.TrimSpace(rec.Body.String()), tc.want)
			}
		})
	}
	if _, err := httpcapture.ParsePrefixes("ip-allow", []string{"10.0.0.0/33"}); err == nil {
		t.Error("ParsePrefixes accepted 10.0.0.0/33")
	}
}

// TestIPRulesLoopback runs the rules over a real listener on 127.0.0.1.
func TestIPRulesLoopback(t *testing.T) {
	loop, _ := httpcapture.ParsePrefixes("ip", []string{"127.0.0.0/8"})
	for _, tc := range []struct {
		name string
		ip   httpcapture.IPRules
		want int
	}{
		{"allow loopback", httpcapture.IPRules{Allow: loop}, 201},
		{"block loopback", httpcapture.IPRules{Block: loop}, 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, &httpcapture.Options{IP: tc.ip})
			ts := httptest.NewServer(f.srv)
			defer ts.Close()
			resp, err := http.Post(ts.URL, "text/plain", strings.NewReader("hi"))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d; want %d", resp.StatusCode, tc.want)
			}
		})
	}
}

func TestMIMESniffed(t *testing.T) {
	for _, tc := range []struct {
		name         string
		allow, block []string
		body         []byte
		want         int
	}{
		{"png labelled text refused by allow text", []string{"text/plain"}, nil, pngBytes, 403},
		{"png labelled text refused by block image", nil, []string{"image/*"}, pngBytes, 403},
		{"png allowed as png", []string{"image/png"}, nil, pngBytes, 201},
		{"text allowed", []string{"text/plain"}, nil, []byte("hello"), 201},
		{"json blocked", nil, []string{"application/json"}, []byte(`{"a":1}`), 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, &httpcapture.Options{MIME: httpcapture.MIMERules{Allow: tc.allow, Block: tc.block}})
			req := post(string(tc.body), "Content-Type", "text/plain")
			rec := f.do(t, req)
			if rec.Code != tc.want {
				t.Fatalf("status %d (%s); want %d", rec.Code, strings.TrimSpace(rec.Body.String()), tc.want)
			}
			if tc.want == 201 && bytes.Equal(tc.body, pngBytes) {
				if rc := receipt(t, rec); rc.Type != "image/png" {
					t.Errorf("type %q; want image/png, sniffed", rc.Type)
				}
			}
		})
	}
}

func TestMaxSize(t *testing.T) {
	f := newFixture(t, &httpcapture.Options{MaxSize: 4096})
	big := strings.Repeat("x", 5000)
	// Declared length over the limit.
	if rec := f.do(t, post(big)); rec.Code != 413 {
		t.Errorf("declared length: status %d; want 413", rec.Code)
	}
	// Unknown length (chunked): the limit holds while reading.
	req := post("")
	req.Body = io.NopCloser(strings.NewReader(big))
	req.ContentLength = -1
	rec := f.do(t, req)
	if rec.Code != 413 || !strings.Contains(rec.Body.String(), "4096") {
		t.Errorf("chunked: status %d (%s); want 413 naming the limit", rec.Code, rec.Body)
	}
	if rec := f.do(t, post(big[:4096])); rec.Code != 201 {
		t.Errorf("at the limit: status %d; want 201", rec.Code)
	}
	// A large limit: bodies past the in-memory size are spooled.
	g := newFixture(t, &httpcapture.Options{MaxSize: 8 << 20})
	large := bytes.Repeat([]byte("0123456789abcdef"), 3<<16) // 3 MiB
	rc := receipt(t, g.do(t, post(string(large))))
	if rc.Length != int64(len(large)) {
		t.Errorf("large body length %d; want %d", rc.Length, len(large))
	}
	if _, ok := g.onChain(t)[rc.Body]; !ok {
		t.Error("large body not on the chain")
	}
}

func TestWaitBlock(t *testing.T) {
	f := newFixture(t, nil)
	req := post("wait for me")
	req.URL.RawQuery = "wait=block"
	rc := receipt(t, f.do(t, req))
	if rc.Block == "" || rc.Height == nil || rc.Index == nil {
		t.Fatalf("receipt %+v: want block, height and index", rc)
	}
	b, err := f.hub.Blocks.Get(context.Background(), rc.Block)
	if err != nil {
		t.Fatal(err)
	}
	if b.Height != *rc.Height || *rc.Index >= len(b.Assets) || b.Assets[*rc.Index].Hash != rc.Body {
		t.Errorf("block %s height %d: body %s not at index %d", b.ID, b.Height, rc.Body, *rc.Index)
	}
}

func TestDryRun(t *testing.T) {
	f := newFixture(t, &httpcapture.Options{DryRun: true})
	rc := receipt(t, f.do(t, post("not stored")))
	if !rc.DryRun || rc.Body != chain.DefaultCrypt.Sum([]byte("not stored")) {
		t.Errorf("receipt %+v: want dry_run and the body's hash", rc)
	}
	if n := len(f.onChain(t)); n != 0 {
		t.Errorf("%d asset(s) on the chain after a dry run; want 0", n)
	}
	if ok, _ := f.hub.Assets.Has(context.Background(), rc.Body); ok {
		t.Error("dry run stored the body")
	}
	if _, err := httpcapture.New(nil, &httpcapture.Options{DryRun: true}); err != nil {
		t.Errorf("New(nil, dry run): %v", err)
	}
}

func TestResponseCodeAndBody(t *testing.T) {
	f := newFixture(t, &httpcapture.Options{ResponseCode: 202, ResponseBody: "thanks\n"})
	rec := f.do(t, post("hi"))
	if rec.Code != 202 || rec.Body.String() != "thanks\n" || rec.Header().Get("X-Blockhub-Body") == "" {
		t.Errorf("got %d %q %v; want 202 thanks and the receipt headers", rec.Code, rec.Body, rec.Header())
	}
	if _, err := httpcapture.New(f.w.Appender, &httpcapture.Options{ResponseCode: 404}); err == nil {
		t.Error("New accepted response code 404")
	}
}

// TestGracefulStopUnderLoad sends from 64 clients, stops the server while
// they send, and checks that every request answered 201 is on the chain.
func TestGracefulStopUnderLoad(t *testing.T) {
	dur := 10 * time.Second
	if testing.Short() {
		dur = 2 * time.Second
	}
	f := newFixture(t, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- f.srv.Serve(ctx, ln) }()
	url := "http://" + ln.Addr().String() + "/load"

	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: time.Minute}
	var (
		mu       sync.Mutex
		receipts []httpcapture.Receipt
		refused  int
	)
	deadline := time.Now().Add(dur)
	var wg sync.WaitGroup
	for c := range 64 {
		wg.Go(func() {
			body := make([]byte, 1024)
			for i := 0; time.Now().Before(deadline.Add(time.Second)); i++ {
				rand.Read(body)
				u := url
				if i%50 == 0 {
					u += "?wait=block"
				}
				resp, err := client.Post(u, "application/octet-stream", bytes.NewReader(body))
				if err != nil {
					if time.Now().Before(deadline) {
						t.Errorf("client %d: %v", c, err)
						return
					}
					continue // stopping: refused connections are expected
				}
				raw, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 201 {
					mu.Lock()
					refused++
					mu.Unlock()
					continue
				}
				var rc httpcapture.Receipt
				if err := json.Unmarshal(raw, &rc); err != nil {
					t.Errorf("receipt %q: %v", raw, err)
					return
				}
				mu.Lock()
				receipts = append(receipts, rc)
				mu.Unlock()
			}
		})
	}
	// Stop while the clients are still sending.
	time.Sleep(time.Until(deadline))
	stop()
	if err := <-served; err != nil {
		t.Fatalf("Serve: %v", err)
	}
	wg.Wait()
	assets := f.onChain(t)
	lost := 0
	for _, rc := range receipts {
		_, body := assets[rc.Body]
		_, info := assets[rc.Info]
		if !body || !info {
			lost++
		}
	}
	t.Logf("%d request(s) answered 201 in %s, %d refused while stopping, %d asset(s) on the chain", len(receipts), dur, refused, len(assets))
	if len(receipts) == 0 {
		t.Fatal("no request was accepted")
	}
	if lost > 0 {
		t.Fatalf("%d of %d accepted request(s) are not on the chain", lost, len(receipts))
	}
	if st := f.srv.Stats(); st.Accepted != int64(len(receipts)) {
		t.Errorf("server counted %d accepted; clients got %d receipts", st.Accepted, len(receipts))
	}
}

func TestServeReturnsListenError(t *testing.T) {
	f := newFixture(t, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close()
	err = f.srv.Serve(context.Background(), ln)
	if err == nil || errors.Is(err, http.ErrServerClosed) {
		t.Fatalf("Serve on a closed listener: %v; want an error", err)
	}
}
