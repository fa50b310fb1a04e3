// Package browser starts headless Chromium (the Debian package chromium)
// under github.com/chromedp/chromedp for the console's browser tests and
// benchmarks, and gathers what the page writes to its console. It imports
// no BlockHub package.
package browser

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/chromedp/chromedp"
)

// Browser is one Chromium process with one tab.
type Browser struct {
	// Ctx runs actions in the tab (chromedp.Run, chromedp.Do).
	Ctx    context.Context
	cancel []context.CancelFunc
	dir    string

	mu      sync.Mutex
	console []chromedp.ConsoleMessage
}

// Start launches exe (the chromium binary) headless with a fresh profile
// and a window of width x height CSS pixels. The flags are the ones that
// work as root in a container, with nothing that calls home. Close it.
func Start(ctx context.Context, exe string, width, height int) (*Browser, error) {
	if exe == "" {
		return nil, errors.New("browser: no chromium binary given")
	}
	if _, err := os.Stat(exe); err != nil {
		return nil, fmt.Errorf("browser: %w", err)
	}
	dir, err := os.MkdirTemp("", "bh-chromium-")
	if err != nil {
		return nil, err
	}
	b := &Browser{dir: dir}
	actx, c1 := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(dir),
		chromedp.WindowSize(width, height),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("lang", "en-US"),
	)
	tctx, c2 := chromedp.NewContext(actx)
	b.Ctx, b.cancel = tctx, []context.CancelFunc{c2, c1}
	// The first Run starts the browser (it lives as long as ctx).
	if err := chromedp.Do(tctx); err != nil {
		b.Close()
		return nil, fmt.Errorf("browser: starting %s: %w", exe, err)
	}
	msgs := chromedp.Console(tctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.console = append(b.console, m)
			b.mu.Unlock()
		}
	}()
	return b, nil
}

// Console returns the messages the page wrote to its console so far
// (console API calls, uncaught exceptions, the browser's log) of the
// given types; none given: every message.
func (b *Browser) Console(types ...chromedp.ConsoleType) []chromedp.ConsoleMessage {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []chromedp.ConsoleMessage
	for _, m := range b.console {
		if len(types) == 0 {
			out = append(out, m)
			continue
		}
		for _, t := range types {
			if m.Type == t {
				out = append(out, m)
				break
			}
		}
	}
	return out
}

// Errors is Console of errors and uncaught exceptions.
func (b *Browser) Errors() []chromedp.ConsoleMessage {
	return b.Console(chromedp.ConsoleError, chromedp.ConsoleException)
}

// Close stops the browser and removes its profile.
func (b *Browser) Close() {
	for _, c := range b.cancel {
		c()
	}
	os.RemoveAll(b.dir)
}
