package ui_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/blockhub/blockhub/ui"
)

func TestCheckAddr(t *testing.T) {
	tests := []struct {
		addr, token string
		ok          bool
	}{
		{"127.0.0.1:8484", "", true},
		{"127.0.0.1:0", "", true},
		{"[::1]:8484", "", true},
		{"localhost:8484", "", true},
		{"0.0.0.0:8484", "", false},
		{":8484", "", false},
		{"[::]:8484", "", false},
		{"192.168.1.10:8484", "", false},
		{"0.0.0.0:8484", "secret", true},
		{"no-port", "", false},
	}
	for _, tt := range tests {
		err := ui.CheckAddr(tt.addr, tt.token)
		if (err == nil) != tt.ok {
			t.Errorf("CheckAddr(%q, token %v) = %v; want ok %v", tt.addr, tt.token != "", err, tt.ok)
		}
	}
}

// TestTokenRefusesEveryCall: with a token, no API path answers without it,
// and each answers with it in a header or the login form's cookie.
func TestTokenRefusesEveryCall(t *testing.T) {
	f := newFixture(t, t.TempDir())
	srv := httptest.NewServer(ui.New(f.h, &ui.Options{Token: "s3cret-token"}))
	defer srv.Close()
	name := mustName(t, f.root)
	paths := []string{
		"/api/chains", "/api/chains/" + name, "/api/chains/" + name + "/blocks", "/api/chains/" + name + "/tail",
		"/api/chains/" + name + "/live", "/api/chains/" + name + "/query?expr=true", "/api/chains/" + name + "/verify",
		"/api/blocks/" + f.root.ID, "/api/blocks/" + f.root.ID + "/assets/0", "/api/nothing",
	}
	do := func(c *http.Client, p string, hdr ...string) (int, string) {
		req, _ := http.NewRequest("GET", srv.URL+p, nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if strings.HasSuffix(p, "/live") {
			return resp.StatusCode, ""
		}
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, p := range paths {
		for _, hdr := range [][]string{nil, {"X-Token", "wrong"}, {"Authorization", "Bearer wrong"}, {"Cookie", ui.TokenCookie + "=wrong"}} {
			if code, body := do(http.DefaultClient, p, hdr...); code != http.StatusUnauthorized {
				t.Errorf("GET %s with %v = %d %s; want 401", p, hdr, code, body)
			}
		}
	}
	// The page itself sends a visitor without the token to the login form.
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if code, _ := do(noRedirect, "/"); code != http.StatusSeeOther {
		t.Errorf("GET / without token = %d; want 303 to /login", code)
	}
	for _, p := range []string{"/app.js", "/hash.js", "/index.html"} {
		if code, _ := do(noRedirect, p); code != http.StatusUnauthorized && code != http.StatusSeeOther {
			t.Errorf("GET %s without token = %d; want 401 (or 303 to /login)", p, code)
		}
	}
	// What the login form itself shows is public: its stylesheet and icon.
	for _, p := range []string{"/login", "/app.css", "/favicon.svg"} {
		if code, _ := do(noRedirect, p); code != 200 {
			t.Errorf("GET %s without token = %d; want 200 (the login form needs it)", p, code)
		}
	}
	for _, p := range paths[:3] {
		if code, body := do(http.DefaultClient, p, "Authorization", "Bearer s3cret-token"); code != 200 {
			t.Errorf("GET %s with Bearer = %d %s", p, code, body)
		}
		if code, body := do(http.DefaultClient, p, "X-Token", "s3cret-token"); code != 200 {
			t.Errorf("GET %s with X-Token = %d %s", p, code, body)
		}
	}
	// The login form: a wrong token sets nothing, the right one a cookie
	// that the API then takes.
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.PostForm(srv.URL+"/login", url.Values{"token": {"wrong"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("login with a wrong token = %d", resp.StatusCode)
	}
	if code, _ := do(c, "/api/chains"); code != http.StatusUnauthorized {
		t.Errorf("after a failed login /api/chains = %d", code)
	}
	resp, err = c.PostForm(srv.URL+"/login", url.Values{"token": {"s3cret-token"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 { // redirected to the page
		t.Errorf("login = %d", resp.StatusCode)
	}
	for _, p := range paths[:3] {
		if code, body := do(c, p); code != 200 {
			t.Errorf("GET %s with the login cookie = %d %s", p, code, body)
		}
	}
	u, _ := url.Parse(srv.URL)
	for _, ck := range jar.Cookies(u) {
		if ck.Name == ui.TokenCookie && ck.Value == "s3cret-token" {
			return
		}
	}
	t.Errorf("no %s cookie after login", ui.TokenCookie)
}

// TestLoopbackHostOnly: without a token, a request naming another host
// (a page elsewhere whose name was rebound to 127.0.0.1) is refused.
func TestLoopbackHostOnly(t *testing.T) {
	f := newFixture(t, t.TempDir())
	for _, host := range []string{"evil.example", "evil.example:8484", "10.0.0.1:8484"} {
		req, _ := http.NewRequest("GET", f.srv.URL+"/api/chains", nil)
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("Host %s: %d; want 403", host, resp.StatusCode)
		}
	}
	for _, host := range []string{"localhost:8484", "127.0.0.1", "[::1]:8484"} {
		req, _ := http.NewRequest("GET", f.srv.URL+"/api/chains", nil)
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("Host %s: %d; want 200", host, resp.StatusCode)
		}
	}
}

// TestPathTraversal: only the embedded page's files are served.
func TestPathTraversal(t *testing.T) {
	f := newFixture(t, t.TempDir())
	for _, p := range []string{"/../../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fetc%2fpasswd", "/static/../server.go", "/server.go", "/api/../../etc/passwd"} {
		req, _ := http.NewRequest("GET", f.srv.URL+"/", nil)
		req.URL.Opaque = p // sent as written, not cleaned by the client
		resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == 200 || strings.Contains(string(b), "root:") || strings.Contains(string(b), "package ui") {
			t.Errorf("GET %s = %d %.80q", p, resp.StatusCode, b)
		}
	}
	resp := f.get(t, "/")
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(b), "BlockHub console") {
		t.Errorf("GET / = %d", resp.StatusCode)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("page CSP = %q", csp)
	}
}
