package httpcapture

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gabriel-vasile/mimetype"

	"github.com/blockhub/blockhub/appender"
	"github.com/blockhub/blockhub/builder"
	"github.com/blockhub/blockhub/chain"
)

// DefaultMaxSize is the body size limit when Options.MaxSize is 0.
const DefaultMaxSize = 32 << 20

// memLimit is the largest body held in memory; larger bodies are spooled
// to a temporary file by the appender.
const memLimit = 1 << 20

// sniffLen is how many leading bytes the content type is sniffed from
// (mimetype's default read limit).
const sniffLen = 3072

// Options tune a Server; nil means the defaults.
type Options struct {
	// Token, when set, must be sent by clients in the X-Token header.
	Token string
	// IP decides which remote addresses may send.
	IP IPRules
	// MIME decides which content types, sniffed from the body, are
	// captured.
	MIME MIMERules
	// MaxSize bounds a body in bytes: 0 means DefaultMaxSize, a negative
	// number no limit.
	MaxSize int64
	// DryRun answers as if capturing but stores nothing.
	DryRun bool
	// ResponseCode replaces 201 in the answer to accepted requests.
	ResponseCode int
	// ResponseBody, when set, is sent to accepted requests instead of the
	// JSON receipt (the receipt's hashes stay in the X-Blockhub-Body and
	// X-Blockhub-Info headers).
	ResponseBody string
	// Chain names the chain in receipts.
	Chain string
	// WaitTimeout bounds how long ?wait=block waits for a block; default
	// one minute.
	WaitTimeout time.Duration
	// ShutdownTimeout bounds how long Serve waits for in-flight requests
	// once its context ends; default 30 seconds.
	ShutdownTimeout time.Duration
	// Sensitive is what to do with bodies that hold sensitive data (see
	// internal/sensitive): "warn" captures them with the findings in the
	// body's meta and logs a warning, "block" refuses them (422, nothing
	// stored), "" or "off" does not scan.
	Sensitive string
	// Journal, when set, makes every 201 durable: the assets are synced
	// and the receipts journaled, in groups, before requests are
	// answered (see Journal). Without it a 201 means stored and queued
	// for the next block, which a crash may lose.
	Journal *Journal
	// ReadTimeout bounds the reading of a whole request, body included
	// (answered 408 when it passes); default DefaultReadTimeout.
	ReadTimeout time.Duration
	// IdleTimeout closes keep-alive connections idle that long; default
	// DefaultIdleTimeout.
	IdleTimeout time.Duration
	// MaxHeaderBytes bounds a request's header; default
	// DefaultMaxHeaderBytes.
	MaxHeaderBytes int
	// OnCapture, when set, is called with the receipt of every accepted
	// request, from the request's goroutine.
	OnCapture func(Receipt)
	Logger    *slog.Logger
}

// Defaults of the connection limits.
const (
	DefaultReadTimeout    = time.Minute
	DefaultIdleTimeout    = 2 * time.Minute
	DefaultMaxHeaderBytes = 64 << 10
)

// Server is an http.Handler that captures every request it accepts.
type Server struct {
	app   *appender.Appender
	crypt chain.Crypt
	opts  Options
	token [32]byte
	log   *slog.Logger
	// commit makes accepted requests durable in groups (Options.Journal).
	commit *groupCommit[*journalEntry]
	// storing counts the answered requests whose assets are being stored
	// behind the answer; behind bounds them (see keep).
	storing sync.WaitGroup
	behind  chan struct{}

	accepted, refused, failed atomic.Int64
}

var _ http.Handler = (*Server)(nil)

