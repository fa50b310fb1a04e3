package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v5"

	"github.com/blockhub/blockhub/connectors"
)

// Name is the connector's registered name.
const Name = "api"

func init() {
	connectors.Register(connectors.Spec{
		Name:      Name,
		Usage:     "capture a dated API, one request (and one asset) per time window",
		ArgsUsage: "URL-TEMPLATE",
		Help: "URL-TEMPLATE holds {from} and {to} (the window's bounds, to exclusive) and may hold\n" +
			"{last} (the window's last second, for APIs whose end is inclusive); each is\n" +
			"written with --time-format. One request per window from --from-ts to --to-ts\n" +
			"(default now); only windows that have ended are fetched, whole: the window now\n" +
			"falls in is left for a later run, and a window an explicit --to-ts cuts is\n" +
			"fetched up to it and marked partial (a later run fetches it whole). Months\n" +
			"step by calendar month from --from-ts (Jan 31, Feb 28, Mar 31, ...). Each\n" +
			"response is one asset with meta window [from, to], url (credentials removed)\n" +
			"and status.\n" +
			"--prevent-dups skips the windows already on the chain, so a cron job fills only\n" +
			"the gaps; --every keeps running and fetches new windows as they end, and\n" +
			"always skips the windows on the chain (no --prevent-dups needed), so a restart\n" +
			"fetches only what is missing; a second --every run of the same URL-TEMPLATE\n" +
			"on the chain captures nothing, says so and exits 0. 5xx, 429 and network\n" +
			"errors are retried with backoff (Retry-After honoured); a window that keeps\n" +
			"failing is reported, the run goes on and ends with an error.",
		Options: []connectors.Option{
			{Name: "from-ts", Kind: connectors.String, Required: true, Help: "start of the first window: 2026-01-01, 2026-01-01T10:00:00Z"},
			{Name: "to-ts", Kind: connectors.String, Default: "now", Help: "end of the last window (exclusive): a date, a time, now or today"},
			{Name: "window", Kind: connectors.String, Default: "day", Help: "window size: hour, day, week or month"},
			{Name: "start-at", Kind: connectors.Int, Help: "skip the first N windows"},
			{Name: "time-format", Kind: connectors.String, Default: "2006-01-02", Help: "how {from} and {to} are written: a Go time layout, unix or unixms"},
			{Name: "header", Kind: connectors.List, Secret: true, Help: "request header 'Name: value' (repeatable; never recorded)"},
			{Name: "every", Kind: connectors.Duration, Help: "keep running, looking for newly ended windows this often (e.g. 1h); skips the windows on the chain"},
			{Name: "retries", Kind: connectors.Int, Default: "5", Help: "attempts per window before it is reported as failed"},
			{Name: "timeout", Kind: connectors.Duration, Default: "1m", Help: "time limit of one request"},
		},
		Examples: []string{
			"bhctl import api 'https://host/report?from={from}&to={to}' --from-ts 2026-01-01 --to-ts 2026-03-01 --window week",
			"bhctl import api 'https://host/report?day={from}' --from-ts 2026-01-01 --header 'Authorization: Bearer $TOKEN' --every 1h",
		},
		New: newFromValues,
	})
}

