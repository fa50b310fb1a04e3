package ui

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/blockhub/blockhub"
	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/walk"
	"github.com/blockhub/blockhub/query"
)

// ChainInfo is one chain as GET /api/chains lists it.
type ChainInfo struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Height uint64 `json:"height"`
	Tail   string `json:"tail"`
	Time   string `json:"time"`
	// TailTime is the time of the tail block.
	TailTime string `json:"tail_time"`
}

// Page is a range of blocks; Next is the cursor of the block after the
// last one (empty when the last is the tail or the range's end).
type Page struct {
	Blocks []json.RawMessage `json:"blocks"`
	Next   string            `json:"next"`
}

type apiError struct {
	Error   string `json:"error"`
	Problem string `json:"problem,omitempty"`
}

func fail(w http.ResponseWriter, code int, err error) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	e := apiError{Error: strings.Join(strings.Fields(err.Error()), " ")}
	if errors.Is(err, chain.ErrTampered) {
		e.Problem = "hash mismatch"
	}
	json.NewEncoder(w).Encode(e)
}

// failFor picks the status of a library error.
func failFor(w http.ResponseWriter, err error) {
	var f *walk.Fault
	switch {
	case errors.Is(err, chain.ErrNotFound):
		fail(w, http.StatusNotFound, err)
	case errors.Is(err, chain.ErrTampered), errors.As(err, &f):
		fail(w, http.StatusConflict, err)
	case errors.Is(err, chain.ErrInvalid), errors.Is(err, query.ErrExpr):
		fail(w, http.StatusBadRequest, err)
	default:
		fail(w, http.StatusBadGateway, err)
	}
}

func reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(v)
}

func (s *Server) chains(w http.ResponseWriter, r *http.Request) {
	h, done, err := s.hubFor(r)
	if err != nil {
		failFor(w, err)
		return
	}
	defer done()
	out := []ChainInfo{}
	for root, err := range h.Chains(r.Context()) {
		if err != nil {
			continue // an unreadable root is no chain to list
		}
		info, err := chainInfo(r, h, root)
		if err != nil {
			failFor(w, err)
			return
		}
		out = append(out, info)
	}
	reply(w, out)
}

func chainInfo(r *http.Request, h *blockhub.Hub, root chain.Block) (ChainInfo, error) {
	st, _ := chain.RootSettings(root)
	tail, err := h.Blocks.Tail(r.Context(), root.ID)
	if err != nil {
		return ChainInfo{}, err
	}
	return ChainInfo{ID: root.ID, Name: st.Name, Height: tail.Height, Tail: tail.ID, Time: root.Time, TailTime: tail.Time}, nil
}

// resolve opens the request's hub and finds its {chain} (an id or a
// name); the caller calls done.
func (s *Server) resolve(w http.ResponseWriter, r *http.Request) (*blockhub.Hub, chain.Block, func(), bool) {
	name := r.PathValue("chain")
	if name == "" || len(name) > 200 || strings.ContainsAny(name, "/\\\x00") {
		fail(w, http.StatusBadRequest, fmt.Errorf("chain %q: want a chain id or name", name))
		return nil, chain.Block{}, nil, false
	}
	h, done, err := s.hubFor(r)
	if err != nil {
		failFor(w, err)
		return nil, chain.Block{}, nil, false
	}
	root, err := h.Resolve(r.Context(), name)
	if err != nil {
		done()
		failFor(w, err)
		return nil, chain.Block{}, nil, false
	}
	return h, root, done, true
}

func (s *Server) chainInfo(w http.ResponseWriter, r *http.Request) {
	h, root, done, ok := s.resolve(w, r)
	if !ok {
		return
	}
	defer done()
	info, err := chainInfo(r, h, root)
	if err != nil {
		failFor(w, err)
		return
	}
	reply(w, info)
}

