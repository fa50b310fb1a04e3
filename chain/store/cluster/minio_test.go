package cluster_test

import (
	"fmt"
	"net/url"
	"testing"
	"time"

	_ "github.com/blockhub/blockhub/chain/store/s3store"
	"github.com/blockhub/blockhub/internal/testenv"
)

// testS3 is the MinIO the test script started, or the test fails (skips
// under -short).
func testS3(t *testing.T) *url.URL {
	t.Helper()
	return testenv.ParsedURL(t, testenv.S3)
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
