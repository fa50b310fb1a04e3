// Command uilat times the chain browser in headless Chromium (driven by
// chromedp, as the browser test drives it) against a real `bhctl serve ui`.
//
// First row: from submitting a query on a chain of -blocks blocks to its
// first block row being in the page (and one frame later), with the page's
// IndexedDB cache empty (cold), with it filled by the run before (warm),
// and for a query that starts at height -blocks - 1000 (deep), given as a
// height (the walk starts at the root) and as that block's id. Live: from
// `bhctl pipe` returning to the block it linked being a row of a live
// query, -pipes times one after the other.
//
//	go build -o /tmp/bhctl ./cmd/bhctl
//	go run ./bench/uilat -bhctl /tmp/bhctl -chromium /usr/bin/chromium
//
// The chain is made once in -home (default: a new temporary folder) by
// bench.MakeChain, as bench/mkchain makes it; times in the page are
// performance.timeOrigin + performance.now(), on the same clock as Go's.
// bench/ui.sh runs it; docs/BENCHMARKS.md has the figures.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/blockhub/blockhub/bench"
	"github.com/blockhub/blockhub/internal/browser"
)

func main() {
	bin := flag.String("bhctl", "bhctl", "the bhctl binary")
	chromium := flag.String("chromium", envOr("BH_TEST_CHROMIUM", "/usr/bin/chromium"), "the chromium binary (env BH_TEST_CHROMIUM)")
	home := flag.String("home", "", "store folder (default: a new temporary folder, removed at the end); a chain uilat there is reused")
	blocks := flag.Int("blocks", 100000, "blocks after the root of the chain the first-row runs read")
	runs := flag.Int("runs", 20, "first-row runs of each kind (1 to 1000)")
	pipes := flag.Int("pipes", 100, "pipes timed for the live figure (1 to 10000)")
	wait := flag.Duration("wait", 10*time.Second, "longest wait for one row")
	flag.Parse()
	if *runs < 1 || *runs > 1000 || *pipes < 1 || *pipes > 10000 || *blocks < 1 || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: uilat [-bhctl PATH] [-chromium PATH] [-home DIR] [-blocks N] [-runs N] [-pipes N]")
		os.Exit(2)
	}
	if err := run(*bin, *chromium, *home, *blocks, *runs, *pipes, *wait); err != nil {
		fmt.Fprintln(os.Stderr, "uilat:", err)
		os.Exit(1)
	}
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

const chainName = "uilat"

func run(bin, chromium, home string, n, runs, pipes int, wait time.Duration) error {
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	if home == "" {
		dir, err := os.MkdirTemp("", "bh-uilat-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		home = dir
	}
	global := []string{"--home", home, "--chain", chainName, "-q"}
	if out, err := exec.Command(bin, append(slices.Clone(global), "tail")...).Output(); err != nil || len(out) == 0 {
		start := time.Now()
		if _, err := bench.MakeChain(ctx, home, chainName, n, 64); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "uilat: made a chain of %d blocks in %s\n", n+1, time.Since(start).Round(time.Millisecond))
	}

	srv := exec.Command(bin, append(slices.Clone(global), "serve", "ui", "--addr", "127.0.0.1:0")...)
	srv.Stderr = os.Stderr
	out, err := srv.StdoutPipe()
	if err != nil {
		return err
	}
	if err := srv.Start(); err != nil {
		return err
	}
	defer bench.Interrupt(srv) // our own child, by its pid
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		return fmt.Errorf("serve ui printed no URL: %v", err)
	}
	url := strings.TrimSpace(line)

	b, err := browser.Start(ctx, chromium, 1280, 900)
	if err != nil {
		return err
	}
	defer b.Close()
	p := &page{b: b, url: url, wait: wait}

	var cold, warm, deep, deepID []time.Duration
	for i := range runs {
		d, err := p.firstRow("", true)
		if err != nil {
			return fmt.Errorf("cold run %d: %w", i, err)
		}
		cold = append(cold, d)
		if d, err = p.firstRow("", false); err != nil {
			return fmt.Errorf("warm run %d: %w", i, err)
		}
		warm = append(warm, d)
		if d, err = p.firstRow(fmt.Sprint(n-1000), true); err != nil {
			return fmt.Errorf("deep run %d: %w", i, err)
		}
		deep = append(deep, d)
		id, err := eval[string](p, `document.querySelector("#results .row").dataset.id`)
		if err != nil {
			return err
		}
		if d, err = p.firstRow(id, true); err != nil {
			return fmt.Errorf("deep run by id %d: %w", i, err)
		}
		deepID = append(deepID, d)
	}

	live, early, err := p.live(bin, global, pipes)
	if err != nil {
		return err
	}
	fmt.Printf("chain: %d blocks; first-row runs: %d of each; pipes: %d\n", n+1, runs, pipes)
	report("first row, query from the root (cold cache)", cold)
	report("first row, query from the root (IndexedDB)", warm)
	report(fmt.Sprintf("first row, query from height %d (cold)", n-1000), deep)
	report(fmt.Sprintf("first row, query from block %d's id (cold)", n-1000), deepID)
	report("live row after bhctl pipe returned", live)
	if early > 0 {
		fmt.Printf("(%d of %d live rows were there before pipe had returned: counted as 0)\n", early, pipes)
	}
	if errs := b.Errors(); len(errs) > 0 {
		return fmt.Errorf("console errors: %v", errs)
	}
	return nil
}

type page struct {
	b    *browser.Browser
	url  string
	wait time.Duration
}

func (p *page) do(steps ...chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(p.b.Ctx, p.wait+5*time.Second)
	defer cancel()
	return chromedp.Do(ctx, steps...)
}

