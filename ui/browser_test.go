package ui_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/blockhub/blockhub"
	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/internal/browser"
	"github.com/blockhub/blockhub/internal/testenv"
	"github.com/blockhub/blockhub/oracle/oracletest"
	"github.com/blockhub/blockhub/ui"
)

var screenshots = flag.String("screenshots", os.Getenv("BH_UI_SCREENSHOTS"), "folder to write the console's screenshots to (docs/ui to refresh the docs'); env BH_UI_SCREENSHOTS")

// page is the console in a browser, over a folder store.
type page struct {
	t      *testing.T
	b      *browser.Browser
	h      *blockhub.Hub
	dir    string // the folder store
	srv    *httptest.Server
	root   chain.Block
	blocks atomic.Int64 // GET /api/chains/*/blocks calls
	assets atomic.Int64 // GET /api/blocks/*/assets/* calls
}

// Blocks of the browser chain: 1 csv, 2 json, 3 png, 4 bytes, 5 xml,
// 6 yaml, 7 the asset the test tampers with, then filler up to height
// browserTail (more than two pages of the page's 100).
const (
	browserTail = 257
	tamperedAt  = 7
	manyAt      = 10 // the block of 30 assets
)

var (
	ordersCSV  = "id,city,amount\n1,Oslo,50\n2,Bergen,150\n3,Oslo,300\n"
	tamperText = "the original text of block 7\n"
)

func newPage(t *testing.T) *page {
	t.Helper()
	exe := testenv.URL(t, testenv.Chromium)
	ctx := context.Background()
	p := &page{t: t, dir: t.TempDir()}
	url := "file://" + p.dir + "?nosync=1"
	h, err := blockhub.Open(ctx, blockhub.Config{Home: p.dir, BlockStore: []string{url}, AssetStore: []string{url}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	p.h = h
	if p.root, err = h.Create(ctx, chain.DefaultSettings("orders")); err != nil {
		t.Fatal(err)
	}
	other, err := h.Create(ctx, chain.DefaultSettings("other"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := oracletest.Append(ctx, h, other, []oracletest.Block{{Assets: []oracletest.Asset{{Type: "text/plain", Data: []byte("x\n")}}}}); err != nil {
		t.Fatal(err)
	}
	img := image.NewRGBA(image.Rect(0, 0, 48, 24))
	for x := range 48 {
		for y := range 24 {
			img.Set(x, y, color.RGBA{uint8(40 + 4*x), 87, 197, 255})
		}
	}
	var pngBuf bytes.Buffer
	png.Encode(&pngBuf, img)
	bin := make([]byte, 300)
	for i := range bin {
		bin[i] = byte(i * 7)
	}
	bs := []oracletest.Block{
		{Assets: []oracletest.Asset{oracletest.CSV("orders.csv", "id,city,amount", "1,Oslo,50", "2,Bergen,150", "3,Oslo,300")}},
		{Assets: []oracletest.Asset{{Type: "application/json", Meta: map[string]any{"source": "http", "url": "http://127.0.0.1/rates"}, Data: []byte(`{"base":"EUR","rates":{"NOK":11.7,"SEK":11.4},"at":"2026-12-01"}`)}}},
		{Assets: []oracletest.Asset{{Type: "image/png", Meta: map[string]any{"path": "logo.png"}, Data: pngBuf.Bytes()}}},
		{Assets: []oracletest.Asset{{Type: "application/octet-stream", Data: bin}, {Type: "text/plain", Data: []byte("second asset of block 4\n")}}},
		{Assets: []oracletest.Asset{{Type: "application/xml", Data: []byte(`<order id="9"><city>Oslo</city><lines><line sku="a1">2</line></lines></order>`)}}},
		{Assets: []oracletest.Asset{{Type: "application/yaml", Data: []byte("service: ui\nports:\n  - 8484\n")}}},
		{Assets: []oracletest.Asset{{Type: "text/plain", Data: []byte(tamperText)}}},
	}
	for i := len(bs) + 1; i <= browserTail; i++ {
		b := oracletest.Block{Assets: []oracletest.Asset{{Type: "text/plain", Meta: map[string]any{"n": i}, Data: fmt.Appendf(nil, "line %d\n", i)}}}
		for k := 1; i == manyAt && k < 30; k++ {
			b.Assets = append(b.Assets, oracletest.Asset{Type: "text/plain", Data: fmt.Appendf(nil, "line %d.%d\n", i, k)})
		}
		bs = append(bs, b)
	}
	if _, err := oracletest.Append(ctx, h, p.root, bs); err != nil {
		t.Fatal(err)
	}
	// Stores a request names are opened with the server's home, as bhctl
	// passes its own.
	s := ui.New(h, &ui.Options{Config: blockhub.Config{Home: p.dir}})
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/blocks") && strings.HasPrefix(r.URL.Path, "/api/chains/"):
			p.blocks.Add(1)
		case strings.Contains(r.URL.Path, "/assets/"):
			p.assets.Add(1)
		}
		s.ServeHTTP(w, r)
	}))
	t.Cleanup(p.srv.Close)
	b, err := browser.Start(ctx, exe, 1280, 900)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	p.b = b
	return p
}

