package contract

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"
	"github.com/goccy/go-yaml"
)

// File is a contract file (YAML):
//
//	name: shop
//	filters:
//	  cart_item: 'meta.path == "cart_items.csv"'
//	  order_created: 'meta.path == "orders.csv" && status == "created"'
//	events:
//	  - name: ORDER_CREATED
//	    filters: [cart_item, order_created]
//	    key: order_id
//	    window: {assets: 100, time: 24h}
//	    handlers: [log]
//	handlers:
//	  log: {command: [sh, -c, "cat >> events.jsonl"]}
//	  hook: {url: "http://127.0.0.1:8080/events"}
//	  archive: {chain: events}
//
// Filters and keys are expr-lang expressions over the record's fields
// (numbers where they read as numbers), meta (the asset's meta) and asset
// (block, height, index, hash, type).
type File struct {
	Name     string                 `yaml:"name"`
	Filters  map[string]string      `yaml:"filters"`
	Events   []FileEvent            `yaml:"events"`
	Handlers map[string]FileHandler `yaml:"handlers"`
}

// FileEvent is an event of a contract file.
type FileEvent struct {
	Name    string   `yaml:"name"`
	Filters []string `yaml:"filters"`
	Key     string   `yaml:"key"`
	Window  struct {
		Assets int    `yaml:"assets"`
		Time   string `yaml:"time"`
	} `yaml:"window"`
	Handlers []string `yaml:"handlers"`
}

// FileHandler is one way to hand events out: exactly one of its fields.
type FileHandler struct {
	// Command runs with the event as JSON on stdin; a non-zero exit is a
	// failure. It runs in the contract file's folder.
	Command []string `yaml:"command"`
	// URL receives the event as a JSON POST; a status outside 2xx is a
	// failure.
	URL string `yaml:"url"`
	// Chain is a chain the event is appended to, as one JSON line, through
	// LoadOptions.AppendChain (bhctl stores it as an
	// application/x-ndjson asset).
	Chain string `yaml:"chain"`
}

// LoadOptions give Load what handlers need from the outside.
type LoadOptions struct {
	// AppendChain appends data to the chain named; needed by chain
	// handlers.
	AppendChain func(ctx context.Context, chain string, data []byte) error
	// Stderr receives commands' output (default os.Stderr).
	Stderr io.Writer
	// HTTP is the client of URL handlers (default: 10s timeout).
	HTTP *http.Client
}

// Load reads a contract file and compiles it.
func Load(path string, opts *LoadOptions) (*Contract, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	c, err := Parse(b, filepath.Dir(path), opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// Parse compiles a contract file's content; commands run in dir.
func Parse(data []byte, dir string, opts *LoadOptions) (*Contract, error) {
	if opts == nil {
		opts = &LoadOptions{}
	}
	var f File
	if err := yaml.UnmarshalWithOptions(data, &f, yaml.Strict()); err != nil {
		return nil, fmt.Errorf("contract: %v", err)
	}
	sum := sha256.Sum256(data)
	c := &Contract{Name: f.Name, Filters: map[string]Filter{}, Handlers: map[string]Handler{}, Version: hex.EncodeToString(sum[:16])}
	for name, src := range f.Filters {
		p, err := expr.Compile(src, expr.AsBool(), expr.AllowUndefinedVariables())
		if err != nil {
			return nil, fmt.Errorf("filter %s: %v", name, oneLine(err.Error()))
		}
		c.Filters[name] = func(r Record) (bool, error) {
			out, err := vm.Run(p, env(r))
			if err != nil {
				return false, err
			}
			ok, _ := out.(bool)
			return ok, nil
		}
	}
	for _, fe := range f.Events {
		e := EventSpec{Name: fe.Name, Filters: fe.Filters, WindowAssets: fe.Window.Assets, Handlers: fe.Handlers}
		if fe.Window.Time != "" {
			d, err := time.ParseDuration(fe.Window.Time)
			if err != nil {
				return nil, fmt.Errorf("event %s: window time %q: %v", fe.Name, fe.Window.Time, err)
			}
			e.WindowTime = d
		}
		if fe.Key == "" {
			return nil, fmt.Errorf("event %s: no key", fe.Name)
		}
		p, err := expr.Compile(fe.Key, expr.AllowUndefinedVariables())
		if err != nil {
			return nil, fmt.Errorf("event %s: key: %v", fe.Name, oneLine(err.Error()))
		}
		e.Key = func(r Record) (string, error) {
			out, err := vm.Run(p, env(r))
			if err != nil || out == nil {
				return "", err
			}
			return fmt.Sprint(out), nil
		}
		c.Events = append(c.Events, e)
	}
	for name, fh := range f.Handlers {
		h, err := handler(name, fh, dir, opts)
		if err != nil {
			return nil, err
		}
		c.Handlers[name] = h
	}
	if err := c.Check(); err != nil {
		return nil, err
	}
	return c, nil
}

func env(r Record) map[string]any {
	m := make(map[string]any, len(r.Fields)+2)
	for k, v := range r.Fields {
		m[k] = v
	}
	m["meta"] = r.Meta
	m["asset"] = map[string]any{"block": r.Asset.Block, "height": r.Asset.Height, "index": r.Asset.Index, "hash": r.Asset.Hash, "type": r.Asset.Type}
	return m
}

func handler(name string, fh FileHandler, dir string, opts *LoadOptions) (Handler, error) {
	n := 0
	for _, set := range []bool{len(fh.Command) > 0, fh.URL != "", fh.Chain != ""} {
		if set {
			n++
		}
	}
	if n != 1 {
		return nil, fmt.Errorf("handler %s: give one of command, url or chain", name)
	}
	stderr := opts.Stderr
	if stderr == nil {
		stderr = os.Stderr
	}
	switch {
	case len(fh.Command) > 0:
		return func(ctx context.Context, ev Event) error {
			b, _ := json.Marshal(ev)
			cmd := exec.CommandContext(ctx, fh.Command[0], fh.Command[1:]...)
			cmd.Dir = dir
			cmd.Stdin = bytes.NewReader(append(b, '\n'))
			cmd.Stdout, cmd.Stderr = stderr, stderr
			if err := cmd.Run(); err != nil {
				return fmt.Errorf("command %s: %w", fh.Command[0], err)
			}
			return nil
		}, nil
	case fh.URL != "":
		client := opts.HTTP
		if client == nil {
			client = &http.Client{Timeout: 10 * time.Second}
		}
		return func(ctx context.Context, ev Event) error {
			b, _ := json.Marshal(ev)
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, fh.URL, bytes.NewReader(b))
			if err != nil {
				return err
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Idempotency-Key", ev.ID)
			resp, err := client.Do(req)
			if err != nil {
				return err
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode/100 != 2 {
				return fmt.Errorf("POST %s: %s", fh.URL, resp.Status)
			}
			return nil
		}, nil
	}
	if opts.AppendChain == nil {
		return nil, fmt.Errorf("handler %s: chain handlers need a store to append to", name)
	}
	return func(ctx context.Context, ev Event) error {
		b, _ := json.Marshal(ev)
		return opts.AppendChain(ctx, fh.Chain, append(b, '\n'))
	}, nil
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