// Config is a dated-API capture.
type Config struct {
	// URL is the template, with {from}, {to} and optionally {last}.
	URL      string
	From, To time.Time
	// ToNow, when set, makes To the current time at each pass (--to-ts now).
	ToNow bool
	// Window is hour, day (default), week or month.
	Window string
	// StartAt skips the first windows.
	StartAt int
	// TimeFormat is a Go layout, unix or unixms; default 2006-01-02.
	TimeFormat string
	Header     http.Header
	// Every, when set, keeps the source running until its context ends.
	Every time.Duration
	// Retries is the attempts per window; default 5.
	Retries int
	// Timeout bounds one request; default one minute.
	Timeout time.Duration
	// Exclude names JSON fields dropped from the responses.
	Exclude []string
	// Client sends the requests; default a client with Timeout.
	Client *http.Client
	// Backoff is the first retry interval; default 500ms.
	Backoff time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// Source captures a dated API.
type Source struct{ c Config }

var (
	_ connectors.Source  = (*Source)(nil)
	_ connectors.Resumer = (*Source)(nil)
)

// New checks c and returns its source.
func New(c Config) (*Source, error) {
	if c.Window == "" {
		c.Window = "day"
	}
	if err := CheckWindow(c.Window); err != nil {
		return nil, err
	}
	if !strings.Contains(c.URL, "{from}") {
		return nil, fmt.Errorf("api: URL template %q: want {from} (and usually {to}) in it", Redact(c.URL))
	}
	u, err := url.Parse(strings.NewReplacer("{from}", "x", "{to}", "x", "{last}", "x").Replace(c.URL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("api: URL template %q: want an http or https URL", Redact(c.URL))
	}
	if !c.ToNow && !c.To.After(c.From) {
		return nil, fmt.Errorf("api: --to-ts %s is not after --from-ts %s", c.To.Format(time.RFC3339), c.From.Format(time.RFC3339))
	}
	if c.StartAt < 0 {
		return nil, fmt.Errorf("api: --start-at %d: want 0 or more", c.StartAt)
	}
	if c.TimeFormat == "" {
		c.TimeFormat = "2006-01-02"
	}
	if c.Retries <= 0 {
		c.Retries = 5
	}
	if c.Timeout <= 0 {
		c.Timeout = time.Minute
	}
	if c.Client == nil {
		c.Client = &http.Client{Timeout: c.Timeout}
	}
	if c.Backoff <= 0 {
		c.Backoff = 500 * time.Millisecond
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Every < 0 {
		return nil, fmt.Errorf("api: --every %s: want a positive duration", c.Every)
	}
	return &Source{c: c}, nil
}

func newFromValues(args []string, v connectors.Values, common connectors.Common) (connectors.Source, error) {
	if len(args) != 1 {
		return nil, connectors.Usagef("import api: want one URL template, such as 'https://host/report?from={from}&to={to}'")
	}
	if common.Format != "" {
		return nil, connectors.Usagef("import api: --format: responses are kept as the API sends them")
	}
	now := time.Now()
	c := Config{URL: args[0], Window: v.String("window"), TimeFormat: v.String("time-format"), Exclude: common.Exclude, Header: http.Header{}}
	var err error
	if c.From, err = ParseTime("from-ts", v.String("from-ts"), now); err != nil {
		return nil, &connectors.UsageError{Err: err}
	}
	switch to := v.String("to-ts"); strings.ToLower(strings.TrimSpace(to)) {
	case "", "now":
		c.ToNow = true
	default:
		if c.To, err = ParseTime("to-ts", to, now); err != nil {
			return nil, &connectors.UsageError{Err: err}
		}
	}
	for _, h := range v["header"] {
		k, val, ok := strings.Cut(h, ":")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, connectors.Usagef("--header %q: want 'Name: value'", strings.TrimSpace(k)+": ...")
		}
		c.Header.Add(strings.TrimSpace(k), strings.TrimSpace(val))
	}
	if c.StartAt, err = v.Int("start-at"); err != nil {
		return nil, &connectors.UsageError{Err: err}
	}
	if c.Retries, err = v.Int("retries"); err != nil {
		return nil, &connectors.UsageError{Err: err}
	}
	if c.Every, err = v.Duration("every"); err != nil {
		return nil, &connectors.UsageError{Err: err}
	}
	if c.Timeout, err = v.Duration("timeout"); err != nil {
		return nil, &connectors.UsageError{Err: err}
	}
	s, err := New(c)
	if err != nil {
		return nil, &connectors.UsageError{Err: err}
	}
	return s, nil
}

// Resumes implements connectors.Resumer: a run with Every is handed the
// chain's State with or without --prevent-dups, so each pass and each
// restart skip the windows on the chain (State.Last of their keys), and
// one such run at a time serves a URL template on a chain.
func (s *Source) Resumes() string {
	if s.c.Every == 0 {
		return ""
	}
	return "api:" + Redact(s.c.URL)
}

// Key is the source key of the whole window starting at from.
func (s *Source) Key(from time.Time) string {
	return "api:" + Redact(s.c.URL) + "#" + from.UTC().Format(time.RFC3339)
}

// WindowKey is the source key of w: Key of its start for a whole window;
// for a Partial one, cut short by --to-ts, its start and end
// ("#from/to"), so that the whole window, fetched by a later run with a
// later --to-ts, is not taken as captured already.
func (s *Source) WindowKey(w Window) string {
	if !w.Partial {
		return s.Key(w.From)
	}
	return s.Key(w.From) + "/" + w.To.UTC().Format(time.RFC3339)
}

// URL returns the request URL of window w.
func (s *Source) URL(w Window) string {
	last := w.To.Add(-time.Second)
	if s.c.TimeFormat == "unixms" {
		last = w.To.Add(-time.Millisecond)
	}
	return strings.NewReplacer(
		"{from}", url.QueryEscape(Format(w.From, s.c.TimeFormat)),
		"{to}", url.QueryEscape(Format(w.To, s.c.TimeFormat)),
		"{last}", url.QueryEscape(Format(last, s.c.TimeFormat)),
	).Replace(s.c.URL)
}

// Chunks yields one chunk per window that has ended, skipping those st
// says are on the chain; with Every it keeps looking for new windows until
// ctx ends. Failed windows are noted as they fail and listed in the error
// that ends the run.
func (s *Source) Chunks(ctx context.Context, st connectors.State) iter.Seq2[connectors.Chunk, error] {
	return func(yield func(connectors.Chunk, error) bool) {
		done := map[string]bool{} // windows captured by this process
		for {
			failed, ok := s.pass(ctx, st, done, yield)
			if !ok {
				return
			}
			if s.c.Every == 0 || ctx.Err() != nil {
				if err := ctx.Err(); err != nil && s.c.Every == 0 {
					yield(connectors.Chunk{}, fmt.Errorf("api: %w", err))
					return
				}
				if len(failed) > 0 {
					yield(connectors.Chunk{}, fmt.Errorf("api: %d window(s) failed: %s", len(failed), strings.Join(failed, "; ")))
				}
				return
			}
			t := time.NewTimer(s.c.Every)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
		}
	}
}

// pass fetches every window not yet captured; it returns the failures and
// false when yield asked to stop.
func (s *Source) pass(ctx context.Context, st connectors.State, done map[string]bool, yield func(connectors.Chunk, error) bool) ([]string, bool) {
	now := s.c.Now().UTC()
	to := s.c.To
	if s.c.ToNow {
		to = now
	}
	var failed []string
	skipped := 0
	for _, w := range Windows(s.c.From, to, s.c.Window) {
		if w.Index < s.c.StartAt {
			continue
		}
		// A window is fetched once it has ended. With --to-ts now the
		// last window is cut at now: it has not ended (its key would
		// mark the whole window captured, and the rest of it would
		// never be fetched).
		if w.To.After(now) || (w.Partial && s.c.ToNow) {
			if st != nil && s.c.Every == 0 {
				whole := Window{From: w.From, To: start(s.c.From, s.c.Window, w.Index+1)}
				st.Note("api: window %s has not ended; left for a later run", span(whole, s.c.TimeFormat))
			}
			break
		}
		key := s.WindowKey(w)
		if done[key] {
			continue
		}
		if st != nil {
			if _, ok := st.Last(key); ok {
				done[key] = true
				skipped++
				continue
			}
		}
		if ctx.Err() != nil {
			return failed, true
		}
		c, err := s.fetch(ctx, w)
		if err != nil {
			if ctx.Err() != nil {
				return failed, true
			}
			msg := fmt.Sprintf("window %s: %v", span(w, s.c.TimeFormat), err)
			failed = append(failed, msg)
			if st != nil {
				st.Note("api: %s (the run goes on)", msg)
			}
			continue
		}
		done[key] = true
		if !yield(c, nil) {
			return failed, false
		}
	}
	if st != nil && skipped > 0 {
		st.Note("api: %d window(s) already on the chain, skipped", skipped)
	}
	return failed, true
}

func span(w Window, layout string) string {
	return "[" + Format(w.From, layout) + ", " + Format(w.To, layout) + ")"
}

// statusError is an answer other than 2xx.
type statusError struct {
	code  int
	body  string
	after time.Duration // Retry-After
}

func (e *statusError) Error() string {
	s := fmt.Sprintf("status %d %s", e.code, http.StatusText(e.code))
	if e.body != "" {
		s += ": " + e.body
	}
	return s
}

// Unwrap lets backoff.Retry find the server's Retry-After.
func (e *statusError) Unwrap() error {
	if e.after > 0 {
		return &backoff.RetryAfterError{Duration: e.after}
	}
	return nil
}

// maxRetryAfter caps how long a server may make a window wait.
const maxRetryAfter = 5 * time.Minute

// fetch gets one window's response, retrying what may pass.
func (s *Source) fetch(ctx context.Context, w Window) (connectors.Chunk, error) {
	u := s.URL(w)
	type answer struct {
		status int
		typ    string
		body   []byte
	}
	attempt := func() (answer, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return answer{}, backoff.Permanent(err)
		}
		for k, v := range s.c.Header {
			req.Header[k] = v
		}
		resp, err := s.c.Client.Do(req)
		if err != nil {
			// Network errors may pass; the URL is left out of the message,
			// it may hold credentials.
			var ue *url.Error
			if errors.As(err, &ue) {
				err = ue.Err
			}
			return answer{}, err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			return answer{}, fmt.Errorf("read response: %w", err)
		}
		if resp.StatusCode/100 == 2 {
			return answer{resp.StatusCode, resp.Header.Get("Content-Type"), body}, nil
		}
		se := &statusError{code: resp.StatusCode, body: firstLine(body)}
		if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 {
			se.after = retryAfter(resp.Header.Get("Retry-After"), s.c.Now())
			return answer{}, se
		}
		return answer{}, backoff.Permanent(se)
	}
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = s.c.Backoff
	a, err := backoff.Retry(ctx, attempt,
		backoff.WithBackOff(b),
		backoff.WithMaxTries(uint(s.c.Retries)),
		backoff.WithMaxElapsedTime(0))
	if err != nil {
		return connectors.Chunk{}, err
	}
	data, typ := a.body, contentType(a.typ, a.body)
	if len(s.c.Exclude) > 0 && typ == "application/json" {
		if data, err = excludeJSON(a.body, s.c.Exclude); err != nil {
			return connectors.Chunk{}, fmt.Errorf("--exclude: %w", err)
		}
	}
	c := connectors.Chunk{
		Data: data,
		Type: typ,
		Key:  s.WindowKey(w),
		Meta: map[string]any{
			"window": []string{Format(w.From, s.c.TimeFormat), Format(w.To, s.c.TimeFormat)},
			"size":   s.c.Window,
			"index":  w.Index,
			"url":    Redact(u),
			"status": a.status,
		},
		Records: 1,
	}
	if w.Partial {
		c.Meta["partial"] = true
	}
	return c, nil
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(h string, now time.Time) time.Duration {
	if h == "" {
		return 0
	}
	var d time.Duration
	if n, err := strconv.Atoi(strings.TrimSpace(h)); err == nil && n >= 0 {
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(h); err == nil {
		d = t.Sub(now)
	}
	return max(0, min(d, maxRetryAfter))
}

func contentType(header string, body []byte) string {
	if t, _, err := mime.ParseMediaType(header); err == nil && t != "" {
		return t
	}
	t, _, _ := mime.ParseMediaType(http.DetectContentType(body))
	return t
}

func firstLine(b []byte) string {
	s, _, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
	if len(s) > 120 {
		s = s[:120] + "..."
	}
	return s
}

// secretParams are query parameters whose values never leave the process.
var secretParams = []string{"token", "access_token", "api_key", "apikey", "key", "secret", "password", "passwd", "sig", "signature", "client_secret", "auth"}

// Redact removes credentials from a URL (or URL template): the password of
// its user info and the values of query parameters that hold secrets.
func Redact(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return raw
	}
	hostEnd := strings.IndexAny(rest, "/?#")
	if hostEnd < 0 {
		hostEnd = len(rest)
	}
	if at := strings.LastIndex(rest[:hostEnd], "@"); at >= 0 {
		user, _, _ := strings.Cut(rest[:at], ":")
		rest = user + ":xxxxx" + rest[at:]
	}
	base, query, hasQuery := strings.Cut(rest, "?")
	if !hasQuery {
		return scheme + "://" + rest
	}
	query, frag, hasFrag := strings.Cut(query, "#")
	parts := strings.Split(query, "&")
	for i, p := range parts {
		k, _, _ := strings.Cut(p, "=")
		name, err := url.QueryUnescape(k)
		if err != nil {
			name = k
		}
		for _, sp := range secretParams {
			if strings.EqualFold(name, sp) {
				parts[i] = k + "=xxxxx"
			}
		}
	}
	out := scheme + "://" + base + "?" + strings.Join(parts, "&")
	if hasFrag {
		out += "#" + frag
	}
	return out
}

// excludeJSON drops the named fields from every object of a JSON
// document, at any depth; numbers are kept as written.
func excludeJSON(data []byte, exclude []string) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	drop := map[string]bool{}
	for _, e := range exclude {
		drop[e] = true
	}
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, vv := range x {
				if drop[k] {
					delete(x, k)
					continue
				}
				walk(vv)
			}
		case []any:
			for _, vv := range x {
				walk(vv)
			}
		}
	}
	walk(v)
	return json.Marshal(v)
}
