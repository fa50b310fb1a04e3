package cluster_test

import (
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/blockhub/blockhub/chain/store/s3store"
)

// testS3 is the MinIO the test script started, or the test fails (skips
// under -short).
func testS3(t *testing.T) *url.URL {
	t.Helper()
	raw := os.Getenv("BH_TEST_S3")
	if raw == "" {
		if testing.Short() {
			t.Skip("BH_TEST_S3 not set (-short)")
		}
		t.Fatal("BH_TEST_S3 is not set: run the tests with scripts/test, which starts MinIO (scripts/testservers.sh) and exports it")
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// bucketURL is base on another bucket, under a fresh prefix.
func bucketURL(base *url.URL, bucket, prefix string) string {
	u := *base
	u.Path = "/" + bucket + "/" + prefix
	return u.String()
}

func TestConformanceMinIOBuckets(t *testing.T) {
	base := testS3(t)
	conformance(t, func(t *testing.T) []string {
		prefix := fmt.Sprintf("conformance-%d", time.Now().UnixNano())
		return []string{
			bucketURL(base, "bhtest-cluster-a", prefix),
			bucketURL(base, "bhtest-cluster-b", prefix),
			bucketURL(base, "bhtest-cluster-c", prefix),
		}
	})
}