// end reads a from/to/cursor parameter: a block id or a height.
func end(r *http.Request, name string) (string, error) {
	v := r.URL.Query().Get(name)
	if v == "" || chain.IsHex(v) {
		return v, nil
	}
	if _, err := strconv.ParseUint(v, 10, 64); err != nil {
		return "", fmt.Errorf("%s %q: want a block id or a height", name, v)
	}
	return v, nil
}

func intParam(r *http.Request, name string, def, max int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > max {
		return 0, fmt.Errorf("%s %q: want a number from 0 to %d", name, v, max)
	}
	if n == 0 {
		return def, nil
	}
	return n, nil
}

// rangeOf reads from (or cursor, which wins), to and limit.
func rangeOf(r *http.Request, maxLimit int) (from, to string, limit int, err error) {
	if from, err = end(r, "from"); err != nil {
		return
	}
	cur, err := end(r, "cursor")
	if err != nil {
		return
	}
	if cur != "" {
		from = cur
	}
	if to, err = end(r, "to"); err != nil {
		return
	}
	limit, err = intParam(r, "limit", 100, maxLimit)
	return
}

func (s *Server) blocks(w http.ResponseWriter, r *http.Request) {
	from, to, limit, err := rangeOf(r, 1000)
	if err != nil {
		fail(w, http.StatusBadRequest, err)
		return
	}
	h, root, done, ok := s.resolve(w, r)
	if !ok {
		return
	}
	defer done()
	mode := walk.Stop
	if r.URL.Query().Get("verify") == "false" {
		mode = walk.Skip
	}
	p := Page{Blocks: []json.RawMessage{}}
	for b, err := range h.Walker(root).All(r.Context(), &walk.Options{From: from, To: to, Prefetch: limit + 1, Mode: mode}) {
		if err != nil {
			failFor(w, err)
			return
		}
		doc, err := b.Encode()
		if err != nil {
			failFor(w, err)
			return
		}
		if len(p.Blocks) == limit {
			p.Next = b.ID
			break
		}
		p.Blocks = append(p.Blocks, doc)
		if to != "" && (b.ID == to || strconv.FormatUint(b.Height, 10) == to) {
			break
		}
	}
	reply(w, p)
}

func (s *Server) tail(w http.ResponseWriter, r *http.Request) {
	h, root, done, ok := s.resolve(w, r)
	if !ok {
		return
	}
	defer done()
	b, err := h.Blocks.Tail(r.Context(), root.ID)
	if err != nil {
		failFor(w, err)
		return
	}
	writeBlock(w, b)
}

