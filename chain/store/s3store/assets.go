package s3store

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"iter"
	"strings"

	"github.com/blockhub/blockhub/chain/store/internal/pieces"

	"github.com/minio/minio-go/v7"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store/driver"
)

// AssetStore keeps assets as objects.
type AssetStore struct{ b *bucket }

var _ driver.AssetStore = (*AssetStore)(nil)

// onePut is the largest asset sent in a single PUT; it is buffered whole so
// its hash is checked before any byte leaves. Larger assets go multipart,
// in parts of this size.
const onePut = 16 << 20

func putOptions() minio.PutObjectOptions {
	return minio.PutObjectOptions{ContentType: "application/octet-stream", PartSize: onePut}
}

// Put implements driver.AssetStore.
func (s *AssetStore) Put(ctx context.Context, hash string, r io.Reader, size int64) error {
	key := s.b.shardKey("assets", hash, ".blob")
	if size > onePut && s.exists(ctx, key) {
		return chain.ErrExists
	}
	return s.put(ctx, key, r, size, true)
}

// put uploads r under key, create-only unless replace (repair).
func (s *AssetStore) put(ctx context.Context, key string, r io.Reader, size int64, createOnly bool) error {
	head, done, err := pieces.ReadUpTo(r, size, onePut)
	if err != nil {
		return err // the bytes did not check out: nothing was sent
	}
	body, n := io.Reader(bytes.NewReader(head)), int64(len(head))
	if !done {
		if size < 0 && createOnly && s.exists(ctx, key) {
			return chain.ErrExists
		}
		rest := &strictReader{r: r, left: -1}
		if size >= 0 {
			rest.left = size - int64(len(head))
		}
		body, n = io.MultiReader(body, rest), size
	}
	opts := putOptions()
	if createOnly {
		opts.SetMatchETagExcept("*") // If-None-Match: *
	}
	_, err = s.b.c.PutObject(ctx, s.b.name, key, body, n, opts)
	return s.b.err("put asset", err)
}

// exists spares the upload of a large asset that is already there; the
// conditional PUT still settles races.
func (s *AssetStore) exists(ctx context.Context, key string) bool {
	_, err := s.b.c.StatObject(ctx, s.b.name, key, minio.StatObjectOptions{})
	return err == nil
}

// strictReader hands the client bytes only while r has not failed: an
// error wins over the bytes read with it, and once the announced length
// has been read it looks for r's end itself, because the client stops
// reading at the announced length and would never see the verifying
// reader's verdict. The client then aborts the multipart upload instead of
// completing it.
type strictReader struct {
	r    io.Reader
	left int64 // bytes still announced; -1 unknown
}

func (s *strictReader) Read(p []byte) (int, error) {
	if s.left >= 0 && int64(len(p)) > s.left {
		p = p[:s.left]
	}
	if len(p) == 0 && s.left == 0 {
		return 0, s.end()
	}
	n, err := s.r.Read(p)
	if err != nil && err != io.EOF {
		return 0, err
	}
	if s.left >= 0 {
		s.left -= int64(n)
		if s.left == 0 && err == nil {
			if err := s.end(); err != io.EOF {
				return 0, err
			}
			return n, io.EOF
		}
		if s.left > 0 && err == io.EOF {
			return 0, io.ErrUnexpectedEOF
		}
	}
	return n, err
}

// end reads past the announced length: r must end there.
func (s *strictReader) end() error {
	var one [1]byte
	for {
		n, err := s.r.Read(one[:])
		if err != nil && err != io.EOF {
			return err
		}
		if n > 0 {
			return fmt.Errorf("%w: more bytes than announced", chain.ErrTampered)
		}
		if err != nil {
			return err
		}
	}
}

// Get implements driver.AssetStore.
func (s *AssetStore) Get(ctx context.Context, hash string) (io.ReadCloser, error) {
	obj, err := s.b.c.GetObject(ctx, s.b.name, s.b.shardKey("assets", hash, ".blob"), minio.GetObjectOptions{})
	if err != nil {
		return nil, s.b.err("get asset", err)
	}
	if _, err := obj.Stat(); err != nil { // sends the request
		obj.Close()
		return nil, s.b.err("get asset", err)
	}
	return obj, nil
}

// Stat implements driver.AssetStore.
func (s *AssetStore) Stat(ctx context.Context, hash string) (int64, error) {
	info, err := s.b.c.StatObject(ctx, s.b.name, s.b.shardKey("assets", hash, ".blob"), minio.StatObjectOptions{})
	if err != nil {
		return 0, s.b.err("stat asset", err)
	}
	return info.Size, nil
}

// All implements driver.AssetStore.
func (s *AssetStore) All(ctx context.Context) iter.Seq2[string, error] {
	return s.b.list(ctx, s.b.key("assets")+"/", ".blob")
}

// list yields the hex names of the objects under prefix that end in ext.
func (b *bucket) list(ctx context.Context, prefix, ext string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel() // stops the client's listing goroutine
		for obj := range b.c.ListObjects(ctx, b.name, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
			if obj.Err != nil {
				yield("", b.err(fmt.Sprintf("list %s", prefix), obj.Err))
				return
			}
			name := obj.Key[strings.LastIndexByte(obj.Key, '/')+1:]
			name, ok := strings.CutSuffix(name, ext)
			if !ok || !chain.IsHex(name) {
				continue
			}
			if !yield(name, nil) {
				return
			}
		}
	}
}

// Close implements driver.AssetStore.
func (s *AssetStore) Close() error { return s.b.close() }
