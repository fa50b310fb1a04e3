package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"strings"
	"sync"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/urfave/cli/v2"

	"github.com/blockhub/blockhub/appender"
	"github.com/blockhub/blockhub/builder"
	"github.com/blockhub/blockhub/chain"
)

func newPipeCommand() *cli.Command {
	return &cli.Command{
		Name:  "pipe",
		Usage: "capture standard input into the chain",
		Description: "Reads stdin into one asset, or one asset per --rows lines or per --chunk-size\n" +
			"bytes, and prints each asset's hash once its block is linked.",
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "rows", Usage: "lines per asset (0: all of stdin in one asset)"},
			&cli.StringFlag{Name: "chunk-size", Usage: "bytes per asset, with units (1MiB, 10M)"},
			&cli.StringFlag{Name: "type", Value: "", Usage: "content type of the assets (default text/plain with --rows, else application/octet-stream)"},
			&cli.StringSliceFlag{Name: "meta", Usage: "extra meta as key=value (repeatable)"},
		},
		Action: withEnv(runPipe),
	}
}

// pipeOptions are pipe's checked flags.
type pipeOptions struct {
	rows      int
	chunkSize int64
	typ       string
	meta      map[string]string
}

func parsePipeOptions(rows int, chunkSize, typ string, meta []string) (pipeOptions, error) {
	o := pipeOptions{rows: rows, typ: typ}
	if rows < 0 {
		return o, usagef("--rows %d: want a positive number of lines", rows)
	}
	if chunkSize != "" {
		n, err := humanize.ParseBytes(chunkSize)
		if err != nil || n == 0 || n > 1<<32 {
			return o, usagef("--chunk-size %q: want a size such as 1MiB or 10M, at most 4GiB", chunkSize)
		}
		o.chunkSize = int64(n)
	}
	if o.rows > 0 && o.chunkSize > 0 {
		return o, usagef("--rows and --chunk-size: give one or the other")
	}
	if o.typ == "" {
		o.typ = "application/octet-stream"
		if o.rows > 0 {
			o.typ = "text/plain"
		}
	}
	m, err := parseMeta(meta)
	if err != nil {
		return o, err
	}
	o.meta = m
	return o, nil
}

// parseMeta reads key=value pairs.
func parseMeta(kvs []string) (map[string]string, error) {
	m := map[string]string{}
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, usagef("--meta %q: want key=value", kv)
		}
		m[k] = v
	}
	return m, nil
}

func runPipe(c *cli.Context, e *env) error {
	if c.NArg() != 0 {
		return usagef("pipe reads stdin and takes no arguments (got %q)", c.Args().First())
	}
	o, err := parsePipeOptions(c.Int("rows"), c.String("chunk-size"), c.String("type"), c.StringSlice("meta"))
	if err != nil {
		return err
	}
	h, err := e.open()
	if err != nil {
		return err
	}
	defer h.Close()
	root, err := e.chainForWrite(h)
	if err != nil {
		return err
	}
	w, err := h.BulkWriter(context.WithoutCancel(e.ctx), root)
	if err != nil {
		return err
	}
	p := newReceiptPrinter(e)
	if o.rows == 0 && o.chunkSize == 0 {
		a, err := w.AppendReader(e.ctx, c.App.Reader, o.typ, metaJSON(o.meta, "source", "pipe"))
		if err != nil {
			w.Close()
			return err
		}
		p.add(a)
	} else {
		for r, err := range w.AppendAll(e.ctx, stdinChunks(c.App.Reader, o), nil) {
			if err != nil {
				w.Close()
				return err
			}
			p.add(r.Appended)
			if err := p.flush(false); err != nil {
				w.Close()
				return err
			}
		}
	}
	if err := w.Close(); err != nil {
		return err
	}
	return p.flush(true)
}

