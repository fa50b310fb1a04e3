package ui

import (
	"context"
	"crypto/subtle"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strings"

	"github.com/blockhub/blockhub"
)

//go:embed static
var static embed.FS

// Options configure a Server; nil means defaults.
type Options struct {
	// Token, when set, must come with every request (see the package doc).
	Token string
	// Config is how the server opened its own stores; a request naming
	// other stores opens them with the same Home and cluster policy.
	Config blockhub.Config
	Logger *slog.Logger
}

// Server serves the API and the page over one hub.
type Server struct {
	hub   *blockhub.Hub
	opts  Options
	log   *slog.Logger
	mux   *http.ServeMux
	files http.Handler
}

// TokenCookie is the cookie the login form sets.
const TokenCookie = "bh_token"

// New returns a Server over h (which the caller closes, after the server).
func New(h *blockhub.Hub, opts *Options) *Server {
	s := &Server{hub: h}
	if opts != nil {
		s.opts = *opts
	}
	s.log = s.opts.Logger
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	sub, _ := fs.Sub(static, "static")
	s.files = http.FileServerFS(sub)
	m := http.NewServeMux()
	for _, rt := range routes {
		m.HandleFunc(rt.pattern, func(w http.ResponseWriter, r *http.Request) { rt.handle(s, w, r) })
	}
	m.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			fail(w, http.StatusMethodNotAllowed, errors.New("the API is read-only: GET only"))
			return
		}
		fail(w, http.StatusNotFound, fmt.Errorf("no such API path: %s", r.URL.Path))
	})
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		s.files.ServeHTTP(w, r)
	})
	s.mux = m
	return s
}

// routes are the server's own routes, each documented in
// docs/api.openapi.yaml (a test holds the two together); the page's files
// and the answers to unknown /api/ paths come on top.
var routes = []struct {
	pattern string
	handle  func(*Server, http.ResponseWriter, *http.Request)
}{
	{"GET /api/chains", (*Server).chains},
	{"GET /api/chains/{chain}", (*Server).chainInfo},
	{"GET /api/chains/{chain}/blocks", (*Server).blocks},
	{"GET /api/chains/{chain}/tail", (*Server).tail},
	{"GET /api/chains/{chain}/live", (*Server).live},
	{"GET /api/chains/{chain}/query", (*Server).query},
	{"GET /api/chains/{chain}/verify", (*Server).verify},
	{"GET /api/blocks/{id}", (*Server).block},
	{"GET /api/blocks/{id}/assets/{index}", (*Server).asset},
	{"GET /login", (*Server).loginForm},
	{"POST /login", (*Server).login},
}

// Routes returns the patterns the server handles, as http.ServeMux reads
// them ("GET /api/chains/{chain}/blocks"); docs/api.openapi.yaml
// documents each one.
func Routes() []string {
	out := make([]string, len(routes))
	for i, rt := range routes {
		out[i] = rt.pattern
	}
	return out
}

// ServeHTTP checks the request's origin and token, then serves it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("X-Frame-Options", "DENY")
	if !strings.HasPrefix(r.URL.Path, "/api/blocks/") || !strings.Contains(r.URL.Path, "/assets/") {
		w.Header().Set("Content-Security-Policy", pageCSP)
	}
	if s.opts.Token == "" && !loopbackHost(r.Host) {
		// Without a token only loopback may call, and only by a loopback
		// name: a page elsewhere that rebinds its DNS name to 127.0.0.1
		// still sends its own name as Host.
		fail(w, http.StatusForbidden, errors.New("host not allowed: without --token the console answers only to 127.0.0.1, [::1] or localhost"))
		return
	}
	if s.opts.Token != "" && !public[r.URL.Path] && !s.authorized(r) {
		if strings.HasPrefix(r.URL.Path, "/api/") {
			w.Header().Set("WWW-Authenticate", `Bearer realm="bhctl"`)
			fail(w, http.StatusUnauthorized, errors.New("token required"))
			return
		}
		if r.URL.Path == "/" || r.URL.Path == "/index.html" {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		http.Error(w, "token required", http.StatusUnauthorized)
		return
	}
	s.mux.ServeHTTP(w, r)
}

