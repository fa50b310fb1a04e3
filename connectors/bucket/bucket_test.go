package bucket_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/blockhub/blockhub/connectors"
	"github.com/blockhub/blockhub/connectors/bucket"
	"github.com/blockhub/blockhub/connectors/connectortest"
	"github.com/blockhub/blockhub/internal/testenv"
)

// fixture is a fresh prefix of the test bucket on MinIO with a few
// objects in it.
type fixture struct {
	url    string // s3:// URL of the prefix
	client *minio.Client
	bucket string
	prefix string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	u := testenv.ParsedURL(t, testenv.S3)
	secret, _ := u.User.Password()
	cl, err := minio.New(u.Host, &minio.Options{Creds: credentials.NewStaticV4(u.User.Username(), secret, ""), Secure: u.Query().Get("secure") == "true"})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{client: cl, bucket: strings.Trim(u.Path, "/"), prefix: fmt.Sprintf("bucketconn-%d/", time.Now().UnixNano())}
	ctx := context.Background()
	if ok, err := cl.BucketExists(ctx, f.bucket); err != nil {
		t.Fatal(err)
	} else if !ok {
		if err := cl.MakeBucket(ctx, f.bucket, minio.MakeBucketOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	u.Path = "/" + f.bucket + "/" + f.prefix
	f.url = u.String()
	f.put(t, "orders.csv", "id,total\n1,9.90\n2,4.50\n", "text/csv", map[string]string{"Origin": "erp"})
	f.put(t, "sub/events.json", `{"event":"paid"}`, "application/json", nil)
	f.put(t, "skip.tmp", "scratch", "text/plain", nil)
	return f
}

func (f *fixture) put(t *testing.T, key, data, typ string, meta map[string]string) {
	t.Helper()
	_, err := f.client.PutObject(context.Background(), f.bucket, f.prefix+key, strings.NewReader(data), int64(len(data)),
		minio.PutObjectOptions{ContentType: typ, UserMetadata: meta})
	if err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) source(t *testing.T, mod func(*bucket.Config)) *bucket.Source {
	t.Helper()
	c, err := bucket.ParseURL(f.url)
	if err != nil {
		t.Fatal(err)
	}
	if mod != nil {
		mod(&c)
	}
	s, err := bucket.New(c)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func objects(chunks []connectors.Chunk) map[string]connectors.Chunk {
	out := map[string]connectors.Chunk{}
	for _, c := range chunks {
		if o, ok := c.Meta["object"].(string); ok {
			out[o] = c
		}
	}
	return out
}

func TestConnector(t *testing.T) {
	f := newFixture(t)
	connectortest.Run(t, connectortest.Harness{
		Name: bucket.Name,
		New: func(t *testing.T, c connectors.Common) connectors.Source {
			return f.source(t, nil)
		},
		Check: func(t *testing.T, chunks []connectors.Chunk) {
			got := objects(chunks)
			if len(got) != 3 || len(chunks) != 3 {
				t.Fatalf("%d chunk(s) for objects %v; want one per object, 3", len(chunks), got)
			}
			c := got[f.prefix+"orders.csv"]
			if string(c.Data) != "id,total\n1,9.90\n2,4.50\n" || c.Type != "text/csv" {
				t.Errorf("orders.csv: %q %s; want its bytes and text/csv", c.Data, c.Type)
			}
			um, _ := c.Meta["user_meta"].(map[string]string)
			if c.Meta["size"] != int64(23) || c.Meta["etag"] == "" || c.Meta["last_modified"] == "" || um["Origin"] != "erp" {
				t.Errorf("orders.csv meta %v; want size, etag, last_modified and user_meta Origin=erp", c.Meta)
			}
			if !strings.HasSuffix(c.Key, "/"+f.bucket+"/"+f.prefix+"orders.csv") {
				t.Errorf("key %q; want one per object", c.Key)
			}
		},
	})
}

func TestIncludeExcludeManifest(t *testing.T) {
	f := newFixture(t)
	chunks := connectortest.Collect(t, f.source(t, func(c *bucket.Config) {
		c.Exclude = []string{"*.tmp"}
		c.Manifest = true
	}), nil)
	if got := objects(chunks); len(got) != 2 || got[f.prefix+"skip.tmp"].Key != "" {
		t.Fatalf("objects %v; want the two not excluded", got)
	}
	m := chunks[len(chunks)-1]
	var doc struct {
		Objects []bucket.Entry
	}
	if err := json.Unmarshal(m.Data, &doc); err != nil || m.Meta["manifest"] != true || len(doc.Objects) != 2 {
		t.Fatalf("last chunk %s (%v): want a manifest of 2 objects", m.Data, err)
	}
	for _, e := range doc.Objects {
		if e.ETag == "" || e.Size == 0 || !e.Captured {
			t.Errorf("manifest entry %+v: want etag, size, captured", e)
		}
	}
	only := connectortest.Collect(t, f.source(t, func(c *bucket.Config) { c.Include = []string{"*.json"} }), nil)
	if got := objects(only); len(got) != 1 || got[f.prefix+"sub/events.json"].Key == "" {
		t.Errorf("--include *.json: objects %v; want sub/events.json", got)
	}
}

func TestLargeObjectChunked(t *testing.T) {
	f := newFixture(t)
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	big = append(big, "tail"...)
	f.put(t, "big.bin", string(big), "application/octet-stream", nil)
	chunks := connectortest.Collect(t, f.source(t, func(c *bucket.Config) {
		c.ChunkSize = 256 << 10
		c.Include = []string{"big.bin"}
	}), nil)
	if len(chunks) != 5 {
		t.Fatalf("%d chunk(s); want 5 parts of at most 256 KiB", len(chunks))
	}
	var back []byte
	for i, c := range chunks {
		p, _ := json.Marshal(c.Meta["part"])
		if string(p) != fmt.Sprintf("[%d,5]", i+1) || len(c.Data) > 256<<10 {
			t.Errorf("chunk %d: part %s, %d bytes; want [%d,5], at most 256 KiB", i, p, len(c.Data), i+1)
		}
		back = append(back, c.Data...)
	}
	if !bytes.Equal(back, big) {
		t.Error("parts do not put the object back together")
	}
}

// TestPreventDupsNewAndChanged: a re-run captures only what is new or
// changed.
func TestPreventDupsNewAndChanged(t *testing.T) {
	f := newFixture(t)
	h, root := connectortest.NewChain(t)
	common := connectors.Common{PreventDups: true}
	if sum := connectortest.Import(t, h, root, bucket.Name, f.source(t, nil), common); sum.Captured != 3 {
		t.Fatalf("first run captured %d; want 3", sum.Captured)
	}
	f.put(t, "new.txt", "fresh", "text/plain", nil)
	f.put(t, "orders.csv", "id,total\n1,9.90\n", "text/csv", nil)
	sum := connectortest.Import(t, h, root, bucket.Name, f.source(t, nil), common)
	if sum.Captured != 2 || sum.Skipped != 0 {
		t.Fatalf("re-run: %+v; want the new and the changed object captured, the rest not read", sum)
	}
	if sum := connectortest.Import(t, h, root, bucket.Name, f.source(t, nil), common); sum.Captured != 0 {
		t.Fatalf("third run captured %d; want 0", sum.Captured)
	}
}

func TestWatch(t *testing.T) {
	f := newFixture(t)
	s := f.source(t, func(c *bucket.Config) {
		c.Watch = true
		c.Interval = 100 * time.Millisecond
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var got []string
	for c, err := range s.Chunks(ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, c.Meta["object"].(string))
		if len(got) == 3 {
			f.put(t, "landed.txt", "late", "text/plain", nil)
		}
		if len(got) == 4 {
			cancel()
		}
	}
	if len(got) != 4 || got[3] != f.prefix+"landed.txt" {
		t.Fatalf("objects %v; want the 3 there, then landed.txt once it landed", got)
	}
}

func TestBadCredentials(t *testing.T) {
	f := newFixture(t)
	u, _ := url.Parse(f.url)
	u.User = url.UserPassword(u.User.Username(), "wrong-secret")
	c, err := bucket.ParseURL(u.String())
	if err != nil {
		t.Fatal(err)
	}
	s, err := bucket.New(c)
	if err != nil {
		t.Fatal(err)
	}
	var last error
	for _, err := range s.Chunks(context.Background(), nil) {
		last = err
	}
	if last == nil || strings.Contains(last.Error(), "wrong-secret") {
		t.Fatalf("error %v; want one that does not show the secret", last)
	}
}
