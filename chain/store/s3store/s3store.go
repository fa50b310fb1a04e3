package s3store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store"
	"github.com/blockhub/blockhub/chain/store/driver"
)

// Scheme is the URL scheme of this driver.
const Scheme = "s3"

func init() { store.Register(Scheme, opener{}) }

// dialTimeout bounds connecting to the server, so an unreachable host fails
// in seconds.
const dialTimeout = 5 * time.Second

type opener struct{}

func (opener) OpenAssets(ctx context.Context, u *url.URL, opts *store.Options) (driver.AssetStore, error) {
	b, err := openBucket(ctx, u, opts)
	if err != nil {
		return nil, err
	}
	return &AssetStore{b}, nil
}

func (opener) OpenBlocks(ctx context.Context, u *url.URL, opts *store.Options) (driver.BlockStore, error) {
	b, err := openBucket(ctx, u, opts)
	if err != nil {
		return nil, err
	}
	return &BlockStore{bucket: b}, nil
}

// bucket is one client on one bucket and prefix, shared by every call of a
// store.
type bucket struct {
	c      *minio.Client
	tr     *http.Transport
	name   string
	prefix string
	secret string // scrubbed from errors
	host   string
	log    *slog.Logger
}

func openBucket(ctx context.Context, u *url.URL, opts *store.Options) (*bucket, error) {
	cfg, err := ParseURL(u, nil)
	if err != nil {
		return nil, err
	}
	return open(ctx, cfg, opts)
}

// open connects to the bucket cfg names, creating it when it does not
// exist, and returns what both store kinds are built on.
func open(ctx context.Context, cfg Config, opts *store.Options) (*bucket, error) {
	tr, err := minio.DefaultTransport(cfg.Secure)
	if err != nil {
		return nil, err
	}
	tr.DialContext = (&net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}).DialContext
	tr.TLSHandshakeTimeout = dialTimeout
	tr.MaxIdleConnsPerHost = 64
	var creds *credentials.Credentials
	if cfg.AccessKey != "" {
		creds = credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, "")
	} else {
		creds = credentials.NewStatic("", "", "", credentials.SignatureAnonymous)
	}
	c, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:      creds,
		Secure:     cfg.Secure,
		Region:     cfg.Region,
		Transport:  tr,
		MaxRetries: cfg.Retries,
	})
	if err != nil {
		return nil, fmt.Errorf("s3 client for %s: %s", cfg.Endpoint, scrub(err.Error(), cfg.SecretKey))
	}
	b := &bucket{c: c, tr: tr, name: cfg.Bucket, prefix: cfg.Prefix, secret: cfg.SecretKey, host: cfg.Endpoint, log: opts.Log()}
	if err := b.ensure(ctx, cfg.Region); err != nil {
		tr.CloseIdleConnections()
		return nil, err
	}
	return b, nil
}

// ensure checks the bucket answers and creates it when it is missing.
func (b *bucket) ensure(ctx context.Context, region string) error {
	ok, err := b.c.BucketExists(ctx, b.name)
	for wait := 100 * time.Millisecond; err != nil && minio.ToErrorResponse(err).Code == "XMinioServerNotInitialized" && wait < 5*time.Second; wait *= 2 {
		// A MinIO that is starting answers before it serves: wait a
		// little, as a user starting both at once would want.
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		ok, err = b.c.BucketExists(ctx, b.name)
	}
	if err != nil {
		return b.err("check bucket", err)
	}
	if ok {
		return nil
	}
	err = b.c.MakeBucket(ctx, b.name, minio.MakeBucketOptions{Region: region})
	if err != nil {
		switch minio.ToErrorResponse(err).Code {
		case "BucketAlreadyOwnedByYou":
			return nil // made by a racing opener
		case "BucketAlreadyExists":
			return fmt.Errorf("bucket %s belongs to another account: pick another name", b.name)
		}
		return b.err("create bucket", err)
	}
	b.log.Info("s3: created bucket", "host", b.host, "bucket", b.name)
	return nil
}

func (b *bucket) key(parts ...string) string {
	return b.prefix + strings.Join(parts, "/")
}

// shardKey is the key of an object named by a hash: kind/ab/abcd...ext.
func (b *bucket) shardKey(kind, hash, ext string) string {
	return b.prefix + kind + "/" + hash[:2] + "/" + hash + ext
}

// err turns a client error into one line that says what failed and why,
// maps the answers callers branch on to chain's sentinels, and never holds
// the secret.
func (b *bucket) err(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var ue *url.Error
	var er minio.ErrorResponse
	if !errors.As(err, &er) && !errors.As(err, &ue) {
		// Not from the server or the wire: the caller's reader failed
		// (chain.ErrTampered, say), and the caller branches on it.
		return err
	}
	resp := minio.ToErrorResponse(err)
	switch resp.Code {
	case "NoSuchKey":
		return chain.ErrNotFound
	case "PreconditionFailed":
		return chain.ErrExists
	case "NoSuchBucket":
		return fmt.Errorf("%s: bucket %s does not exist", op, b.name)
	case "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken":
		return fmt.Errorf("%s: access denied by %s (%s): check the access key and secret (in the URL or %s and %s)", op, b.host, resp.Code, EnvAccessKey, EnvSecretKey)
	}
	switch resp.StatusCode {
	case http.StatusNotFound:
		return chain.ErrNotFound
	case http.StatusPreconditionFailed:
		return chain.ErrExists
	}
	if ue != nil {
		// The transport failed: name the host and the cause, not the
		// request URL.
		return fmt.Errorf("%s: cannot reach %s: %s", op, b.host, scrub(ue.Err.Error(), b.secret))
	}
	msg := err.Error()
	if resp.Code != "" && resp.Message != "" {
		msg = resp.Code + ": " + resp.Message
	}
	return fmt.Errorf("%s: %s", op, scrub(oneLine(msg), b.secret))
}

// scrub removes secret from s, in case a server or library quotes it.
// Secrets shorter than any server accepts (MinIO wants 8 characters) are
// left alone: replacing them would garble the message.
func scrub(s, secret string) string {
	if len(secret) < 8 {
		return s
	}
	return strings.ReplaceAll(s, secret, "xxxxx")
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func (b *bucket) close() error {
	b.tr.CloseIdleConnections()
	return nil
}
