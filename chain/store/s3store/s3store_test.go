package s3store_test

import (
	"fmt"
	"net/url"
	"testing"
	"time"

	_ "github.com/blockhub/blockhub/chain/store/s3store"
	"github.com/blockhub/blockhub/chain/store/storetest"
	"github.com/blockhub/blockhub/internal/testenv"
)

// testURL is the MinIO the test script started, or the test fails (skips
// under -short).
func testURL(t *testing.T) string {
	t.Helper()
	return testenv.URL(t, testenv.S3)
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
	storetest.Run(t, storetest.URLHarness(func(t *testing.T) string {
		return under(t, base, "conformance")
	}))
}
