package bucket

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/blockhub/blockhub/chain/store/s3store"
	"github.com/blockhub/blockhub/connectors"
)

// Name is the connector's registered name.
const Name = "bucket"

// DefaultChunkSize is the largest part an object is cut into.
const DefaultChunkSize = 64 << 20

func init() {
	connectors.Register(connectors.Spec{
		Name:      Name,
		Usage:     "capture the objects of an S3 bucket, one asset per object",
		ArgsUsage: "s3://[key:secret@]host:port/bucket/prefix[?secure=false]",
		Help: "Every object under the prefix becomes one asset (objects over --chunk-size\n" +
			"become several, streamed), with meta key, size, etag, last_modified,\n" +
			"content_type and user_meta. Credentials come from the URL or from\n" +
			"BH_S3_ACCESS_KEY and BH_S3_SECRET_KEY. --include and --exclude-objects take\n" +
			"globs (path.Match) matched against the key below the prefix, or against the\n" +
			"object's base name when the glob has no slash. --prevent-dups skips the\n" +
			"objects whose etag is on the chain; --manifest adds one asset listing every\n" +
			"object of the run; --watch keeps polling for new or changed objects.",
		Options: []connectors.Option{
			{Name: "include", Kind: connectors.List, Help: "capture only objects matching this glob (repeatable)"},
			{Name: "exclude-objects", Kind: connectors.List, Help: "skip objects matching this glob (repeatable)"},
			{Name: "chunk-size", Kind: connectors.Size, Default: "64MiB", Help: "largest asset; bigger objects are cut into parts"},
			{Name: "manifest", Kind: connectors.Bool, Help: "also capture one manifest asset listing every object of the run"},
			{Name: "watch", Kind: connectors.Bool, Help: "keep running and capture objects as they land"},
			{Name: "interval", Kind: connectors.Duration, Default: "10s", Help: "how often --watch lists the bucket"},
		},
		Examples: []string{
			"bhctl import bucket 's3://127.0.0.1:9000/exports/2026?secure=false' --include '*.csv' --manifest",
			"bhctl import bucket s3://s3.amazonaws.com/landing/ --prevent-dups --watch --interval 1m",
		},
		New: newFromValues,
	})
}

// Config is a bucket capture.
type Config struct {
	Endpoint, Bucket, Prefix string
	AccessKey, SecretKey     string
	Secure                   bool
	Region                   string
	// Include and Exclude are globs on the key below the prefix (or on the
	// base name, for globs without a slash).
	Include, Exclude []string
	// ChunkSize bounds an asset; default DefaultChunkSize.
	ChunkSize int64
	Manifest  bool
	// Watch keeps listing every Interval (default 10s) until ctx ends.
	Watch    bool
	Interval time.Duration
}

// ParseURL reads s3://[key:secret@]host:port/bucket/prefix?secure=false
// into a Config; the prefix is kept as typed ("logs/app-" matches
// "logs/app-1.txt").
func ParseURL(raw string) (Config, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return Config{}, fmt.Errorf("bucket URL: %v", errors.Unwrap(err))
	}
	p := strings.TrimPrefix(u.Path, "/")
	bucket, prefix, _ := strings.Cut(p, "/")
	bare := *u
	bare.Path = "/" + bucket
	c, err := s3store.ParseURL(&bare, nil)
	if err != nil {
		return Config{}, fmt.Errorf("bucket URL %s: %v", Redact(raw), err)
	}
	return Config{Endpoint: c.Endpoint, Bucket: c.Bucket, Prefix: prefix, AccessKey: c.AccessKey, SecretKey: c.SecretKey, Secure: c.Secure, Region: c.Region}, nil
}

// Redact hides the secret of an s3:// URL.
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

func newFromValues(args []string, v connectors.Values, common connectors.Common) (connectors.Source, error) {
	if len(args) != 1 {
		return nil, connectors.Usagef("import bucket: want one s3:// URL, such as s3://127.0.0.1:9000/bucket/prefix?secure=false")
	}
	if common.Format != "" {
		return nil, connectors.Usagef("import bucket: --format: objects are kept as stored")
	}
	c, err := ParseURL(args[0])
	if err != nil {
		return nil, &connectors.UsageError{Err: err}
	}
	c.Include, c.Exclude = v.Strings("include"), v.Strings("exclude-objects")
	c.Manifest, c.Watch = v.Bool("manifest"), v.Bool("watch")
	if c.ChunkSize, err = v.Size("chunk-size"); err != nil {
		return nil, &connectors.UsageError{Err: err}
	}
	if c.Interval, err = v.Duration("interval"); err != nil {
		return nil, &connectors.UsageError{Err: err}
	}
	s, err := New(c)
	if err != nil {
		return nil, &connectors.UsageError{Err: err}
	}
	return s, nil
}