// New returns a Server appending with app (nil is allowed with DryRun).
func New(app *appender.Appender, opts *Options) (*Server, error) {
	s := &Server{app: app, crypt: chain.DefaultCrypt}
	if opts != nil {
		s.opts = *opts
	}
	if app != nil {
		s.crypt = app.Crypt()
	} else if !s.opts.DryRun {
		return nil, errors.New("httpcapture: no appender (nil is only allowed with DryRun)")
	}
	if s.opts.MaxSize == 0 {
		s.opts.MaxSize = DefaultMaxSize
	}
	if s.opts.ResponseCode == 0 {
		s.opts.ResponseCode = http.StatusCreated
	}
	if c := s.opts.ResponseCode; c < 200 || c > 299 {
		return nil, fmt.Errorf("httpcapture: response code %d: want a 2xx code", c)
	}
	if s.opts.WaitTimeout == 0 {
		s.opts.WaitTimeout = time.Minute
	}
	if s.opts.ShutdownTimeout == 0 {
		s.opts.ShutdownTimeout = 30 * time.Second
	}
	if s.opts.ReadTimeout == 0 {
		s.opts.ReadTimeout = DefaultReadTimeout
	}
	if s.opts.IdleTimeout == 0 {
		s.opts.IdleTimeout = DefaultIdleTimeout
	}
	if s.opts.MaxHeaderBytes == 0 {
		s.opts.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	switch s.opts.Sensitive {
	case "", "off", "warn", "block":
	default:
		return nil, fmt.Errorf("httpcapture: sensitive %q: want warn, block or off", s.opts.Sensitive)
	}
	s.behind = make(chan struct{}, behindLimit)
	if j := s.opts.Journal; j != nil && !s.opts.DryRun {
		s.commit = newGroupCommit(j.flush)
	}
	s.log = s.opts.Logger
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	// Tokens are compared as digests so that the comparison takes the
	// same time whatever the length of what a client sends.
	s.token = sha256.Sum256([]byte(s.opts.Token))
	return s, nil
}

// Receipt is the answer to an accepted request.
type Receipt struct {
	// Body and Info are the hashes of the body asset and of the request
	// information asset.
	Body   string      `json:"body"`
	Info   string      `json:"info"`
	Crypt  chain.Crypt `json:"crypt"`
	Length int64       `json:"length"`
	// Type is the body's content type, sniffed from its bytes.
	Type   string `json:"type"`
	Chain  string `json:"chain,omitempty"`
	DryRun bool   `json:"dry_run,omitempty"`
	// Block, Height and Index say where the body landed (?wait=block).
	Block  string  `json:"block,omitempty"`
	Height *uint64 `json:"height,omitempty"`
	Index  *int    `json:"index,omitempty"`
}

// Info is the request information asset: everything but the body, which
// it names by hash.
type Info struct {
	Method string `json:"method"`
	Host   string `json:"host,omitempty"`
	Path   string `json:"path"`
	// Query has credentials (token, key, password, ... parameters) left
	// out.
	Query map[string][]string `json:"query,omitempty"`
	// Headers have Authorization, Cookie, X-Token and Proxy-Authorization
	// left out.
	Headers map[string][]string `json:"headers"`
	Remote  string              `json:"remote"`
	Proto   string              `json:"proto"`
	// ContentType is what the client declared; Sniffed what the body is.
	ContentType string    `json:"content_type,omitempty"`
	Sniffed     string    `json:"sniffed"`
	Length      int64     `json:"length"`
	Body        BodyRef   `json:"body"`
	Time        time.Time `json:"time"`
}

// BodyRef names the body asset.
type BodyRef struct {
	Hash  string      `json:"hash"`
	Crypt chain.Crypt `json:"crypt"`
}

// credentialHeaders never reach the chain.
var credentialHeaders = []string{"Authorization", "Cookie", "X-Token", "Proxy-Authorization"}

// credentialParams are query parameters left out of the request info.
var credentialParams = []string{"token", "access_token", "api_key", "apikey", "key", "secret", "password", "passwd", "sig", "signature"}

// Stats counts requests since the server started.
type Stats struct {
	Accepted, Refused, Failed int64
}

// Stats returns the server's counts.
func (s *Server) Stats() Stats {
	return Stats{Accepted: s.accepted.Load(), Refused: s.refused.Load(), Failed: s.failed.Load()}
}

func (s *Server) refuse(w http.ResponseWriter, r *http.Request, code int, reason string) {
	s.refused.Add(1)
	s.log.Debug("refused", "remote", r.RemoteAddr, "path", r.URL.Path, "code", code, "reason", reason)
	http.Error(w, reason, code)
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var sens sensitiveError
	if errors.As(err, &sens) {
		s.refuse(w, r, http.StatusUnprocessableEntity, sens.Error())
		return
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		s.refuse(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("body larger than %d bytes", tooBig.Limit))
		return
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		s.refuse(w, r, http.StatusRequestTimeout, "body not received within the read timeout")
		return
	}
	code := http.StatusInternalServerError
	if errors.Is(err, builder.ErrClosed) {
		code = http.StatusServiceUnavailable
	}
	s.failed.Add(1)
	s.log.Warn("capture failed", "remote", r.RemoteAddr, "path", r.URL.Path, "err", err)
	http.Error(w, "capture failed: "+strings.Join(strings.Fields(err.Error()), " "), code)
}

// ServeHTTP captures one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	remote, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		s.refuse(w, r, http.StatusForbidden, fmt.Sprintf("unknown remote address %q", r.RemoteAddr))
		return
	}
	if ok, why := s.opts.IP.Permit(remote.Addr()); !ok {
		s.refuse(w, r, http.StatusForbidden, why)
		return
	}
	if s.opts.Token != "" {
		got := r.Header.Get("X-Token")
		sum := sha256.Sum256([]byte(got))
		if subtle.ConstantTimeCompare(sum[:], s.token[:]) != 1 {
			why := "wrong X-Token"
			if got == "" {
				why = "missing X-Token"
			}
			s.refuse(w, r, http.StatusUnauthorized, why)
			return
		}
	}
	if limit := s.opts.MaxSize; limit > 0 {
		if r.ContentLength > limit {
			s.refuse(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("body of %d bytes larger than %d bytes", r.ContentLength, limit))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
	}
	var head bytes.Buffer
	_, err = io.CopyN(&head, r.Body, memLimit)
	whole := errors.Is(err, io.EOF)
	if err != nil && !whole {
		s.fail(w, r, err)
		return
	}
	sniff := head.Bytes()
	if len(sniff) > sniffLen {
		sniff = sniff[:sniffLen]
	}
	mime := mimetype.Detect(sniff)
	if ok, why := s.opts.MIME.Permit(mime); !ok {
		s.refuse(w, r, http.StatusForbidden, why)
		return
	}
	typ := baseType(mime.String())
	info := Info{
		Method:      r.Method,
		Host:        r.Host,
		Path:        r.URL.Path,
		Query:       cleanQuery(r),
		Headers:     cleanHeaders(r.Header),
		Remote:      r.RemoteAddr,
		Proto:       r.Proto,
		ContentType: r.Header.Get("Content-Type"),
		Sniffed:     mime.String(),
		Time:        time.Now().UTC(),
	}
	var src io.Reader = io.MultiReader(&head, r.Body)
	var scan *scanReader
	if s.opts.Sensitive == "warn" || s.opts.Sensitive == "block" {
		scan = &scanReader{r: src, block: s.opts.Sensitive == "block"}
		if whole { // held in memory: scanned at once
			scan.scan.Write(head.Bytes())
			if found := scan.scan.Findings(); len(found) > 0 && scan.block {
				s.fail(w, r, sensitiveError{found[0]})
				return
			}
		} else { // scanned as it is spooled
			src = scan
		}
	}
	var body chain.Receipt
	if s.opts.DryRun {
		h := s.crypt.New()
		n, err := io.Copy(h, src)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		body = chain.Receipt{Hash: fmt.Sprintf("%x", h.Sum(nil)), Crypt: s.crypt, Length: n, Type: typ}
	} else {
		switch {
		case whole && s.commit != nil:
			// Logged: the journal makes it durable; stored behind (keep).
			body, err = s.receiptOf(head.Bytes(), typ, nil), nil
		case whole:
			body, _, err = s.app.Store(r.Context(), appender.Chunk{Data: head.Bytes(), Type: typ})
		default:
			body, _, err = s.app.StoreReader(r.Context(), src, typ, nil)
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
	}
	info.Length = body.Length
	info.Body = BodyRef{Hash: body.Hash, Crypt: s.crypt}
	doc, err := json.Marshal(info)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rc := Receipt{Body: body.Hash, Crypt: s.crypt, Length: body.Length, Type: typ, Chain: s.opts.Chain, DryRun: s.opts.DryRun}
	if s.opts.DryRun {
		rc.Info = s.crypt.Sum(doc)
	} else {
		meta, _ := json.Marshal(map[string]any{"source": "http", "role": "request", "body": body.Hash})
		var ir chain.Receipt
		if whole && s.commit != nil {
			ir = s.receiptOf(doc, "application/json", meta)
		} else if ir, _, err = s.app.Store(r.Context(), appender.Chunk{Data: doc, Type: "application/json", Meta: meta}); err != nil {
			s.fail(w, r, err)
			return
		}
		rc.Info = ir.Hash
		// The body's receipt names its request document, so that each
		// request's two receipts are its own (see receiptKey).
		bm := map[string]any{"source": "http", "role": "body", "method": r.Method, "path": r.URL.Path, "info": ir.Hash}
		if scan != nil {
			if found := scan.scan.Findings(); len(found) > 0 {
				bm["sensitive"] = found
				s.log.Warn("body holds sensitive data; captured (--sensitive=warn)", "remote", r.RemoteAddr, "path", r.URL.Path, "kind", found[0].Kind, "line", found[0].Line)
			}
		}
		body.Meta, _ = json.Marshal(bm)
		var data []byte
		if whole {
			data = head.Bytes()
		}
		linked, err := s.keep(body, ir, data, doc)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if r.URL.Query().Get("wait") == "block" {
			l, err := s.waitLinked(r.Context(), linked)
			if err != nil {
				s.fail(w, r, fmt.Errorf("captured %s but not yet linked: %w", rc.Body, err))
				return
			}
			rc.Block, rc.Height, rc.Index = l.Block, &l.Height, &l.Index
		}
	}
	s.accepted.Add(1)
	if s.opts.OnCapture != nil {
		s.opts.OnCapture(rc)
	}
	w.Header().Set("X-Blockhub-Body", rc.Body)
	w.Header().Set("X-Blockhub-Info", rc.Info)
	if s.opts.ResponseBody != "" {
		w.Header().Set("Content-Type", baseType(http.DetectContentType([]byte(s.opts.ResponseBody))))
		w.WriteHeader(s.opts.ResponseCode)
		io.WriteString(w, s.opts.ResponseBody)
		return
	}
	out, _ := json.Marshal(rc)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(s.opts.ResponseCode)
	w.Write(append(out, '\n'))
}

// receiptOf is the receipt of data as the appender would make it.
func (s *Server) receiptOf(data []byte, typ string, meta json.RawMessage) chain.Receipt {
	return chain.Receipt{Hash: s.crypt.Sum(data), Crypt: s.crypt, Length: int64(len(data)), Type: typ, Meta: meta}
}

// behindLimit bounds the requests answered whose assets are still being
// stored behind the answer (see keep); past it, answers wait.
const behindLimit = 256

// keep makes a request durable and gets it onto the chain; the channel
// it returns receives where the body landed once both receipts are
// linked.
//
// With a journal and a body held in memory (bodyData set), the record
// holds both assets' bytes: one group commit (one fsync with every
// request in flight) makes the request durable, and the assets are
// stored and their receipts queued behind the answer, as a database
// writes its tables behind its log. Otherwise the assets are already
// stored: the group commit syncs the asset store and journals the
// receipts (with a journal), then the receipts are queued.
func (s *Server) keep(body, info chain.Receipt, bodyData, infoData []byte) (<-chan builder.Linked, error) {
	if s.commit == nil {
		return s.queue(nil, body, info)
	}
	inline := bodyData != nil
	rec := journalRecord{Body: body, Info: info}
	if inline {
		rec.BodyData, rec.InfoData = bodyData, infoData
	}
	line, err := json.Marshal(rec)
	if err != nil {
		return nil, err
	}
	e := &journalEntry{line: append(line, '\n'), syncAssets: !inline}
	if err := s.commit.Commit(e); err != nil {
		return nil, fmt.Errorf("make durable: %w", err)
	}
	if !inline {
		return s.queue(e.seg, body, info)
	}
	out := make(chan builder.Linked, 1)
	s.behind <- struct{}{}
	s.storing.Add(1)
	go func() {
		linked, err := s.storeBehind(e.seg, body, info, bodyData, infoData)
		s.storing.Done()
		<-s.behind
		if err != nil {
			// The record stays in the journal: the next start stores
			// and links it.
			s.log.Warn("storing an acknowledged request failed; the next start links it from the journal", "body", body.Hash, "err", err)
			out <- builder.Linked{Err: err}
			return
		}
		out <- <-linked
	}()
	return out, nil
}

// storeBehind stores a journaled request's assets and queues its receipts.
func (s *Server) storeBehind(seg *segment, body, info chain.Receipt, bodyData, infoData []byte) (<-chan builder.Linked, error) {
	ctx := context.Background()
	if _, _, err := s.app.Store(ctx, appender.Chunk{Data: bodyData, Type: body.Type}); err != nil {
		return nil, err
	}
	if _, _, err := s.app.Store(ctx, appender.Chunk{Data: infoData, Type: info.Type}); err != nil {
		return nil, err
	}
	return s.queue(seg, body, info)
}

// queue queues a request's two receipts; the channel receives where the
// body landed once both are linked (and then its journal record is done).
func (s *Server) queue(seg *segment, body, info chain.Receipt) (<-chan builder.Linked, error) {
	bch, err := s.app.Queue(body)
	if err != nil {
		return nil, err
	}
	ich, err := s.app.Queue(info)
	if err != nil {
		return nil, err
	}
	if seg != nil {
		return s.opts.Journal.watch(seg, bch, ich), nil
	}
	out := make(chan builder.Linked, 1)
	go func() {
		b, i := <-bch, <-ich
		if b.Err == nil && i.Err != nil {
			b = i
		}
		out <- b
	}()
	return out, nil
}

// waitLinked waits until both assets are linked and returns where the
// first (the body) landed.
func (s *Server) waitLinked(ctx context.Context, linked <-chan builder.Linked) (builder.Linked, error) {
	timer := time.NewTimer(s.opts.WaitTimeout)
	defer timer.Stop()
	select {
	case l := <-linked:
		return l, l.Err
	case <-timer.C:
		return builder.Linked{}, fmt.Errorf("no block within %s", s.opts.WaitTimeout)
	case <-ctx.Done():
		return builder.Linked{}, ctx.Err()
	}
}

func cleanHeaders(h http.Header) map[string][]string {
	out := h.Clone()
	for _, k := range credentialHeaders {
		out.Del(k)
	}
	return out
}

func cleanQuery(r *http.Request) map[string][]string {
	q := r.URL.Query()
	if len(q) == 0 {
		return nil
	}
	for k := range q {
		for _, c := range credentialParams {
			if strings.EqualFold(k, c) {
				delete(q, k)
			}
		}
	}
	return q
}

// Serve answers on ln until ctx ends, then stops accepting connections,
// waits for the requests in flight (at most Options.ShutdownTimeout) and
// returns. The caller then closes the writer to link what was accepted.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: min(10*time.Second, s.opts.ReadTimeout),
		ReadTimeout:       s.opts.ReadTimeout,
		IdleTimeout:       s.opts.IdleTimeout,
		MaxHeaderBytes:    s.opts.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	if s.commit != nil {
		defer s.commit.Close() // after Shutdown: no request commits any more
	}
	// Requests answered are stored and queued before Serve returns, so
	// that closing the writer then links them.
	defer s.storing.Wait()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("httpcapture: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.opts.ShutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if e := <-errc; !errors.Is(e, http.ErrServerClosed) && err == nil {
		err = e
	}
	if err != nil {
		return fmt.Errorf("httpcapture: stop: %w", err)
	}
	return nil
}
