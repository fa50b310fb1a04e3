package store

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/blockhub/blockhub/chain/store/driver"
	"github.com/blockhub/blockhub/internal/openurl"
)

// Opener opens the drivers of one URL scheme. The URL is parsed; plain
// paths arrive as file URLs with an absolute Path.
type Opener interface {
	OpenAssets(ctx context.Context, u *url.URL, opts *Options) (driver.AssetStore, error)
	OpenBlocks(ctx context.Context, u *url.URL, opts *Options) (driver.BlockStore, error)
}

// Options tune how a store is opened. A nil *Options means the defaults.
type Options struct {
	// Logger receives driver logs; nil discards them.
	Logger *slog.Logger
}

// Log returns the logger to use, never nil.
func (o *Options) Log() *slog.Logger {
	if o == nil || o.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return o.Logger
}

var openers = openurl.New[Opener]("store: scheme")

// Register makes a driver available under scheme. It panics when the
// scheme is registered twice: that is a programming error.
func Register(scheme string, o Opener) { openers.Register(scheme, o) }

// Schemes lists the registered URL schemes, sorted.
func Schemes() []string { return openers.Schemes() }

// ParseURL parses a store URL. Paths without a scheme ("./dir", "/abs",
// "dir") become file URLs with an absolute path.
func ParseURL(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, fmt.Errorf("store: empty URL: give a folder, file://, mem://, s3://, mysql:// or mongodb:// URL")
	}
	if !strings.Contains(raw, "://") {
		abs, err := filepath.Abs(raw)
		if err != nil {
			return nil, fmt.Errorf("store %q: %w", raw, err)
		}
		return &url.URL{Scheme: "file", Path: abs}, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("store %s: bad URL: %v", Redact(raw), redactErr(err))
	}
	if u.Scheme == "file" && u.Host != "" && u.Host != "localhost" {
		return nil, fmt.Errorf("store %s: a file URL takes an absolute path (file:///abs/dir)", Redact(raw))
	}
	return u, nil
}

func lookup(raw string) (*url.URL, Opener, error) {
	u, err := ParseURL(raw)
	if err != nil {
		return nil, nil, err
	}
	o, ok := openers.Lookup(u.Scheme)
	if !ok {
		return nil, nil, fmt.Errorf("store %s: unknown scheme %q (known: %s)", Redact(raw), u.Scheme, strings.Join(Schemes(), ", "))
	}
	return u, o, nil
}

// OpenAssets opens the asset store at rawURL.
func OpenAssets(ctx context.Context, rawURL string, opts *Options) (*Assets, error) {
	u, o, err := lookup(rawURL)
	if err != nil {
		return nil, err
	}
	d, err := o.OpenAssets(ctx, u, opts)
	if err != nil {
		return nil, fmt.Errorf("asset store %s: %w", Redact(rawURL), err)
	}
	return NewAssets(d, rawURL), nil
}

// OpenBlocks opens the block store at rawURL.
func OpenBlocks(ctx context.Context, rawURL string, opts *Options) (*Blocks, error) {
	u, o, err := lookup(rawURL)
	if err != nil {
		return nil, err
	}
	d, err := o.OpenBlocks(ctx, u, opts)
	if err != nil {
		return nil, fmt.Errorf("block store %s: %w", Redact(rawURL), err)
	}
	return NewBlocks(d, rawURL), nil
}

// Redact returns rawURL with any password or secret replaced by "xxxxx",
// for printing and logging. Every error this package returns names stores
// through it.
func Redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		// Unparseable: keep the scheme and drop whatever may hold a secret.
		if i := strings.Index(rawURL, "://"); i >= 0 {
			rest := rawURL[i+3:]
			if j := strings.LastIndex(rest, "@"); j >= 0 {
				return rawURL[:i+3] + "xxxxx@" + rest[j+1:]
			}
		}
		return rawURL
	}
	q := u.Query()
	changed := false
	for k := range q {
		switch strings.ToLower(k) {
		case "secret", "password", "secret_key", "secretkey", "token":
			q.Set(k, "xxxxx")
			changed = true
		}
	}
	if changed {
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// redactErr drops the URL that url.Parse quotes in its errors, since it may
// hold a password.
func redactErr(err error) string {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err.Error()
	}
	return err.Error()
}