// do runs actions, failing the test (with what the console said) on an
// error or after 15 s.
func (p *page) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.b.Ctx, 15*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		p.t.Fatalf("%s: %v; console: %v", what, err, p.b.Console())
	}
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](p *page, expr string) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.b.Ctx, 15*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// wait polls a JavaScript expression until it is truthy (10 s at most).
func (p *page) wait(what, expr string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.b.Ctx, 15*time.Second)
	defer cancel()
	var err error
	for range 5 {
		_, err = chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingInterval(10*time.Millisecond), chromedp.WithPollingTimeout(10*time.Second)))
		// A form that loads a new page ends the poll's context: poll the
		// new page.
		if err == nil || !strings.Contains(err.Error(), "Cannot find context") && !strings.Contains(err.Error(), "navigated") && !strings.Contains(err.Error(), "context was destroyed") {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		state := eval[string](p, `location.pathname + ": queries: " + document.querySelector("#runs")?.textContent + "; rows: " + document.querySelectorAll("#results .row").length + "; asset: " + document.querySelector("#asset-body")?.textContent.slice(0, 300) + "; body: " + document.body?.textContent.slice(0, 300)`)
		p.t.Fatalf("%s: %v; %s; console: %v", what, err, state, p.b.Console())
	}
}

func (p *page) shot(name string) {
	p.t.Helper()
	if *screenshots == "" {
		return
	}
	eval[chromedp.Void](p, `document.querySelector("#tip")?.setAttribute("hidden", "")`) // where the mouse last was is no part of the view
	ctx, cancel := context.WithTimeout(p.b.Ctx, 15*time.Second)
	defer cancel()
	img, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		p.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.MkdirAll(*screenshots, 0o755); err != nil {
		p.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(*screenshots, name+".png"), img, 0o644); err != nil {
		p.t.Fatal(err)
	}
}

func (p *page) noConsoleErrors(allowed ...func(chromedp.ConsoleMessage) bool) {
	p.t.Helper()
next:
	for _, m := range p.b.Errors() {
		for _, ok := range allowed {
			if ok(m) {
				continue next
			}
		}
		p.t.Errorf("console error: %s (%s:%d)", m, m.URL, m.Line)
	}
}

