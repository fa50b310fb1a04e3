package mongostore

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"sync/atomic"
	"testing"

	"github.com/blockhub/blockhub/chain/store"
	"github.com/blockhub/blockhub/chain/store/storetest"
)

func TestConformance(t *testing.T) {
	base := serverURL(t)
	storetest.Run(t, storetest.Harness{Open: func(t *testing.T) (*store.Assets, *store.Blocks) {
		u := freshDB(t, base)
		a, err := store.OpenAssets(context.Background(), u, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, err := store.OpenBlocks(context.Background(), u, nil)
		if err != nil {
			t.Fatal(err)
		}
		return a, b
	}})
}

// serverURL is the test server's URL from BH_TEST_MONGO, which
// scripts/testservers.sh exports.
func serverURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv("BH_TEST_MONGO")
	switch {
	case u != "":
		return u
	case testing.Short():
		t.Skip("BH_TEST_MONGO not set; skipped under -short")
	}
	t.Fatal("BH_TEST_MONGO not set: run the tests with scripts/test, which starts a MongoDB-wire server and exports it (or go test -short to skip)")
	return ""
}

var dbSeq atomic.Int64

// freshDB returns base naming a database no other test uses; it is dropped
// when t ends.
func freshDB(t *testing.T, base string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = fmt.Sprintf("/bht%d_%d", os.Getpid(), dbSeq.Add(1))
	t.Cleanup(func() {
		db, err := open(context.Background(), u, nil)
		if err != nil {
			t.Errorf("drop %s: %v", u.Path, err)
			return
		}
		defer disconnect(db.Client())
		if err := db.Drop(context.Background()); err != nil {
			t.Errorf("drop %s: %v", u.Path, err)
		}
	})
	return u.String()
}
