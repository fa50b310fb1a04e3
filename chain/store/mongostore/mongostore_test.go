package mongostore

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"sync/atomic"
	"testing"

	"github.com/blockhub/blockhub/chain/store/storetest"
	"github.com/blockhub/blockhub/internal/testenv"
)

func TestConformance(t *testing.T) {
	base := serverURL(t)
	storetest.Run(t, storetest.URLHarness(func(t *testing.T) string {
		return freshDB(t, base)
	}))
}

// serverURL is the test server's URL from BH_TEST_MONGO, which
// scripts/testservers.sh exports.
func serverURL(t *testing.T) string {
	t.Helper()
	return testenv.URL(t, testenv.Mongo)
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
