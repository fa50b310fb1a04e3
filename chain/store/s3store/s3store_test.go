package s3store_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/blockhub/blockhub/chain/store"
	_ "github.com/blockhub/blockhub/chain/store/s3store"
	"github.com/blockhub/blockhub/chain/store/storetest"
)

// testURL is the MinIO the test script started, or the test fails (skips
// under -short).
func testURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv("BH_TEST_S3")
	if u == "" {
		if testing.Short() {
			t.Skip("BH_TEST_S3 not set (-short)")
		}
		t.Fatal("BH_TEST_S3 is not set: run the tests with scripts/test, which starts MinIO (scripts/testservers.sh) and exports it")
	}
	return u
}

// under returns base with a fresh prefix added, so each test starts empty.
func under(t *testing.T, base, name string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path += fmt.Sprintf("/%s-%d", name, time.Now().UnixNano())
	return u.String()
}

func TestConformance(t *testing.T) {
	base := testURL(t)
	storetest.Run(t, storetest.Harness{Open: func(t *testing.T) (*store.Assets, *store.Blocks) {
		u := under(t, base, "conformance")
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