// public are the paths served without the token: the login form and what
// it shows (its stylesheet and icon, which hold nothing of the stores).
var public = map[string]bool{"/login": true, "/app.css": true, "/favicon.svg": true}

// pageCSP keeps the page to its own scripts and styles; fetched images are
// shown from blob: URLs.
const pageCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"

// assetCSP is sent with an asset's bytes: opened directly, a captured
// HTML page runs no script and reaches nothing, in a sandbox with an
// opaque origin (so not the console's).
const assetCSP = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; frame-ancestors 'none'"

func (s *Server) authorized(r *http.Request) bool {
	var got string
	if a, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		got = a
	} else if t := r.Header.Get("X-Token"); t != "" {
		got = t
	} else if c, err := r.Cookie(TokenCookie); err == nil {
		got = c.Value
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(s.opts.Token)) == 1
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	fmt.Fprint(w, loginPage)
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	if s.opts.Token == "" {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4096)
	t := r.PostFormValue("token")
	if subtle.ConstantTimeCompare([]byte(t), []byte(s.opts.Token)) != 1 {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, strings.Replace(loginPage, "<!--msg-->", `<p class="bad">Wrong token.</p>`, 1))
		return
	}
	http.SetCookie(w, &http.Cookie{Name: TokenCookie, Value: t, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

const loginPage = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>BlockHub console: log in</title><link rel="icon" href="/favicon.svg" type="image/svg+xml"><link rel="stylesheet" href="/app.css"></head>
<body class="login"><main><h1><img src="/favicon.svg" alt="" width="28" height="28"> BlockHub console</h1><!--msg-->
<form method="post" action="/login"><input type="text" name="username" value="bhctl" autocomplete="username" hidden><label for="token">Token</label>
<input id="token" name="token" type="password" autocomplete="current-password" autofocus required>
<button type="submit">Log in</button></form></main></body></html>`

func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// CheckAddr refuses to listen beyond loopback without a token.
func CheckAddr(addr, token string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--addr %q: want host:port: %v", addr, err)
	}
	if token != "" {
		return nil
	}
	if host == "" || !loopbackHost(host) {
		return fmt.Errorf("--addr %s is not a loopback address: give --token (or BH_UI_TOKEN) to listen beyond 127.0.0.1", addr)
	}
	return nil
}

// hubFor returns the hub a request reads: the server's own, or the
// stores the request names (opened for it alone; the caller closes them
// with done).
func (s *Server) hubFor(r *http.Request) (h *blockhub.Hub, done func(), err error) {
	bs := splitList(r.Header.Get("X-Block-Store"))
	as := splitList(r.Header.Get("X-Asset-Store"))
	if len(bs) == 0 && len(as) == 0 {
		return s.hub, func() {}, nil
	}
	cfg := s.opts.Config
	cfg.Logger = slog.New(slog.DiscardHandler) // the URLs may carry passwords
	if len(bs) > 0 {
		cfg.BlockStore = bs
	}
	if len(as) > 0 {
		cfg.AssetStore = as
	}
	h, err = blockhub.Open(r.Context(), cfg)
	if err != nil {
		return nil, nil, err
	}
	return h, func() { h.Close() }, nil
}

func splitList(s string) []string {
	var out []string
	for _, u := range strings.Split(s, ",") {
		if u = strings.TrimSpace(u); u != "" {
			out = append(out, u)
		}
	}
	return out
}

var _ http.Handler = (*Server)(nil)

// Serve listens on l until ctx ends.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10e9, BaseContext: func(net.Listener) context.Context { return ctx }}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	err := srv.Serve(l)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}