func writeBlock(w http.ResponseWriter, b chain.Block) {
	doc, err := b.Encode()
	if err != nil {
		failFor(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store") // next may be set later
	w.Write(append(doc, '\n'))
}

func blockID(w http.ResponseWriter, r *http.Request) (string, bool) {
	id := r.PathValue("id")
	if err := chain.CheckHex("block id", id); err != nil {
		fail(w, http.StatusBadRequest, err)
		return "", false
	}
	return id, true
}

func (s *Server) block(w http.ResponseWriter, r *http.Request) {
	id, ok := blockID(w, r)
	if !ok {
		return
	}
	b, _, done, ok := s.getBlock(w, r, id)
	if !ok {
		return
	}
	defer done()
	writeBlock(w, b)
}

// getBlock reads block id from the request's stores; on a failure it
// answers the request and returns false. Call done when finished with h.
func (s *Server) getBlock(w http.ResponseWriter, r *http.Request, id string) (chain.Block, *blockhub.Hub, func(), bool) {
	h, done, err := s.hubFor(r)
	if err != nil {
		failFor(w, err)
		return chain.Block{}, nil, nil, false
	}
	b, err := h.Blocks.Get(r.Context(), id)
	if err != nil {
		done()
		failFor(w, err)
		return chain.Block{}, nil, nil, false
	}
	return b, h, done, true
}

// MaxVerified is the largest asset the API reads whole and checks before
// sending a byte; a larger one is streamed, and the connection is cut
// (no complete response) when its bytes turn out not to match.
const MaxVerified = 64 << 20

func (s *Server) asset(w http.ResponseWriter, r *http.Request) {
	id, ok := blockID(w, r)
	if !ok {
		return
	}
	i, err := strconv.Atoi(r.PathValue("index"))
	if err != nil || i < 0 {
		fail(w, http.StatusBadRequest, fmt.Errorf("asset index %q: want a number from 0", r.PathValue("index")))
		return
	}
	b, h, done, ok := s.getBlock(w, r, id)
	if !ok {
		return
	}
	defer done()
	if i >= len(b.Assets) {
		fail(w, http.StatusNotFound, fmt.Errorf("block %s has %d asset(s): no asset %d", id, len(b.Assets), i))
		return
	}
	rc := b.Assets[i]
	hd := w.Header()
	hd.Set("Content-Type", safeType(rc.Type))
	hd.Set("Content-Security-Policy", assetCSP)
	hd.Set("Cross-Origin-Resource-Policy", "same-origin")
	hd.Set("Cache-Control", "private, max-age=31536000, immutable") // content-addressed
	hd.Set("X-Asset-Hash", rc.Hash)
	if r.URL.Query().Get("download") != "" {
		hd.Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", rc.Hash+".blob"))
	}
	if rc.Length <= MaxVerified {
		data, err := h.Assets.ReadAll(r.Context(), rc.Hash)
		if err == nil && int64(len(data)) != rc.Length {
			err = fmt.Errorf("asset %s: %w: %d bytes, the block says %d", rc.Hash, chain.ErrTampered, len(data), rc.Length)
		}
		if err != nil {
			hd.Del("Cache-Control")
			hd.Del("Content-Disposition")
			failFor(w, err)
			return
		}
		hd.Set("Content-Length", strconv.Itoa(len(data)))
		hd.Set("X-Asset-Verified", "sha256 and length")
		w.Write(data)
		return
	}
	f, err := h.Assets.Get(r.Context(), rc.Hash)
	if err != nil {
		failFor(w, err)
		return
	}
	defer f.Close()
	hd.Set("Content-Length", strconv.FormatInt(rc.Length, 10))
	if _, err := io.Copy(w, io.LimitReader(f, rc.Length)); err != nil {
		panic(http.ErrAbortHandler) // cut: the client sees an incomplete body
	}
	if n, err := io.Copy(io.Discard, f); n > 0 || err != nil {
		panic(http.ErrAbortHandler)
	}
}

// safeType is a receipt's content type if it parses, else
// application/octet-stream.
func safeType(t string) string {
	mt, params, err := mime.ParseMediaType(t)
	if err != nil || !strings.Contains(mt, "/") {
		return "application/octet-stream"
	}
	return mime.FormatMediaType(mt, params)
}

func (s *Server) live(w http.ResponseWriter, r *http.Request) {
	after, err := end(r, "after")
	if err != nil {
		fail(w, http.StatusBadRequest, err)
		return
	}
	h, root, done, ok := s.resolve(w, r)
	if !ok {
		return
	}
	defer done()
	fl, ok := w.(http.Flusher)
	if !ok {
		fail(w, http.StatusInternalServerError, errors.New("streaming not supported"))
		return
	}
	if after == "" {
		tail, err := h.Blocks.Tail(r.Context(), root.ID)
		if err != nil {
			failFor(w, err)
			return
		}
		after = tail.ID
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, ": live\n\n")
	fl.Flush()
	ctx := r.Context()
	blocks := make(chan chain.Block)
	errc := make(chan error, 1)
	go func() {
		defer close(blocks)
		for b, err := range h.Walker(root).All(ctx, &walk.Options{From: after, Live: true}) {
			if err != nil {
				if ctx.Err() == nil {
					errc <- err
				}
				return
			}
			if b.ID == after || !chain.IsHex(after) && strconv.FormatUint(b.Height, 10) == after {
				continue
			}
			select {
			case blocks <- b:
			case <-ctx.Done():
				return
			}
		}
	}()
	beat := time.NewTicker(15 * time.Second)
	defer beat.Stop()
	for {
		select {
		case b, ok := <-blocks:
			if !ok {
				select {
				case err := <-errc:
					e, _ := json.Marshal(apiError{Error: strings.Join(strings.Fields(err.Error()), " ")})
					fmt.Fprintf(w, "event: fault\ndata: %s\n\n", e)
					fl.Flush()
				default:
				}
				return
			}
			doc, err := b.Encode()
			if err != nil {
				return
			}
			fmt.Fprintf(w, "event: block\nid: %s\ndata: %s\n\n", b.ID, doc)
			fl.Flush()
		case <-beat.C:
			fmt.Fprint(w, ": beat\n\n")
			fl.Flush()
		case <-ctx.Done():
			for range blocks {
			}
			return
		}
	}
}

// QueryResult is the answer of the document query.
type QueryResult struct {
	Records []query.Record `json:"records"`
	// More is set when the limit cut the results short.
	More bool `json:"more"`
}

func (s *Server) query(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	from, to, limit, err := rangeOf(r, 10000)
	if err != nil {
		fail(w, http.StatusBadRequest, err)
		return
	}
	expr := q.Get("expr")
	if err := query.CompileExpr(expr); err != nil {
		fail(w, http.StatusBadRequest, err)
		return
	}
	h, root, done, ok := s.resolve(w, r)
	if !ok {
		return
	}
	defer done()
	opts := query.RecordOptions{Expr: expr, Invert: q.Get("invert") == "true", Source: q["source"], Limit: limit + 1}
	rg := query.Range{Blocks: h.Blocks, Assets: h.Assets, Chain: root.ID, From: from, To: to}
	res := QueryResult{Records: []query.Record{}}
	for rec, err := range query.Records(r.Context(), rg, opts) {
		if err != nil {
			failFor(w, err)
			return
		}
		if len(res.Records) == limit {
			res.More = true
			break
		}
		res.Records = append(res.Records, rec)
	}
	reply(w, res)
}

// FaultInfo is one fault verify found.
type FaultInfo struct {
	Block   string `json:"block"`
	Height  uint64 `json:"height"`
	Asset   string `json:"asset,omitempty"`
	Problem string `json:"problem"`
	Error   string `json:"error"`
}

// VerifyResult is the answer of verify.
type VerifyResult struct {
	Blocks int         `json:"blocks"`
	Assets int         `json:"assets"`
	Faults []FaultInfo `json:"faults"`
}

func (s *Server) verify(w http.ResponseWriter, r *http.Request) {
	from, to, _, err := rangeOf(r, 1)
	if err != nil {
		fail(w, http.StatusBadRequest, err)
		return
	}
	assets := r.URL.Query().Get("assets") != "false"
	h, root, done, ok := s.resolve(w, r)
	if !ok {
		return
	}
	defer done()
	res := VerifyResult{Faults: []FaultInfo{}}
	add := func(f *walk.Fault) {
		res.Faults = append(res.Faults, FaultInfo{f.Block, f.Height, f.Asset, f.Problem, strings.Join(strings.Fields(f.Error()), " ")})
	}
	for b, err := range h.Walker(root).All(r.Context(), &walk.Options{From: from, To: to, Mode: walk.Report}) {
		var f *walk.Fault
		if errors.As(err, &f) {
			add(f)
			if len(res.Faults) >= 1000 {
				break
			}
			continue
		}
		if err != nil {
			failFor(w, err)
			return
		}
		res.Blocks++
		if !assets {
			continue
		}
		for _, rc := range b.Assets {
			res.Assets++
			if err := h.Assets.Verify(r.Context(), rc.Hash, rc.Length); err != nil {
				problem := "hash mismatch"
				if errors.Is(err, chain.ErrNotFound) {
					problem = "missing"
				} else if !errors.Is(err, chain.ErrTampered) {
					problem = "unreadable"
				}
				add(&walk.Fault{Block: b.ID, Height: b.Height, Asset: rc.Hash, Problem: problem, Err: err})
			}
		}
	}
	reply(w, res)
}