// Source captures a bucket.
type Source struct {
	c      Config
	client *minio.Client
}

var _ connectors.Source = (*Source)(nil)

// New checks c and returns its source.
func New(c Config) (*Source, error) {
	for _, g := range append(append([]string(nil), c.Include...), c.Exclude...) {
		if _, err := path.Match(g, ""); err != nil {
			return nil, fmt.Errorf("bucket: glob %q: %v", g, err)
		}
	}
	if c.ChunkSize == 0 {
		c.ChunkSize = DefaultChunkSize
	}
	if c.ChunkSize < 0 {
		return nil, fmt.Errorf("bucket: --chunk-size %d: want a positive size", c.ChunkSize)
	}
	if c.Interval <= 0 {
		c.Interval = 10 * time.Second
	}
	var creds *credentials.Credentials
	if c.AccessKey != "" {
		creds = credentials.NewStaticV4(c.AccessKey, c.SecretKey, "")
	} else {
		creds = credentials.NewStatic("", "", "", credentials.SignatureAnonymous)
	}
	cl, err := minio.New(c.Endpoint, &minio.Options{Creds: creds, Secure: c.Secure, Region: c.Region})
	if err != nil {
		return nil, fmt.Errorf("bucket: %s: %v", c.Endpoint, err)
	}
	return &Source{c: c, client: cl}, nil
}

// Key is the source key of an object.
func (s *Source) Key(object string) string {
	return "bucket:" + s.c.Endpoint + "/" + s.c.Bucket + "/" + object
}

// Match reports whether the object key passes --include and
// --exclude-objects.
func (s *Source) Match(key string) bool {
	rel := strings.TrimPrefix(key, s.c.Prefix)
	match := func(globs []string) bool {
		for _, g := range globs {
			name := rel
			if !strings.Contains(g, "/") {
				name = path.Base(rel)
			}
			if ok, _ := path.Match(g, name); ok {
				return true
			}
		}
		return false
	}
	if len(s.c.Include) > 0 && !match(s.c.Include) {
		return false
	}
	return !match(s.c.Exclude)
}

// Entry is one object of a run, as the manifest lists it.
type Entry struct {
	Key          string    `json:"key"`
	Size         int64     `json:"size"`
	ETag         string    `json:"etag"`
	LastModified time.Time `json:"last_modified"`
	// Captured is false for objects already on the chain (--prevent-dups).
	Captured bool `json:"captured"`
	Parts    int  `json:"parts"`
}

// Chunks yields the parts of every matching object in key order, then the
// manifest; with Watch it lists the bucket again every Interval and
// captures what is new or changed, until ctx ends.
func (s *Source) Chunks(ctx context.Context, st connectors.State) iter.Seq2[connectors.Chunk, error] {
	return func(yield func(connectors.Chunk, error) bool) {
		seen := map[string]string{} // key -> etag captured by this process
		for {
			if !s.pass(ctx, st, seen, yield) {
				return
			}
			if !s.c.Watch {
				return
			}
			t := time.NewTimer(s.c.Interval)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
		}
	}
}

// pass lists the bucket once; it returns false when the run must stop.
func (s *Source) pass(ctx context.Context, st connectors.State, seen map[string]string, yield func(connectors.Chunk, error) bool) bool {
	var entries []Entry
	captured, skipped := 0, 0
	var done int64 // bytes read, for progress
	for obj := range s.client.ListObjectsIter(ctx, s.c.Bucket, minio.ListObjectsOptions{Prefix: s.c.Prefix, Recursive: true}) {
		if obj.Err != nil {
			if ctx.Err() != nil {
				return false
			}
			yield(connectors.Chunk{}, fmt.Errorf("bucket: list %s/%s: %w", s.c.Bucket, s.c.Prefix, obj.Err))
			return false
		}
		if strings.HasSuffix(obj.Key, "/") || !s.Match(obj.Key) {
			continue
		}
		e := Entry{Key: obj.Key, Size: obj.Size, ETag: obj.ETag, LastModified: obj.LastModified.UTC(), Parts: parts(obj.Size, s.c.ChunkSize)}
		if seen[obj.Key] == obj.ETag || s.onChain(st, obj.Key, obj.ETag) {
			seen[obj.Key] = obj.ETag
			entries = append(entries, e)
			skipped++
			continue
		}
		ok, err := s.object(ctx, obj, &done, yield)
		if err != nil {
			if ctx.Err() != nil {
				return false
			}
			yield(connectors.Chunk{}, err)
			return false
		}
		if !ok {
			return false
		}
		seen[obj.Key] = obj.ETag
		e.Captured = true
		entries = append(entries, e)
		captured++
	}
	if st != nil && skipped > 0 && !s.c.Watch {
		st.Note("bucket: %d object(s) already on the chain, skipped", skipped)
	}
	if s.c.Manifest && (captured > 0 || !s.c.Watch) {
		return s.manifest(entries, yield)
	}
	return true
}

