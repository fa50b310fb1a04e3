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
	"github.com/gabriel-vasile/mimetype"
	"github.com/urfave/cli/v2"

	"github.com/blockhub/blockhub"
	"github.com/blockhub/blockhub/appender"
	"github.com/blockhub/blockhub/builder"
	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/internal/sensitive"
)

func newPipeCommand() *cli.Command {
	return &cli.Command{
		Name:  "pipe",
		Usage: "capture standard input into the chain",
		Description: "Reads stdin into one asset, or one asset per --rows lines or per --chunk-size\n" +
			"bytes, and prints each asset's hash once its block is linked. The type of each\n" +
			"asset is sniffed from its bytes (image/png, application/json, ...) unless --type\n" +
			"is given; with --rows it is text/plain. An empty stdin captures nothing (and\n" +
			"creates no chain). SIGINT or SIGTERM stops reading at once: with --rows or\n" +
			"--chunk-size the chunks read whole so far are linked and the one being read is\n" +
			"dropped; without them nothing is captured. Only what was linked is printed, and\n" +
			"bhctl exits 130 (SIGINT) or 143 (SIGTERM).\n\n" +
			"Examples:\n" +
			"  bhctl pipe < photo.png\n" +
			"  tail -f app.log | bhctl pipe --rows 1000",
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "rows", Usage: "lines per asset (0: all of stdin in one asset)"},
			&cli.StringFlag{Name: "chunk-size", Usage: "bytes per asset, with units (1MiB, 10M)"},
			&cli.StringFlag{Name: "type", Value: "", Usage: "content type of the assets (default: sniffed from the bytes; text/plain with --rows)"},
			&cli.StringSliceFlag{Name: "meta", Usage: "extra meta as key=value (repeatable)"},
			&cli.StringFlag{Name: "sensitive", Value: "warn", Usage: "scan for SSNs, card numbers, private keys, AWS keys: warn, block or off"},
		},
		Action: withEnv(runPipe),
	}
}

// pipeOptions are pipe's checked flags.
type pipeOptions struct {
	rows      int
	chunkSize int64
	typ       string // "": sniffed
	meta      map[string]string
	sensitive string
}