// TestBrowserConsole opens the page in headless Chromium and goes through
// it as a user would: chains, a query to the tail scrolled to its end, the
// asset views, a tampered asset, the cache, a live query that shows a block
// written during the test, the document query, verify, and the phone
// layout; the console must stay free of errors.
func TestBrowserConsole(t *testing.T) {
	p := newPage(t)
	ctx := context.Background()
	p.do("open the page", chromedp.Navigate(p.srv.URL+"/"))

	// Chains list.
	p.wait("chains listed", `document.querySelectorAll("#chains tbody tr[data-id]").length === 2`)
	names := eval[[]string](p, `[...document.querySelectorAll("#chains tbody tr td.name")].map((td) => td.textContent).sort()`)
	if strings.Join(names, ",") != "orders,other" {
		t.Fatalf("chains listed: %q, want orders and other", names)
	}
	height := eval[string](p, fmt.Sprintf(`document.querySelector('#chains tr[data-id="%s"] td.num').textContent`, p.root.ID))
	if height != "257" {
		t.Errorf("height of orders: %q, want 257", height)
	}

	// Store settings: another folder store, named in the page, read
	// through the X-Block-Store and X-Asset-Store headers; kept in the
	// tab's session storage only.
	other := t.TempDir()
	otherURL := "file://" + other + "?nosync=1"
	oh, err := blockhub.Open(ctx, blockhub.Config{Home: other, BlockStore: []string{otherURL}, AssetStore: []string{otherURL}})
	if err != nil {
		t.Fatal(err)
	}
	eroot, err := oh.Create(ctx, chain.DefaultSettings("elsewhere"))
	if err != nil {
		t.Fatal(err)
	}
	var filler []oracletest.Block
	for i := range 120 {
		filler = append(filler, oracletest.Block{Assets: []oracletest.Asset{{Type: "text/plain", Data: fmt.Appendf(nil, "elsewhere %d\n", i)}}})
	}
	if _, err := oracletest.Append(ctx, oh, eroot, filler); err != nil {
		t.Fatal(err)
	}
	oh.Close()
	const secret = "pw-SECRET-1"
	p.do("open the store settings", chromedp.Click(chromedp.CSS(`#stores summary`)),
		chromedp.SetValue(chromedp.CSS(`#store-form [name=blocks]`), otherURL), chromedp.SetValue(chromedp.CSS(`#store-form [name=ttl]`), "20"),
		chromedp.SetValue(chromedp.CSS(`#store-form [name=user]`), "alice"), chromedp.SetValue(chromedp.CSS(`#store-form [name=password]`), secret))
	p.shot("stores-1280")
	p.do("use them", chromedp.Click(chromedp.CSS(`#store-form button[type=submit]`)))
	p.wait("the other store's chains", `[...document.querySelectorAll("#chains tbody td.name")].map((td) => td.textContent).join() === "elsewhere"`)
	if got := eval[string](p, `JSON.stringify([sessionStorage.getItem("bh.stores") || "", localStorage.length, document.cookie])`); !strings.Contains(got, other) || !strings.HasSuffix(got, `,0,""]`) {
		t.Errorf("store settings kept as %s; want them in session storage only", got)
	}
	// A query there fills the IndexedDB cache (written to disk): its keys
	// name the store without the credentials.
	p.do("query the other store", chromedp.Click(chromedp.CSS(`#query-form button[type=submit]`)))
	p.wait("its blocks", `document.querySelectorAll("#results .row").length >= 100`)
	keys := eval[[]string](p, `new Promise((res) => { const r = indexedDB.open("blockhub-console"); r.onsuccess = () => {
		const q = r.result.transaction("pages").objectStore("pages").getAllKeys(); q.onsuccess = () => { res(q.result); r.result.close(); }; }; })`)
	if len(keys) == 0 || !strings.Contains(strings.Join(keys, " "), other) || strings.Contains(strings.Join(keys, " "), secret) || strings.Contains(strings.Join(keys, " "), "alice") {
		t.Errorf("IndexedDB keys %q: want the other store's pages, without its credentials", keys)
	}
	p.do("back to the server's own", chromedp.Click(chromedp.CSS(`#stores summary`)), chromedp.Click(chromedp.CSS(`#store-reset`)))
	p.wait("chains listed again", `document.querySelectorAll("#chains tbody tr[data-id]").length === 2`)
	if n := eval[int](p, `document.querySelectorAll("#runs li, #results .row").length`); n != 0 {
		t.Errorf("after the stores changed, %d queries and rows of the other stores are still listed", n)
	}

	// Keyboard: Enter on a chain row picks it.
	p.do("pick the chain by keyboard", chromedp.Focus(chromedp.CSS(fmt.Sprintf(`#chains tr[data-id="%s"]`, p.root.ID))), chromedp.KeyEvent("\r"))
	if got := eval[string](p, `document.querySelector("#q-chain").value`); got != p.root.ID {
		t.Fatalf("chain picked by Enter: %q, want %s", got, p.root.ID)
	}

	// A query to the tail: one page first, the rest as the list scrolls.
	p.do("run a query", chromedp.Click(chromedp.CSS(`#query-form button[type=submit]`)))
	p.wait("first page", `document.querySelectorAll("#results .row").length >= 100`)
	if n := eval[int](p, `document.querySelectorAll("#results .row").length`); n != 100 {
		t.Errorf("rows before scrolling: %d, want one page (100)", n)
	}
	p.shot("main-1280")
	p.wait("scrolled to the tail", `(() => { const b = document.querySelector("#results"); b.scrollTop = b.scrollHeight;
		return document.querySelector('#runs li[data-run="1"]').dataset.state === "finished"; })()`)
	if n := eval[int](p, `document.querySelectorAll("#results .row").length`); n != browserTail+1 {
		t.Errorf("rows of a query to the tail: %d, want %d", n, browserTail+1)
	}
	heights := eval[[]int](p, `[...document.querySelectorAll("#results .row")].map((r) => Number(r.dataset.height))`)
	for i, h := range heights {
		if h != i {
			t.Fatalf("row %d has height %d: not in chain order", i, h)
		}
	}
	if got := eval[string](p, `document.querySelector('#counts [data-count="blocks"]').textContent`); got != "258 / 258 blocks" {
		t.Errorf("counts header: %q, want 258 / 258 blocks", got)
	}
	if got := eval[string](p, `document.querySelector('#counts [data-count="assets"]').textContent`); got != "288 / 288 assets" {
		t.Errorf("assets count: %q, want 288 / 288 assets (the root's settings, block 4's two, block 10's thirty)", got)
	}
	// A block of many assets shows the first 24 marks and a button for
	// the rest.
	if got := eval[int](p, `document.querySelectorAll('#results .row[data-height="10"] .mark').length`); got != 24 {
		t.Errorf("block of 30 assets shows %d marks, want 24 and a +6", got)
	}
	p.do("show every mark", chromedp.Click(chromedp.CSS(`#results .row[data-height="10"] .more`)))
	if got := eval[int](p, `document.querySelectorAll('#results .row[data-height="10"] .mark').length`); got != 30 {
		t.Errorf("after +6, block 10 shows %d marks, want 30", got)
	}

	// A mark shows hash, type, length and meta on hover.
	p.hover(`#results .row[data-height="1"] .mark`)
	p.wait("tip shown", `!document.querySelector("#tip").hidden`)
	tip := eval[string](p, `document.querySelector("#tip").hidden ? "" : document.querySelector("#tip").textContent`)
	sum := sha256.Sum256([]byte(ordersCSV))
	for _, want := range []string{hex.EncodeToString(sum[:]), "text/csv", "49 bytes", `"path":"orders.csv"`} {
		if !strings.Contains(tip, want) {
			t.Errorf("mark tip %q lacks %q", tip, want)
		}
	}

	// Keyboard in the results: the arrow keys go from row to row, Enter
	// on a mark opens its asset, Escape closes it.
	p.do("arrow keys", chromedp.Focus(chromedp.CSS(`#results .row[data-height="2"] .mark`)), chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.ArrowDown))
	if got := eval[string](p, `document.activeElement.closest(".row")?.dataset.height + "/" + document.activeElement.className`); got != "4/mark" {
		t.Errorf("two ArrowDown from row 2's mark: focus on %s, want row 4's first mark", got)
	}
	p.do("Enter on a mark", chromedp.KeyEvent("\r"))
	p.wait("asset opened by keyboard", `!document.querySelector("#asset-panel").hidden && document.querySelector("#asset-meta").textContent.includes("height4asset0")`)
	p.do("Escape", chromedp.KeyEvent(kb.Escape))
	if !eval[bool](p, `document.querySelector("#asset-panel").hidden`) {
		t.Errorf("Escape did not close the asset")
	}

	// The CSV asset as a table.
	openAsset := func(height, index int) {
		t.Helper()
		p.do(fmt.Sprintf("open asset %d of block %d", index, height),
			chromedp.Click(chromedp.CSS(fmt.Sprintf(`#results .row[data-height="%d"] .mark[data-index="%d"]`, height, index))))
		p.wait("asset shown", fmt.Sprintf(`!document.querySelector("#asset-panel").hidden && document.querySelector("#asset-meta").textContent.includes("height%dasset") && !document.querySelector("#asset-body").textContent.includes("Reading")`, height))
	}
	openAsset(1, 0)
	cells := eval[[]string](p, `[...document.querySelectorAll("#asset-body table.csv th, #asset-body table.csv td")].map((c) => c.textContent)`)
	if got, want := strings.Join(cells, ","), "id,city,amount,1,Oslo,50,2,Bergen,150,3,Oslo,300"; got != want {
		t.Errorf("csv table: %s, want %s", got, want)
	}
	if !eval[bool](p, `!!document.querySelector("#asset-body .verified")`) {
		t.Errorf("csv asset not marked as checked: %s", eval[string](p, `document.querySelector("#asset-body").textContent`))
	}
	p.shot("asset-csv-1280")

	openAsset(2, 0)
	if got := eval[string](p, `document.querySelector("#asset-body pre.json").textContent`); !strings.Contains(got, "\n  \"rates\": {\n    \"NOK\": 11.7") {
		t.Errorf("json not pretty: %q", got)
	}
	openAsset(3, 0)
	p.wait("image decoded", `(() => { const i = document.querySelector("#asset-body img"); return i && i.complete && i.naturalWidth === 48; })()`)
	openAsset(4, 0)
	if got := eval[string](p, `document.querySelector("#asset-body").textContent`); !strings.Contains(got, "<blob 300 bytes>") || !eval[bool](p, `!!document.querySelector("#asset-body a[download]")`) {
		t.Errorf("bytes not shown as a blob with a download link: %q", got)
	}
	openAsset(5, 0)
	if got := eval[string](p, `document.querySelector("#asset-body pre.xml").textContent`); !strings.Contains(got, "\n  <city>Oslo</city>\n  <lines>\n    <line sku=\"a1\">2</line>") {
		t.Errorf("xml not pretty: %q", got)
	}
	openAsset(6, 0)
	if got := eval[string](p, `document.querySelector("#asset-body pre.yaml").textContent`); !strings.Contains(got, "ports:\n  - 8484") {
		t.Errorf("yaml not shown: %q", got)
	}

	// Revisiting costs no round trip: assets and full pages come from
	// IndexedDB.
	before := p.assets.Load()
	openAsset(1, 0)
	if n := p.assets.Load() - before; n != 0 {
		t.Errorf("reopening a checked asset made %d API call(s), want 0 (IndexedDB)", n)
	}
	blocksBefore := p.blocks.Load()
	p.do("run the query again", chromedp.Click(chromedp.CSS(`#query-form button[type=submit]`)))
	p.wait("second run shown", `document.querySelector('#runs li[data-run="2"]') && document.querySelectorAll("#results .row").length >= 100`)
	if n := p.blocks.Load() - blocksBefore; n != 0 {
		t.Errorf("the same range again made %d blocks call(s), want 0 (IndexedDB)", n)
	}

	// The tampered asset: its file in the folder store now holds other
	// bytes of the same length.
	var tampered chain.Receipt
	for b, err := range p.h.Walker(p.root).All(ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		if b.Height == tamperedAt {
			tampered = b.Assets[0]
			break
		}
	}
	file := filepath.Join(p.dir, "assets", tampered.Hash[:2], tampered.Hash+".blob")
	forged := []byte(strings.Replace(tamperText, "original", "*forged!", 1))
	os.Chmod(file, 0o644)
	if err := os.WriteFile(file, forged, 0o644); err != nil {
		t.Fatalf("tamper with %s: %v", file, err)
	}
	p.do("show the first run", chromedp.Click(chromedp.CSS(`#runs li[data-run="1"] button`)))
	openAsset(tamperedAt, 0)
	msg := eval[string](p, `(document.querySelector("#asset-body .mismatch") || {}).textContent || ""`)
	if !strings.Contains(msg, "Hash mismatch") {
		t.Errorf("tampered asset: %q, want a hash mismatch", eval[string](p, `document.querySelector("#asset-body").textContent`))
	}
	if c := eval[string](p, `getComputedStyle(document.querySelector("#asset-body .mismatch")).color`); c != "rgb(179, 38, 30)" {
		t.Errorf("mismatch shown in %s, want red rgb(179, 38, 30)", c)
	}
	if !eval[bool](p, fmt.Sprintf(`document.querySelector('#results .row[data-height="%d"] .mark').classList.contains("tampered")`, tamperedAt)) {
		t.Errorf("the tampered asset's mark is not marked")
	}
	if strings.Contains(eval[string](p, `document.querySelector("#asset-body").textContent`), "forged") {
		t.Errorf("the forged bytes were shown")
	}
	p.shot("asset-tampered-1280")

	// The page checks bytes itself too: forged bytes in its own cache
	// (IndexedDB) under the hash of block 5's asset are refused.
	xmlHash := eval[string](p, `document.querySelector('#results .row[data-height="5"]')._block.assets[0].hash`)
	eval[chromedp.Void](p, fmt.Sprintf(`cache.put("assets", %q, { bytes: new TextEncoder().encode("<forged/>").buffer })`, xmlHash))
	openAsset(5, 0)
	if msg := eval[string](p, `(document.querySelector("#asset-body .mismatch") || {}).textContent || ""`); !strings.Contains(msg, "Hash mismatch: the bytes read") {
		t.Errorf("forged bytes in the cache: %q, want a hash mismatch found by the page", eval[string](p, `document.querySelector("#asset-body").textContent`))
	}

	// Verify of a range shows the fault.
	p.do("verify", chromedp.SetValue(chromedp.CSS(`#verify-form [name=from]`), "5"), chromedp.SetValue(chromedp.CSS(`#verify-form [name=to]`), "20"),
		chromedp.Click(chromedp.CSS(`#verify-form button`)))
	p.wait("verified", `document.querySelector("#verify-status").textContent.includes("checked")`)
	if got := eval[string](p, `document.querySelector("#verify-status").textContent + " | " + document.querySelector("#faults").textContent`); !strings.Contains(got, "16 block(s), 45 asset(s) checked: 1 fault(s)") || !strings.Contains(got, "hash mismatch height 7") {
		t.Errorf("verify 5..20: %q, want one hash mismatch at height 7", got)
	}

	// Document query.
	p.do("document query", chromedp.SetValue(chromedp.CSS(`#doc-form [name=expr]`), `amount > 100`),
		chromedp.SetValue(chromedp.CSS(`#doc-form [name=source]`), "csv"), chromedp.Click(chromedp.CSS(`#doc-form button`)))
	p.wait("records", `document.querySelector("#doc-status").textContent.includes("record")`)
	rows := eval[[]string](p, `[...document.querySelectorAll("#doc-results tbody tr")].map((r) => [...r.cells].map((c) => c.textContent).join("|"))`)
	if len(rows) != 2 || !strings.HasPrefix(rows[0], "1|") || !strings.Contains(rows[0], "|0|2|") || !strings.Contains(rows[0], "city Bergen") || !strings.Contains(rows[1], "city Oslo") || !strings.Contains(rows[1], "amount 300") {
		t.Errorf("document query amount > 100: %q (%s), want Bergen 150 and Oslo 300 of block 1", rows, eval[string](p, `document.querySelector("#doc-status").textContent`))
	}
	eval[chromedp.Void](p, `window.scrollTo(0, document.querySelector("#doc-panel").getBoundingClientRect().top + window.scrollY - 60)`)
	p.shot("document-query-1280")

	// A live query: a block written now shows within a second, while the
	// finished query stays listed beside it.
	p.do("start a live query", chromedp.ScrollIntoView(chromedp.CSS(`#query-form`)),
		chromedp.SetValue(chromedp.CSS(`#query-form [name=from]`), "250"), chromedp.SetValue(chromedp.CSS(`#query-form [name=to]`), "live"),
		chromedp.Click(chromedp.CSS(`#query-form button[type=submit]`)))
	p.wait("live", `document.querySelector('#runs li[data-run="3"]').dataset.state === "live"`)
	watchRows(p)
	w, err := p.h.Writer(ctx, p.root)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.AppendReader(ctx, strings.NewReader("written during the test\n"), "text/plain", nil); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	linked := time.Now()
	p.wait("the new block shown", fmt.Sprintf(`!!window.bhSeen[%d]`, browserTail+1))
	shownAt := time.UnixMicro(int64(eval[float64](p, fmt.Sprintf(`window.bhSeen[%d] * 1000`, browserTail+1))))
	if d := shownAt.Sub(linked); d > time.Second {
		t.Errorf("live block shown %v after it was linked, want within a second", d)
	}
	if got := eval[string](p, `document.querySelector('#counts [data-count="blocks"]').textContent`); got != "9 / 9 blocks" {
		t.Errorf("live counts: %q, want 9 / 9 blocks (250..258)", got)
	}
	states := eval[string](p, `[...document.querySelectorAll("#runs li")].map((l) => l.dataset.state).join(",")`)
	if states != "finished,running,live" && states != "finished,finished,live" {
		t.Errorf("query states: %s", states)
	}
	p.shot("live-1280")
	p.do("stop the live query", chromedp.Click(chromedp.CSS(`#runs li[data-run="3"] button.stop`)))
	p.wait("stopped", `document.querySelector('#runs li[data-run="3"]').dataset.state === "stopped"`)

	// The page's own hash functions (used where Web Crypto is not there, and
	// for md5 chains) agree with Go's.
	data := bytes.Repeat([]byte("BlockHub console "), 100)
	s2, m5 := sha256.Sum256(data), md5.Sum(data)
	js := fmt.Sprintf(`(() => { const d = new TextEncoder().encode(%q); return bhHash.sha256(d) + " " + bhHash.md5(d); })()`, string(data))
	if got, want := eval[string](p, js), hex.EncodeToString(s2[:])+" "+hex.EncodeToString(m5[:]); got != want {
		t.Errorf("page hashes: %s, want %s", got, want)
	}

	// Phone width: the same page, one column.
	p.do("phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch),
		chromedp.Click(chromedp.CSS(`#runs li[data-run="1"] button`)), chromedp.ScrollIntoView(chromedp.CSS(`body`)), chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))
	if w := eval[int](p, `document.documentElement.scrollWidth`); w > 390 {
		wide := eval[[]string](p, `[...document.querySelectorAll("body *")].filter((e) => e.getBoundingClientRect().right > 391).slice(0, 8).map((e) => e.tagName + "#" + e.id + "." + e.className + " " + Math.round(e.getBoundingClientRect().right))`)
		t.Errorf("at phone width the page is %d px wide: it scrolls sideways (%q)", w, wide)
	}
	p.shot("main-phone")
	p.do("tap a mark", chromedp.ScrollIntoView(chromedp.CSS(`#results .row[data-height="1"] .mark`)), chromedp.Tap(chromedp.CSS(`#results .row[data-height="1"] .mark`)))
	p.wait("csv on the phone", `!!document.querySelector("#asset-body table.csv")`)
	p.do("scroll to the asset", chromedp.ScrollIntoView(chromedp.CSS(`#asset-panel`)))
	p.shot("asset-csv-phone")

	// The only error line is the browser's own network log of the 409 the
	// API answered for the tampered asset (the page showed it in red).
	p.noConsoleErrors(func(m chromedp.ConsoleMessage) bool {
		return m.Source == "network" && strings.Contains(m.Text, "409") && strings.Contains(m.URL, "/assets/0")
	})
}