// onChain reports whether the latest capture of the object has this etag
// and all its parts.
func (s *Source) onChain(st connectors.State, key, etag string) bool {
	if st == nil {
		return false
	}
	raw, ok := st.Last(s.Key(key))
	if !ok {
		return false
	}
	var m struct {
		ETag string `json:"etag"`
		Part []int  `json:"part"`
	}
	if json.Unmarshal(raw, &m) != nil || m.ETag != etag {
		return false
	}
	return len(m.Part) != 2 || m.Part[0] == m.Part[1]
}

func parts(size, chunk int64) int {
	if size == 0 {
		return 1
	}
	return int((size + chunk - 1) / chunk)
}

// object streams one object as chunks of at most ChunkSize bytes.
func (s *Source) object(ctx context.Context, listed minio.ObjectInfo, done *int64, yield func(connectors.Chunk, error) bool) (bool, error) {
	opts := minio.GetObjectOptions{}
	// Read the version that was listed: an object replaced meanwhile
	// fails here and is captured by the next run.
	if listed.ETag != "" {
		opts.SetMatchETag(listed.ETag)
	}
	obj, err := s.client.GetObject(ctx, s.c.Bucket, listed.Key, opts)
	if err != nil {
		return false, fmt.Errorf("bucket: get %s: %w", listed.Key, err)
	}
	defer obj.Close()
	info, err := obj.Stat()
	if err != nil {
		return false, fmt.Errorf("bucket: get %s: %w", listed.Key, err)
	}
	n := parts(info.Size, s.c.ChunkSize)
	meta := func() map[string]any {
		m := map[string]any{
			"bucket":        s.c.Bucket,
			"object":        info.Key,
			"size":          info.Size,
			"etag":          info.ETag,
			"last_modified": info.LastModified.UTC().Format(time.RFC3339Nano),
			"content_type":  info.ContentType,
		}
		if len(info.UserMetadata) > 0 {
			m["user_meta"] = map[string]string(info.UserMetadata)
		}
		return m
	}
	typ := info.ContentType
	if typ == "" {
		typ = "application/octet-stream"
	}
	var off int64
	for i := 1; i <= n; i++ {
		size := min(s.c.ChunkSize, info.Size-off)
		buf := make([]byte, size)
		if _, err := io.ReadFull(obj, buf); err != nil {
			return false, fmt.Errorf("bucket: read %s at byte %d: %w", info.Key, off, err)
		}
		m := meta()
		if n > 1 {
			m["part"] = []int{i, n}
			m["bytes"] = []int64{off, off + size}
		}
		off += size
		*done += size
		c := connectors.Chunk{Data: buf, Type: typ, Key: s.Key(info.Key), Meta: m, Records: 1, Done: *done}
		if !yield(c, nil) {
			return false, nil
		}
	}
	return true, nil
}

// manifest yields one asset listing the run's objects.
func (s *Source) manifest(entries []Entry, yield func(connectors.Chunk, error) bool) bool {
	if entries == nil {
		entries = []Entry{}
	}
	doc, err := json.Marshal(map[string]any{"bucket": s.c.Bucket, "prefix": s.c.Prefix, "endpoint": s.c.Endpoint, "objects": entries})
	if err != nil {
		yield(connectors.Chunk{}, fmt.Errorf("bucket: manifest: %w", err))
		return false
	}
	return yield(connectors.Chunk{
		Data: doc,
		Type: "application/json",
		Key:  "bucket-manifest:" + s.c.Endpoint + "/" + s.c.Bucket + "/" + s.c.Prefix,
		Meta: map[string]any{"manifest": true, "bucket": s.c.Bucket, "prefix": s.c.Prefix, "objects": len(entries)},
	}, nil)
}
