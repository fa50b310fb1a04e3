package s3store_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store"
)

func TestWrongSecretNotPrinted(t *testing.T) {
	u, err := url.Parse(testURL(t))
	if err != nil {
		t.Fatal(err)
	}
	const wrong = "not-the-secret-8c1f2e"
	u.User = url.UserPassword(u.User.Username(), wrong)
	_, err = store.OpenAssets(context.Background(), u.String(), nil)
	if err == nil {
		t.Fatal("open with a wrong secret succeeded")
	}
	msg := err.Error()
	if strings.Contains(msg, wrong) {
		t.Fatalf("error quotes the secret: %s", msg)
	}
	if !strings.Contains(msg, "access denied") || strings.Contains(msg, "\n") {
		t.Fatalf("error = %q; want one line saying access denied", msg)
	}
}

func TestUnreachableFailsFast(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	const secret = "unreachable-secret-77"
	start := time.Now()
	_, err = store.OpenBlocks(context.Background(), "s3://key:"+secret+"@"+addr+"/bucket?secure=false", nil)
	if err == nil {
		t.Fatal("open of a closed port succeeded")
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("took %v to fail", d)
	}
	msg := err.Error()
	if strings.Contains(msg, secret) || !strings.Contains(msg, "cannot reach "+addr) || strings.Contains(msg, "\n") {
		t.Fatalf("error = %q; want one line naming %s, without the secret", msg, addr)
	}
}

func TestCreatesBucket(t *testing.T) {
	u, err := url.Parse(testURL(t))
	if err != nil {
		t.Fatal(err)
	}
	u.Path = fmt.Sprintf("/bh-new-%d/p", time.Now().UnixNano())
	c := context.Background()
	a, err := store.OpenAssets(c, u.String(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	hash, _, err := a.PutBytes(c, chain.SHA256, []byte("in a new bucket"))
	if err != nil {
		t.Fatal(err)
	}
	// A second open finds the bucket there.
	a2, err := store.OpenAssets(c, u.String(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a2.Close()
	if ok, err := a2.Has(c, hash); !ok || err != nil {
		t.Fatalf("Has = %v, %v", ok, err)
	}
}

// TestLargeAssets covers the multipart path (over 16 MiB), which the
// conformance suite's assets do not reach: forged bytes never become
// visible, with the size known or not, and a real asset goes in once.
func TestLargeAssets(t *testing.T) {
	if testing.Short() {
		t.Skip("large uploads (-short)")
	}
	c := context.Background()
	a, err := store.OpenAssets(c, under(t, testURL(t), "large"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	data := make([]byte, 21<<20+5)
	rand.Read(data)
	hash := chain.SHA256.Sum(data)
	forged := bytes.Clone(data)
	forged[len(forged)-1] ^= 1 // only the last byte differs: the last part
	for _, size := range []int64{int64(len(data)), -1} {
		if _, err := a.Put(c, hash, bytes.NewReader(forged), size); !errors.Is(err, chain.ErrTampered) {
			t.Fatalf("Put(forged, size %d) err = %v; want ErrTampered", size, err)
		}
		if ok, err := a.Has(c, hash); ok || err != nil {
			t.Fatalf("after a forged Put (size %d) Has = %v, %v; want false", size, ok, err)
		}
	}
	longer := append(bytes.Clone(data), 'x')
	if _, err := a.Put(c, hash, bytes.NewReader(longer), int64(len(data))); !errors.Is(err, chain.ErrTampered) {
		t.Fatalf("Put(one byte too many) err = %v; want ErrTampered", err)
	}
	if ok, _ := a.Has(c, hash); ok {
		t.Fatal("an over-long Put became visible")
	}
	created, err := a.Put(c, hash, io.MultiReader(bytes.NewReader(data[:7]), bytes.NewReader(data[7:])), -1)
	if err != nil || !created {
		t.Fatalf("Put(real) = %v, %v", created, err)
	}
	if created, err := a.Put(c, hash, bytes.NewReader(data), int64(len(data))); err != nil || created {
		t.Fatalf("second Put = %v, %v; want not created", created, err)
	}
	if err := a.Verify(c, hash, int64(len(data))); err != nil {
		t.Fatal(err)
	}
}