func eval[T any](p *page, expr string) (T, error) {
	ctx, cancel := context.WithTimeout(p.b.Ctx, p.wait+5*time.Second)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
}

func (p *page) poll(expr string) error {
	return p.do(chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingInterval(2*time.Millisecond), chromedp.WithPollingTimeout(p.wait)))
}

// open loads the page afresh (its IndexedDB emptied when cold) and picks
// the chain.
func (p *page) open(cold bool) error {
	if err := p.do(chromedp.Navigate(p.url)); err != nil {
		return err
	}
	if err := p.poll(fmt.Sprintf(`[...document.querySelectorAll("#q-chain option")].some((o) => o.textContent.startsWith(%q))`, chainName+" (")); err != nil {
		return fmt.Errorf("chains not listed: %w", err)
	}
	if cold {
		// The page opens its database at its first query: none yet.
		if _, err := eval[chromedp.Void](p, `new Promise((res, rej) => { const r = indexedDB.deleteDatabase("blockhub-console"); r.onsuccess = res; r.onerror = rej; r.onblocked = () => rej(new Error("blocked")); })`); err != nil {
			return fmt.Errorf("emptying the cache: %w", err)
		}
	}
	_, err := eval[chromedp.Void](p, fmt.Sprintf(`(() => { const s = document.querySelector("#q-chain");
		s.value = [...s.options].find((o) => o.textContent.startsWith(%q)).value;
		window.bhSeen = {}; window.bhFirst = 0;
		new MutationObserver((ms) => { for (const m of ms) for (const n of m.addedNodes) if (n.dataset && n.dataset.height) {
			const t = performance.timeOrigin + performance.now(); window.bhSeen[n.dataset.height] ??= t;
			if (!window.bhFirst) { window.bhFirst = -1; requestAnimationFrame(() => { window.bhFirst = performance.timeOrigin + performance.now(); }); } } })
		.observe(document.querySelector("#results"), { childList: true }); })()`, chainName+" ("))
	return err
}

// firstRow times a query from from (blank: the root) to its first row
// and the frame after it.
func (p *page) firstRow(from string, cold bool) (time.Duration, error) {
	if err := p.open(cold); err != nil {
		return 0, err
	}
	d, err := eval[float64](p, fmt.Sprintf(`(() => { const f = document.querySelector("#query-form"); f.from.value = %q; f.to.value = "";
		window.bhT0 = performance.timeOrigin + performance.now(); f.requestSubmit(); return 0; })()`, from))
	if err != nil {
		return 0, err
	}
	if err := p.poll(`window.bhFirst > 0`); err != nil {
		return 0, fmt.Errorf("no first row: %w", err)
	}
	if d, err = eval[float64](p, `window.bhFirst - window.bhT0`); err != nil {
		return 0, err
	}
	return time.Duration(d * float64(time.Millisecond)), nil
}

// live starts a live query at the tail and times pipes one by one.
func (p *page) live(bin string, global []string, pipes int) ([]time.Duration, int, error) {
	if err := p.open(false); err != nil {
		return nil, 0, err
	}
	tail, err := exec.Command(bin, append(slices.Clone(global), "-o", "json", "tail")...).Output()
	if err != nil {
		return nil, 0, fmt.Errorf("bhctl tail: %v", err)
	}
	var h uint64
	if i := strings.Index(string(tail), `"height":`); i >= 0 {
		fmt.Sscan(string(tail[i+len(`"height":`):]), &h)
	}
	if h == 0 {
		return nil, 0, fmt.Errorf("bhctl tail -o json: no height in %.200s", tail)
	}
	if _, err := eval[chromedp.Void](p, fmt.Sprintf(`(() => { const f = document.querySelector("#query-form"); f.from.value = "%d"; f.to.value = "live"; f.requestSubmit(); })()`, h)); err != nil {
		return nil, 0, err
	}
	if err := p.poll(`[...document.querySelectorAll("#runs li")].pop().dataset.state === "live"`); err != nil {
		return nil, 0, fmt.Errorf("the query did not go live: %w", err)
	}
	var lat []time.Duration
	early := 0
	for i := range pipes {
		pipe := exec.Command(bin, append(slices.Clone(global), "pipe")...)
		pipe.Stdin = strings.NewReader(fmt.Sprintf("uilat %d %d\n", i, time.Now().UnixNano()))
		if out, err := pipe.CombinedOutput(); err != nil {
			return nil, 0, fmt.Errorf("pipe %d: %v: %s", i, err, out)
		}
		returned := time.Now()
		height := h + 1 + uint64(i)
		if err := p.poll(fmt.Sprintf(`!!window.bhSeen[%d]`, height)); err != nil {
			return nil, 0, fmt.Errorf("block %d not shown: %w", height, err)
		}
		ms, err := eval[float64](p, fmt.Sprintf(`window.bhSeen[%d]`, height))
		if err != nil {
			return nil, 0, err
		}
		d := time.UnixMicro(int64(ms * 1000)).Sub(returned)
		if d < 0 {
			early++
			d = 0
		}
		lat = append(lat, d)
	}
	return lat, early, nil
}

func report(what string, ds []time.Duration) {
	if len(ds) == 0 {
		return
	}
	slices.Sort(ds)
	pct := func(q float64) time.Duration { return ds[int(q*float64(len(ds)-1)+0.5)] }
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }
	fmt.Printf("%-48s p50 %9s  p90 %9s  p99 %9s  max %9s  (n %d)\n", what, ms(pct(0.5)), ms(pct(0.9)), ms(pct(0.99)), ms(ds[len(ds)-1]), len(ds))
}
