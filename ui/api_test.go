package ui_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/blockhub/blockhub"
	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/internal/testenv"
	"github.com/blockhub/blockhub/oracle/oracletest"
	"github.com/blockhub/blockhub/ui"
)

// fixture is a chain of known content in a real store, served by a real
// HTTP server.
type fixture struct {
	h        *blockhub.Hub
	root     chain.Block
	srv      *httptest.Server
	csv      []byte
	tampered string // hash of the asset whose stored bytes were replaced
	storeURL string
}

const html = `<html><body><script>document.title="ran"</script>captured page</body></html>`

func newFixture(t *testing.T, storeURL string) *fixture {
	t.Helper()
	ctx := context.Background()
	h, err := blockhub.Open(ctx, blockhub.Config{Home: t.TempDir(), BlockStore: []string{storeURL}, AssetStore: []string{storeURL}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	root, err := h.Create(ctx, chain.DefaultSettings(fmt.Sprintf("ui-%d", time.Now().UnixNano())))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{h: h, root: root, storeURL: storeURL}
	f.csv = []byte("id,city,amount\n1,Oslo,50\n2,Bergen,150\n3,Oslo,300\n")
	// The tampered asset: forged bytes stored (through the driver, which
	// only moves bytes) under the hash of the original ones.
	orig := []byte("original bytes\n")
	sum := sha256.Sum256(orig)
	f.tampered = hex.EncodeToString(sum[:])
	forged := []byte("forged bytes!!\n")
	if err := h.Assets.Driver().Put(ctx, f.tampered, bytes.NewReader(forged), int64(len(forged))); err != nil {
		t.Fatal(err)
	}
	blocks := []oracletest.Block{
		{Assets: []oracletest.Asset{{Type: "text/csv", Meta: map[string]any{"source": "csv", "path": "orders.csv"}, Data: f.csv}}},
		{Assets: []oracletest.Asset{{Type: "text/html", Data: []byte(html)}, {Type: "text/plain", Data: []byte("note\n")}}},
	}
	tail, err := oracletest.Append(ctx, h, root, blocks)
	if err != nil {
		t.Fatal(err)
	}
	// Its block names the original's hash and length.
	b := chain.Block{Chain: root.ID, Prev: tail.ID, Height: tail.Height + 1, Time: chain.Stamp(time.Now()), Crypt: chain.SHA256,
		Assets: []chain.Receipt{{Hash: f.tampered, Crypt: chain.SHA256, Length: int64(len(orig)), Type: "text/plain"}}}
	if err := b.Seal(); err != nil {
		t.Fatal(err)
	}
	if err := h.Blocks.Create(ctx, b); err != nil {
		t.Fatal(err)
	}
	if err := h.Blocks.SetNext(ctx, tail.ID, b.ID); err != nil {
		t.Fatal(err)
	}
	f.srv = httptest.NewServer(ui.New(h, nil))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fixture) get(t *testing.T, path string, hdr ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest("GET", f.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func (f *fixture) getJSON(t *testing.T, path string, v any, hdr ...string) {
	t.Helper()
	resp := f.get(t, path, hdr...)
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %v in %s", path, err, body)
	}
}

func wantStatus(t *testing.T, f *fixture, path string, code int) string {
	t.Helper()
	resp := f.get(t, path)
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != code {
		t.Errorf("GET %s = %d %s; want %d", path, resp.StatusCode, body, code)
	}
	return string(body)
}

func TestAPIFolderStore(t *testing.T) {
	runAPI(t, newFixture(t, t.TempDir()))
}

func TestAPIMinIO(t *testing.T) {
	u, err := url.Parse(testenv.URL(t, testenv.S3))
	if err != nil {
		t.Fatal(err)
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + fmt.Sprintf("/ui-api-%d", time.Now().UnixNano())
	runAPI(t, newFixture(t, u.String()))
}

func runAPI(t *testing.T, f *fixture) {
	name := mustName(t, f.root)
	t.Run("chains", func(t *testing.T) {
		var cs []ui.ChainInfo
		f.getJSON(t, "/api/chains", &cs)
		for _, c := range cs {
			if c.ID == f.root.ID {
				if c.Name != name || c.Height != 3 || c.Tail == "" || c.TailTime == "" {
					t.Errorf("chain = %+v; want name %s, height 3, a tail", c, name)
				}
				return
			}
		}
		t.Errorf("chains %+v lack %s", cs, f.root.ID)
	})

	var all []chain.Block
	t.Run("blocks by cursor", func(t *testing.T) {
		cursor := ""
		for range 10 {
			var p struct {
				Blocks []chain.Block `json:"blocks"`
				Next   string        `json:"next"`
			}
			f.getJSON(t, "/api/chains/"+name+"/blocks?limit=2&cursor="+cursor, &p)
			if len(p.Blocks) > 2 {
				t.Fatalf("page of %d blocks with limit 2", len(p.Blocks))
			}
			all = append(all, p.Blocks...)
			if cursor = p.Next; cursor == "" {
				break
			}
		}
		if len(all) != 4 {
			t.Fatalf("walked %d blocks; want 4", len(all))
		}
		for i, b := range all {
			if b.Height != uint64(i) || (i > 0 && b.Prev != all[i-1].ID) {
				t.Errorf("block %d: height %d prev %s", i, b.Height, b.Prev)
			}
		}
		var p struct{ Blocks []chain.Block }
		f.getJSON(t, "/api/chains/"+f.root.ID+"/blocks?from=1&to=2", &p)
		if len(p.Blocks) != 2 || p.Blocks[0].Height != 1 || p.Blocks[1].Height != 2 {
			t.Errorf("from=1&to=2 gave %d blocks", len(p.Blocks))
		}
	})
	if len(all) != 4 {
		t.FailNow()
	}

	t.Run("block and tail", func(t *testing.T) {
		var b, tail chain.Block
		f.getJSON(t, "/api/blocks/"+all[1].ID, &b)
		if b.ID != all[1].ID || b.Next != all[2].ID || b.Check() != nil {
			t.Errorf("block = %+v (check %v)", b, b.Check())
		}
		f.getJSON(t, "/api/chains/"+name+"/tail", &tail)
		if tail.ID != all[3].ID {
			t.Errorf("tail = %s; want %s", tail.ID, all[3].ID)
		}
	})

	t.Run("asset bytes", func(t *testing.T) {
		resp := f.get(t, "/api/blocks/"+all[1].ID+"/assets/0")
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || !bytes.Equal(body, f.csv) {
			t.Fatalf("csv asset: %d %q", resp.StatusCode, body)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "text/csv" {
			t.Errorf("Content-Type = %q; want text/csv", ct)
		}
		if v := resp.Header.Get("X-Content-Type-Options"); v != "nosniff" {
			t.Errorf("X-Content-Type-Options = %q", v)
		}
		// A captured HTML page is served as what it is, but sandboxed: no
		// script runs, on no origin of ours.
		resp = f.get(t, "/api/blocks/"+all[2].ID+"/assets/0")
		body, _ = io.ReadAll(resp.Body)
		csp := resp.Header.Get("Content-Security-Policy")
		if string(body) != html || resp.Header.Get("Content-Type") != "text/html" || !strings.Contains(csp, "sandbox") || !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "allow-scripts") {
			t.Errorf("html asset: %q, type %q, CSP %q", body, resp.Header.Get("Content-Type"), csp)
		}
	})

	t.Run("tampered asset refused", func(t *testing.T) {
		body := wantStatus(t, f, "/api/blocks/"+all[3].ID+"/assets/0", http.StatusConflict)
		if !strings.Contains(body, `"problem":"hash mismatch"`) || strings.Contains(body, "forged") {
			t.Errorf("tampered asset answer %s", body)
		}
	})

	t.Run("document query", func(t *testing.T) {
		var res ui.QueryResult
		f.getJSON(t, "/api/chains/"+name+"/query?"+url.Values{"expr": {`city == "Oslo" && amount > 100`}}.Encode(), &res)
		if len(res.Records) != 1 || res.Records[0].N != 3 || res.Records[0].Block != all[1].ID || res.Records[0].Index != 0 || res.More {
			t.Errorf("query = %+v", res)
		}
		f.getJSON(t, "/api/chains/"+name+"/query?limit=1&"+url.Values{"expr": {`amount > 0`}, "to": {"1"}}.Encode(), &res)
		if len(res.Records) != 1 || !res.More {
			t.Errorf("query with limit 1 = %+v", res)
		}
		wantStatus(t, f, "/api/chains/"+name+"/query?expr=amount+%3E", http.StatusBadRequest)
		// It compiles, but fails on a record (a string compared with a
		// number): the expression's fault (400), not the store's (502),
		// and the page does not try it again.
		if body := wantStatus(t, f, "/api/chains/"+name+"/query?"+url.Values{"expr": {`city > 1`}}.Encode(), http.StatusBadRequest); !strings.Contains(body, "invalid operation") {
			t.Errorf("expression failing on a record: %s", body)
		}
	})

	t.Run("verify", func(t *testing.T) {
		var res ui.VerifyResult
		f.getJSON(t, "/api/chains/"+name+"/verify", &res)
		if res.Blocks != 4 || res.Assets != 5 || len(res.Faults) != 1 || res.Faults[0].Asset != f.tampered || res.Faults[0].Problem != "hash mismatch" {
			t.Errorf("verify = %+v", res)
		}
		f.getJSON(t, "/api/chains/"+name+"/verify?from=1&to=2", &res)
		if res.Blocks != 2 || len(res.Faults) != 0 {
			t.Errorf("verify 1..2 = %+v", res)
		}
	})

	t.Run("live", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "GET", f.srv.URL+"/api/chains/"+name+"/live?after="+all[3].ID, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
			t.Fatalf("Content-Type = %q", ct)
		}
		tail, err := oracletest.Append(ctx, f.h, f.root, []oracletest.Block{{Assets: []oracletest.Asset{{Type: "text/plain", Data: []byte("live\n")}}}})
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 1<<20)
		event := ""
		for sc.Scan() {
			line := sc.Text()
			if v, ok := strings.CutPrefix(line, "event: "); ok {
				event = v
			}
			if v, ok := strings.CutPrefix(line, "data: "); ok {
				var b chain.Block
				if event != "block" || json.Unmarshal([]byte(v), &b) != nil || b.ID != tail.ID || b.Height != 4 {
					t.Fatalf("event %s data %s; want block %s", event, v, tail.ID)
				}
				return
			}
		}
		t.Fatalf("no block on the live feed: %v", sc.Err())
	})

	t.Run("bad ids and methods", func(t *testing.T) {
		hex64 := strings.Repeat("ab", 32)
		wantStatus(t, f, "/api/blocks/zz", http.StatusBadRequest)
		wantStatus(t, f, "/api/blocks/"+strings.ToUpper(all[1].ID), http.StatusBadRequest)
		wantStatus(t, f, "/api/blocks/..%2F..%2Fetc%2Fpasswd", http.StatusBadRequest)
		wantStatus(t, f, "/api/blocks/"+all[1].ID+"/assets/..%2F..%2Fserver.go", http.StatusBadRequest)
		wantStatus(t, f, "/api/blocks/"+hex64, http.StatusNotFound)
		wantStatus(t, f, "/api/blocks/"+all[1].ID+"/assets/-1", http.StatusBadRequest)
		wantStatus(t, f, "/api/blocks/"+all[1].ID+"/assets/7", http.StatusNotFound)
		wantStatus(t, f, "/api/chains/no-such-chain/blocks", http.StatusNotFound)
		wantStatus(t, f, "/api/chains/"+name+"/blocks?limit=lots", http.StatusBadRequest)
		wantStatus(t, f, "/api/chains/"+name+"/blocks?from=..%2F", http.StatusBadRequest)
		wantStatus(t, f, "/api/nothing", http.StatusNotFound)
		resp, err := http.Post(f.srv.URL+"/api/chains", "application/json", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("POST /api/chains = %d; want 405", resp.StatusCode)
		}
	})

	t.Run("stores named by the request", func(t *testing.T) {
		// A server over an empty store reads the fixture's store when the
		// request names it, for that request only.
		empty, err := blockhub.Open(context.Background(), blockhub.Config{Home: t.TempDir(), BlockStore: []string{"mem://ui-empty"}, AssetStore: []string{"mem://ui-empty"}})
		if err != nil {
			t.Fatal(err)
		}
		defer empty.Close()
		srv := httptest.NewServer(ui.New(empty, &ui.Options{Config: blockhub.Config{Home: t.TempDir()}}))
		defer srv.Close()
		g := &fixture{srv: srv}
		var cs []ui.ChainInfo
		g.getJSON(t, "/api/chains", &cs)
		if len(cs) != 0 {
			t.Fatalf("empty store lists %d chains", len(cs))
		}
		g.getJSON(t, "/api/chains", &cs, "X-Block-Store", f.storeURL, "X-Asset-Store", f.storeURL)
		found := false
		for _, c := range cs {
			found = found || c.ID == f.root.ID
		}
		if !found {
			t.Errorf("chains with X-Block-Store lack %s", f.root.ID)
		}
		var b chain.Block
		g.getJSON(t, "/api/blocks/"+all[1].ID, &b, "X-Block-Store", f.storeURL)
		if b.ID != all[1].ID {
			t.Errorf("block = %s", b.ID)
		}
	})
}

func mustName(t *testing.T, root chain.Block) string {
	s, err := chain.RootSettings(root)
	if err != nil {
		t.Fatal(err)
	}
	return s.Name
}
