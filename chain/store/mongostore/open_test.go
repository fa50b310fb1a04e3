package mongostore

import (
	"context"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

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
	t.Logf("open error: %v", err)
	if d := time.Since(start); d > limit {
		t.Errorf("open took %v; want under %v", d, limit)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("error spans lines: %q", err)
	}
	return err
}

func TestUnreachable(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	err = openErr(t, "mongodb://u:bh-Secret-991@"+addr+"/bh", ConnectTimeout+3*time.Second)
	if !strings.Contains(err.Error(), "cannot reach "+addr) || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("err = %v; want it to say %s refused the connection", err, addr)
	}
	if strings.Contains(err.Error(), "bh-Secret-991") {
		t.Errorf("error shows the password: %v", err)
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
	err = openErr(t, "mongodb://"+l.Addr().String()+"/bh", ConnectTimeout+3*time.Second)
	if !strings.Contains(err.Error(), "did not answer within") {
		t.Errorf("err = %v; want it to say the server did not answer", err)
	}
}

func TestWrongPassword(t *testing.T) {
	u, err := url.Parse(serverURL(t))
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword("bhuser", "bh-Wrong-Pass-7731")
	b, err := store.OpenBlocks(context.Background(), u.String(), nil)
	if err == nil {
		// FerretDB with its SQLite backend does not check credentials.
		b.Close()
		t.Skip("the server accepts any password")
	}
	t.Logf("open error: %v", err)
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("error spans lines: %q", err)
	}
	if !strings.Contains(err.Error(), `refused user "bhuser"`) {
		t.Errorf("err = %v; want it to say the user was refused", err)
	}
	if strings.Contains(err.Error(), "bh-Wrong-Pass-7731") {
		t.Fatalf("error shows the password: %v", err)
	}
}

func TestBadURL(t *testing.T) {
	for _, raw := range []string{
		"mongodb://127.0.0.1:27017",
		"mongodb://127.0.0.1:27017/",
		"mongodb://127.0.0.1:27017/a/b",
		"mongodb://127.0.0.1:27017/a.b",
		"mongodb://u:bh-Secret-991@127.0.0.1:27017/db?connectTimeoutMS=soon",
		"mongodb://u:bh-Secret-991@127.0.0.1:27017/db?replicaSet=a&directConnection=true&w=x&authMechanism=NOPE",
	} {
		t.Run(raw, func(t *testing.T) {
			err := openErr(t, raw, time.Second)
			if strings.Contains(err.Error(), "bh-Secret-991") {
				t.Errorf("error shows the password: %v", err)
			}
		})
	}
}
