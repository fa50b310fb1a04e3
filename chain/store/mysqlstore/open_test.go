package mysqlstore

import (
	"context"
	"database/sql"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/blockhub/blockhub/chain/store"
)

// openErr opens the blocks of raw and returns the error, failing t when
// the open succeeds or takes longer than limit.
func openErr(t *testing.T, raw string, limit time.Duration) error {
	t.Helper()
	start := time.Now()
	b, err := store.OpenBlocks(context.Background(), raw, nil)
	if err == nil {
		b.Close()
		t.Fatalf("open %s succeeded; want an error", store.Redact(raw))
	}
	if d := time.Since(start); d > limit {
		t.Errorf("open took %v; want under %v", d, limit)
	}
	t.Logf("open error: %v", err)
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("error spans lines: %q", err)
	}
	return err
}

func TestWrongPassword(t *testing.T) {
	u := mustParse(t, serverURL(t))
	u.User = url.UserPassword(u.User.Username(), "bh-Wrong-Pass-7731")
	err := openErr(t, u.String(), 10*time.Second)
	if strings.Contains(err.Error(), "bh-Wrong-Pass-7731") {
		t.Fatalf("error shows the password: %v", err)
	}
	if !strings.Contains(err.Error(), "refused user") {
		t.Errorf("err = %v; want it to say the user was refused", err)
	}
}

func TestUnreachable(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	err = openErr(t, "mysql://root:pw@"+addr+"/bh", 7*time.Second)
	if !strings.Contains(err.Error(), "cannot reach "+addr) {
		t.Errorf("err = %v; want it to name %s", err, addr)
	}
}

func TestSilentServer(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() { // accept and never answer
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	err = openErr(t, "mysql://root:pw@"+l.Addr().String()+"/bh", ConnectTimeout+3*time.Second)
	if !strings.Contains(err.Error(), "did not answer within") {
		t.Errorf("err = %v; want it to say the server did not answer", err)
	}
}

func TestMissingDatabase(t *testing.T) {
	u := mustParse(t, serverURL(t))
	u.Path = "/bh_no_such_database"
	err := openErr(t, u.String(), 10*time.Second)
	if !strings.Contains(err.Error(), `database "bh_no_such_database" does not exist`) {
		t.Errorf("err = %v; want it to say the database does not exist", err)
	}
}

// TestDDL runs the printed DDL, as a DBA would, then opens the store with
// create=false; without the tables the same open says what to do.
func TestDDL(t *testing.T) {
	raw := freshTables(t, serverURL(t))
	u := mustParse(t, raw)
	q := u.Query()
	q.Set("create", "false")
	u.RawQuery = q.Encode()
	err := openErr(t, u.String(), 10*time.Second)
	if !strings.Contains(err.Error(), "create=false") {
		t.Errorf("err = %v; want it to mention create=false", err)
	}

	ddl, err := URLDDL(raw)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(ddl, "CREATE TABLE IF NOT EXISTS"); n != 6 {
		t.Fatalf("DDL has %d CREATE TABLE statements; want 6:\n%s", n, ddl)
	}
	c := must(parseURL(u, func(string) string { return "" }))
	db := sql.OpenDB(must(mysql.NewConnector(c.mysql)))
	defer db.Close()
	for stmt := range strings.SplitSeq(ddl, ";\n") {
		if strings.TrimSpace(stmt) == "" {
			continue
		}
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	a, err := store.OpenAssets(context.Background(), u.String(), nil)
	if err != nil {
		t.Fatalf("open with create=false after the DDL: %v", err)
	}
	a.Close()
	b, err := store.OpenBlocks(context.Background(), u.String(), nil)
	if err != nil {
		t.Fatalf("open with create=false after the DDL: %v", err)
	}
	b.Close()
}