// metaJSON encodes base plus key/value pairs as a JSON object.
func metaJSON(base map[string]string, kv ...any) json.RawMessage {
	m := make(map[string]any, len(base)+len(kv)/2)
	for k, v := range base {
		m[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	b, _ := json.Marshal(m)
	return b
}

// stdinChunks cuts r into chunks of o.rows lines or o.chunkSize bytes.
func stdinChunks(r io.Reader, o pipeOptions) iter.Seq2[appender.Chunk, error] {
	return func(yield func(appender.Chunk, error) bool) {
		br := bufio.NewReaderSize(r, 1<<20)
		if o.chunkSize > 0 {
			for i := 0; ; i++ {
				buf := make([]byte, o.chunkSize)
				n, err := io.ReadFull(br, buf)
				if n > 0 {
					start := int64(i) * o.chunkSize
					meta := metaJSON(o.meta, "source", "pipe", "bytes", []int64{start, start + int64(n)})
					if !yield(appender.Chunk{Data: buf[:n], Type: o.typ, Meta: meta}, nil) {
						return
					}
				}
				if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
					return
				}
				if err != nil {
					yield(appender.Chunk{}, fmt.Errorf("read stdin: %w", err))
					return
				}
			}
		}
		line := 0
		for {
			var buf []byte
			first := line + 1
			for n := 0; n < o.rows; n++ {
				l, err := br.ReadBytes('\n')
				buf = append(buf, l...)
				if len(l) > 0 {
					line++
				}
				if err == io.EOF {
					break
				}
				if err != nil {
					yield(appender.Chunk{}, fmt.Errorf("read stdin: %w", err))
					return
				}
			}
			if len(buf) == 0 {
				return
			}
			meta := metaJSON(o.meta, "source", "pipe", "rows", []int{first, line})
			if !yield(appender.Chunk{Data: buf, Type: o.typ, Meta: meta}, nil) {
				return
			}
		}
	}
}

// receiptPrinter prints appended assets in order, each once its block is
// linked, without holding the appending back.
// It is safe for concurrent use, so a long-running import can flush on a
// timer as well as after each asset.
type receiptPrinter struct {
	e       *env
	mu      sync.Mutex
	pending []appender.Appended
}

func newReceiptPrinter(e *env) *receiptPrinter { return &receiptPrinter{e: e} }

func (p *receiptPrinter) add(a appender.Appended) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pending = append(p.pending, a)
}

// every flushes the printer every d until stop is called, so receipts of a
// source that waits (a watched folder, a followed file) print once linked,
// not when the next asset arrives.
func (p *receiptPrinter) every(d time.Duration) (stop func()) {
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				if err := p.flush(false); err != nil {
					p.e.log.Warn("link failed", "err", err)
				}
			case <-done:
				return
			}
		}
	}()
	return func() { close(done) }
}

// flush prints the linked receipts at the head of the queue; with wait
// set, it waits for all.
func (p *receiptPrinter) flush(wait bool) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.pending) > 0 {
		a := p.pending[0]
		var l builder.Linked
		if wait {
			l = <-a.Linked
		} else {
			select {
			case l = <-a.Linked:
			default:
				return nil
			}
		}
		p.pending = p.pending[1:]
		if l.Err != nil {
			return l.Err
		}
		if err := p.print(a.Receipt, a.New, l); err != nil {
			return err
		}
	}
	return nil
}

type receiptJSON struct {
	chain.Receipt
	New    bool   `json:"new"`
	Block  string `json:"block"`
	Height uint64 `json:"height"`
	Index  int    `json:"index"`
	// Queued: the receipt is confirmed in the broker's queue; a builder
	// daemon links it (--broker without --wait-linked).
	Queued bool `json:"queued,omitempty"`
}

func (p *receiptPrinter) print(r chain.Receipt, created bool, l builder.Linked) error {
	if p.e.json {
		return p.e.printJSON(receiptJSON{Receipt: r, New: created, Block: l.Block, Height: l.Height, Index: l.Index, Queued: l.Queued})
	}
	p.e.printf("%s\n", r.Hash)
	return nil
}