// TestBrowserLogin: a console with a token sends the browser to the login
// form; the right token sets the cookie the page's API calls then carry.
func TestBrowserLogin(t *testing.T) {
	p := newPage(t)
	srv := httptest.NewServer(ui.New(p.h, &ui.Options{Token: "s3cret-token", Config: blockhub.Config{Home: p.dir}}))
	t.Cleanup(srv.Close)
	p.do("open the page", chromedp.Navigate(srv.URL+"/"))
	p.wait("the login form", `location.pathname === "/login" && !!document.querySelector("#token")`)
	p.do("a wrong token", chromedp.SendKeys(chromedp.CSS(`#token`), "wrong"), chromedp.Submit(chromedp.CSS(`#token`)))
	p.wait("refused", `!!document.querySelector("p.bad") && document.querySelector("p.bad").textContent.includes("Wrong token")`)
	p.shot("login-1280")
	p.do("the token", chromedp.SendKeys(chromedp.CSS(`#token`), "s3cret-token"), chromedp.Submit(chromedp.CSS(`#token`)))
	p.wait("chains listed", `location.pathname === "/" && document.querySelectorAll("#chains tbody tr[data-id]").length === 2`)
	if c := eval[string](p, `document.cookie`); c != "" {
		t.Errorf("the token cookie is readable by scripts: %q", c)
	}
	// The browser logs the 401 of the wrong token itself.
	p.noConsoleErrors(func(m chromedp.ConsoleMessage) bool {
		return m.Source == "network" && strings.Contains(m.Text, "401") && strings.HasSuffix(m.URL, "/login")
	})
}

// hover moves the mouse over the middle of the element sel names.
func (p *page) hover(sel string) {
	p.t.Helper()
	p.do("scroll to "+sel, chromedp.ScrollIntoView(chromedp.CSS(sel)))
	// Let the scroll's events pass first (a scroll hides the tip).
	eval[chromedp.Void](p, `new Promise((res) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(res, 50))))`)
	xy := eval[[]float64](p, fmt.Sprintf(`(() => { const r = document.querySelector(%q).getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()`, sel))
	p.do("hover "+sel, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, xy[0], xy[1]))
}

// watchRows records, in window.bhSeen[height], when each block row is
// added to the results (milliseconds since the epoch, sub-millisecond).
func watchRows(p *page) {
	eval[chromedp.Void](p, `(() => { window.bhSeen = {}; new MutationObserver((ms) => { const t = performance.timeOrigin + performance.now();
		for (const m of ms) for (const n of m.addedNodes) if (n.dataset && n.dataset.height) window.bhSeen[n.dataset.height] ??= t; })
		.observe(document.querySelector("#results"), { childList: true }); })()`)
}