func parsePipeOptions(rows int, chunkSize, typ string, meta []string, sens string) (pipeOptions, error) {
	o := pipeOptions{rows: rows, typ: typ, sensitive: sens}
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
	if o.typ == "" && o.rows > 0 {
		o.typ = "text/plain"
	}
	switch o.sensitive {
	case "", "warn", "block", "off":
	default:
		return o, usagef("--sensitive %q: want warn, block or off", o.sensitive)
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
	o, err := parsePipeOptions(c.Int("rows"), c.String("chunk-size"), c.String("type"), c.StringSlice("meta"), c.String("sensitive"))
	if err != nil {
		return err
	}
	h, err := e.open()
	if err != nil {
		return err
	}
	defer h.Close()
	p := &pipeRun{e: e, h: h, o: o, printer: newReceiptPrinter(e)}
	// Reads stop at a signal (e.ctx ends); storing and linking what was
	// read whole go on.
	in := newInterruptible(e.ctx, c.App.Reader)
	var runErr error
	if o.rows == 0 && o.chunkSize == 0 {
		runErr = p.whole(in)
	} else {
		runErr = p.chunks(in)
	}
	if p.w != nil {
		if err := p.w.Close(); err != nil {
			return err
		}
		if err := p.printer.flush(true); err != nil {
			return err
		}
	}
	if runErr == nil && p.captured == 0 {
		e.notef("pipe: stdin is empty: nothing captured")
	}
	return runErr
}

// pipeRun is one run of bhctl pipe. The chain is opened (and created
// when missing) only once there is something to capture, so an empty or
// refused stdin leaves no empty chain.
type pipeRun struct {
	e        *env
	h        *blockhub.Hub
	o        pipeOptions
	w        *blockhub.Writer
	printer  *receiptPrinter
	captured int
}

func (p *pipeRun) writer() (*blockhub.Writer, error) {
	if p.w == nil {
		root, err := p.e.chainForWrite(p.h)
		if err != nil {
			return nil, err
		}
		if p.w, err = p.h.BulkWriter(context.WithoutCancel(p.e.ctx), root); err != nil {
			return nil, err
		}
	}
	return p.w, nil
}

// crypt is the hash function of the chain, or of the chain pipe would
// create.
func (p *pipeRun) crypt() (chain.Crypt, error) {
	root, err := p.h.Resolve(p.e.ctx, p.e.chain)
	if errors.Is(err, chain.ErrNotFound) && !chain.IsHex(p.e.chain) {
		return chain.DefaultSettings(p.e.chain).Crypt, nil
	}
	if err != nil {
		return "", err
	}
	s, err := chain.RootSettings(root)
	return s.Crypt, err
}

// whole captures all of stdin as one asset, spooled in the home.
func (p *pipeRun) whole(in io.Reader) error {
	br := bufio.NewReaderSize(in, 64<<10)
	head, err := br.Peek(sniffLen)
	if len(head) == 0 {
		if errors.Is(err, io.EOF) {
			return nil
		}
		return fmt.Errorf("read stdin: %w", err)
	}
	typ := p.o.typ
	if typ == "" {
		typ = sniffType(head)
	}
	crypt, err := p.crypt()
	if err != nil {
		return err
	}
	// Stored before the chain is opened: a refused stdin leaves none.
	st := appender.New(p.h.Assets, nil, crypt)
	st.SpoolIn(p.h.SpoolDir())
	var r io.Reader = br
	var scan *sensitive.Stream
	if p.o.sensitive != "off" {
		scan = &sensitive.Stream{}
		r = &refuseAtEOF{r: io.TeeReader(br, scan), check: func() error {
			if found := scan.Findings(); len(found) > 0 && p.o.sensitive == "block" {
				return fmt.Errorf("pipe: stdin: sensitive data (%s on line %d); refused by --sensitive=block", found[0].Kind, found[0].Line)
			}
			return nil
		}}
	}
	rc, created, err := st.StoreReader(context.WithoutCancel(p.e.ctx), r, typ, nil)
	if err != nil {
		var ref refused
		if errors.As(err, &ref) {
			return ref.err
		}
		return err
	}
	meta := map[string]any{"source": "pipe"}
	if scan != nil {
		if found := scan.Findings(); len(found) > 0 {
			meta["sensitive"] = found
			p.e.notef("warning: stdin: sensitive data (%s on line %d)", found[0].Kind, found[0].Line)
		}
	}
	rc.Meta = metaJSON(p.o.meta, flatten(meta)...)
	w, err := p.writer()
	if err != nil {
		return err
	}
	ch, err := w.Queue(rc)
	if err != nil {
		return err
	}
	p.printer.add(appender.Appended{Receipt: rc, New: created, Linked: ch})
	p.captured++
	return nil
}

// chunks captures stdin in chunks of --rows lines or --chunk-size bytes.
// Each chunk is scanned for sensitive data on the worker that stores it
// (its Prepare), so reading stdin goes on meanwhile; the warnings are
// told in the chunks' order, as their results come in. Under
// --sensitive=block the first refused chunk ends the run: the chunks
// before it are captured. A --chunk-size chunk's buffer is used again
// once its result is in (AppendAll reads a chunk's Data no more by
// then): a pipe of any length allocates a few buffers, not one per chunk
// (zeroing a fresh MiB for each and collecting it cost a tenth of the
// CPU).
func (p *pipeRun) chunks(in io.Reader) error {
	// chunkState is what is known of a chunk (its Tag), for its result.
	type chunkState struct {
		buf   []byte            // the --chunk-size buffer, to use again
		found sensitive.Finding // its first sensitive finding, if any
	}
	var (
		mu   sync.Mutex
		free [][]byte
	)
	getBuf := func() []byte {
		mu.Lock()
		defer mu.Unlock()
		if n := len(free); n > 0 {
			b := free[n-1]
			free = free[:n-1]
			return b
		}
		return make([]byte, p.o.chunkSize)
	}
	scan := func(c *appender.Chunk, st *chunkState) error {
		found := sensitive.Scan(c.Data)
		if len(found) == 0 {
			return nil
		}
		if p.o.sensitive == "block" {
			return fmt.Errorf("pipe: %s: sensitive data (%s on line %d of the chunk); refused by --sensitive=block", chunkName(*c), found[0].Kind, found[0].Line)
		}
		st.found = found[0]
		c.Meta = addMeta(c.Meta, "sensitive", found)
		return nil
	}
	checked := func(yield func(appender.Chunk, error) bool) {
		for c, err := range stdinChunks(in, p.o, getBuf) {
			if err == nil {
				st := &chunkState{}
				if p.o.chunkSize > 0 {
					st.buf = c.Data[:cap(c.Data)]
				}
				if p.o.sensitive != "off" {
					c.Prepare = func(c *appender.Chunk) error { return scan(c, st) }
				}
				c.Tag = st
			}
			if !yield(c, err) || err != nil {
				return
			}
		}
	}
	// done tells of the sensitive data of the chunk whose result came in
	// and takes its buffer back.
	done := func(r appender.Result) {
		st := r.Tag.(*chunkState)
		if st.buf != nil {
			mu.Lock()
			free = append(free, st.buf)
			mu.Unlock()
		}
		if st.found.Kind != "" {
			p.e.notef("warning: %s: sensitive data (%s on line %d of the chunk)", chunkName(appender.Chunk{Meta: r.Receipt.Meta}), st.found.Kind, st.found.Line)
		}
	}
	next, stop := iter.Pull2(iter.Seq2[appender.Chunk, error](checked))
	defer stop()
	first, err, ok := next()
	if err != nil || !ok {
		return err
	}
	// The first chunk is checked before the chain is opened: a refused
	// stdin leaves no empty chain.
	if first, err = first.Prepared(); err != nil {
		return err
	}
	w, err := p.writer()
	if err != nil {
		return err
	}
	all := func(yield func(appender.Chunk, error) bool) {
		if !yield(first, nil) {
			return
		}
		for {
			c, err, ok := next()
			if !ok || !yield(c, err) || err != nil {
				return
			}
		}
	}
	for r, err := range w.AppendAll(context.WithoutCancel(p.e.ctx), all, nil) {
		if err != nil {
			return err
		}
		done(r)
		p.printer.add(r.Appended)
		p.captured++
		if err := p.printer.flush(false); err != nil {
			return err
		}
	}
	return nil
}

// sniffLen is how many leading bytes a type is sniffed from (mimetype's
// default read limit).
const sniffLen = 3072

// sniffType names the content type of data from its first bytes, as serve
// http does, without parameters (image/png, text/plain).
func sniffType(head []byte) string {
	t, _, _ := strings.Cut(mimetype.Detect(head).String(), ";")
	return strings.TrimSpace(t)
}

// refused wraps the error of a refuseAtEOF check.
type refused struct{ err error }

func (r refused) Error() string { return r.err.Error() }
func (r refused) Unwrap() error { return r.err }

// refuseAtEOF reads r and, at its end, returns check's error instead of
// io.EOF: the spooling reader then stores nothing.
type refuseAtEOF struct {
	r     io.Reader
	check func() error
}

func (f *refuseAtEOF) Read(b []byte) (int, error) {
	n, err := f.r.Read(b)
	if errors.Is(err, io.EOF) {
		if cerr := f.check(); cerr != nil {
			return n, refused{cerr}
		}
	}
	return n, err
}

// chunkName names a chunk in messages by its rows or bytes.
func chunkName(c appender.Chunk) string {
	var m map[string]json.RawMessage
	json.Unmarshal(c.Meta, &m)
	for _, k := range []string{"rows", "bytes"} {
		if v, ok := m[k]; ok {
			return k + " " + string(v)
		}
	}
	return "chunk"
}

// addMeta sets key in a JSON object.
func addMeta(meta json.RawMessage, key string, v any) json.RawMessage {
	m := map[string]any{}
	json.Unmarshal(meta, &m)
	m[key] = v
	b, _ := json.Marshal(m)
	return b
}

// flatten turns a map into key, value pairs for metaJSON.
func flatten(m map[string]any) []any {
	var kv []any
	for k, v := range m {
		kv = append(kv, k, v)
	}
	return kv
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
// A --chunk-size chunk's buffer comes from getBuf.
func stdinChunks(r io.Reader, o pipeOptions, getBuf func() []byte) iter.Seq2[appender.Chunk, error] {
	return func(yield func(appender.Chunk, error) bool) {
		if o.chunkSize > 0 {
			for i := 0; ; i++ {
				buf := getBuf()
				n, err := io.ReadFull(r, buf)
				if n > 0 {
					start := int64(i) * o.chunkSize
					meta := metaJSON(o.meta, "source", "pipe", "bytes", []int64{start, start + int64(n)})
					typ := o.typ
					if typ == "" {
						typ = sniffType(buf[:min(n, sniffLen)])
					}
					if !yield(appender.Chunk{Data: buf[:n], Type: typ, Meta: meta}, nil) {
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
		br := bufio.NewReaderSize(r, 1<<20)
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
