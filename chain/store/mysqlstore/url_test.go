package mysqlstore

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestParseURL(t *testing.T) {
	env := func(k string) string {
		if k == PasswordEnv {
			return "from-env"
		}
		return ""
	}
	tests := []struct {
		url                            string
		user, pass, net, addr, db, pre string
		create                         bool
		tls                            string
	}{
		{url: "mysql://root@127.0.0.1:3306/bh", user: "root", pass: "from-env", net: "tcp", addr: "127.0.0.1:3306", db: "bh", create: true},
		{url: "mysql://u:p%40ss@db.example.com/bh?table_prefix=bh_", user: "u", pass: "p@ss", net: "tcp", addr: "db.example.com:3306", db: "bh", pre: "bh_", create: true},
		{url: "mysql://u:@[::1]:3307/bh?create=false&tls=skip-verify", user: "u", net: "tcp", addr: "[::1]:3307", db: "bh", create: false, tls: "skip-verify"},
		{url: "mysql://u:p@/bh", user: "u", pass: "p", net: "tcp", addr: "127.0.0.1:3306", db: "bh", create: true},
		{url: "mysql://u:p@localhost/bh?socket=/run/mysqld/mysqld.sock", user: "u", pass: "p", net: "unix", addr: "/run/mysqld/mysqld.sock", db: "bh", create: true},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			c, err := parseURL(mustParse(t, tt.url), env)
			if err != nil {
				t.Fatal(err)
			}
			m := c.mysql
			got := []string{m.User, m.Passwd, m.Net, m.Addr, m.DBName, c.prefix, m.TLSConfig}
			want := []string{tt.user, tt.pass, tt.net, tt.addr, tt.db, tt.pre, tt.tls}
			if strings.Join(got, "|") != strings.Join(want, "|") || c.create != tt.create {
				t.Errorf("got %q create=%v; want %q create=%v", got, c.create, want, tt.create)
			}
			if !m.ParseTime || m.Timeout != ConnectTimeout || m.Timeout > 10*time.Second {
				t.Errorf("ParseTime=%v Timeout=%v; want true, %v", m.ParseTime, m.Timeout, ConnectTimeout)
			}
		})
	}
}

func TestParseURLErrors(t *testing.T) {
	tests := []struct{ url, want string }{
		{"mysql://127.0.0.1/bh", "no user"},
		{"mysql://u:secretpw@host/", "database name"},
		{"mysql://u:secretpw@host/a/b", "database name"},
		{"mysql://u:secretpw@host/bh?table_prefix=x-drop", "table_prefix"},
		{"mysql://u:secretpw@host/bh?table_prefix=x;drop", "bad URL parameters"},
		{"mysql://u:secretpw@host/bh?table_prefix=" + strings.Repeat("x", 41), "table_prefix"},
		{"mysql://u:secretpw@host/bh?create=maybe", "create"},
		{"mysql://u:secretpw@host/bh?tls=always", "tls"},
		{"mysql://u:secretpw@host/bh?parseTime=true", `unknown URL parameter "parseTime"`},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			_, err := parseURL(mustParse(t, tt.url), func(string) string { return "" })
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v; want one mentioning %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "secretpw") {
				t.Fatalf("err %q shows the password", err)
			}
		})
	}
}

func FuzzParseURL(f *testing.F) {
	f.Add("mysql://u:pw@h:1/db?table_prefix=a_&create=false")
	f.Add("mysql://u:pw@[::1]/db?tls=true&socket=/s")
	f.Add("mysql:opaque")
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := url.Parse(raw)
		if err != nil {
			return
		}
		c, err := parseURL(u, func(string) string { return "" })
		pw, _ := u.User.Password()
		if err != nil {
			if len(pw) >= 4 && strings.Contains(err.Error(), pw) {
				t.Fatalf("error %q shows the password", err)
			}
			return
		}
		if !prefixRE.MatchString(c.prefix) || c.mysql.DBName == "" || c.mysql.User == "" {
			t.Fatalf("accepted %q as prefix %q, db %q, user %q", raw, c.prefix, c.mysql.DBName, c.mysql.User)
		}
	})
}

func mustParse(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestDDLText(t *testing.T) {
	ddl := DDL("bh_")
	for _, table := range []string{"`bh_blocks`", "`bh_tails`", "`bh_names`", "`bh_assets`", "`bh_asset_chunks`"} {
		if !strings.Contains(ddl, "CREATE TABLE IF NOT EXISTS "+table+" (") {
			t.Errorf("DDL lacks table %s:\n%s", table, ddl)
		}
	}
	got, err := URLDDL("mysql://u:pw@h/db?table_prefix=bh_")
	if err != nil || got != ddl {
		t.Errorf("URLDDL = %v; want DDL(\"bh_\")", err)
	}
	if _, err := URLDDL("mongodb://h/db"); err == nil {
		t.Errorf("URLDDL of a mongodb URL: no error")
	}
}
