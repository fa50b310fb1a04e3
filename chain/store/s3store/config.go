package s3store

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/minio/minio-go/v7/pkg/s3utils"
)

// Environment variables that hold the credentials when the URL does not.
const (
	EnvAccessKey = "BH_S3_ACCESS_KEY"
	EnvSecretKey = "BH_S3_SECRET_KEY"
)

// DefaultRetries is how many times a failed request is tried in all,
// unless the URL says retries=.
const DefaultRetries = 3

// Config is what an s3:// URL says.
type Config struct {
	Endpoint  string // host[:port]
	Bucket    string
	Prefix    string // "" or "a/b/", always ending in "/"
	AccessKey string
	SecretKey string
	Secure    bool
	Region    string // "" lets the client ask the server
	Retries   int
}

// queryKeys are the options an s3:// URL may carry.
var queryKeys = map[string]bool{"secure": true, "region": true, "retries": true}

// ParseURL reads an s3:// URL; credentials missing from it come from
// getenv (os.Getenv when nil). Errors never quote the secret.
func ParseURL(u *url.URL, getenv func(string) string) (Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	if u.Scheme != Scheme {
		return Config{}, fmt.Errorf("not an s3:// URL")
	}
	if u.Opaque != "" || u.Host == "" {
		return Config{}, errors.New("no host: use s3://[key:secret@]host:port/bucket/prefix")
	}
	c := Config{Endpoint: u.Host, Secure: true, Retries: DefaultRetries}
	if strings.HasSuffix(c.Endpoint, ":") {
		return Config{}, fmt.Errorf("host %q has an empty port", c.Endpoint)
	}
	p := strings.Trim(u.Path, "/")
	if p == "" {
		return Config{}, errors.New("no bucket: use s3://host:port/bucket/prefix")
	}
	bucket, prefix, _ := strings.Cut(p, "/")
	if err := s3utils.CheckValidBucketNameStrict(bucket); err != nil {
		return Config{}, fmt.Errorf("bucket %q: %v", bucket, err)
	}
	c.Bucket = bucket
	if prefix != "" {
		clean := path.Clean(prefix)
		if clean != prefix || path.IsAbs(clean) || clean == "." || clean == ".." || strings.HasPrefix(clean, "../") {
			return Config{}, fmt.Errorf("prefix %q: use a plain path such as data/chains", prefix)
		}
		c.Prefix = clean + "/"
	}
	if u.User != nil {
		c.AccessKey = u.User.Username()
		c.SecretKey, _ = u.User.Password()
	}
	if c.AccessKey == "" {
		c.AccessKey = getenv(EnvAccessKey)
	}
	if c.SecretKey == "" {
		c.SecretKey = getenv(EnvSecretKey)
	}
	if (c.AccessKey == "") != (c.SecretKey == "") {
		return Config{}, fmt.Errorf("an access key needs a secret and the other way round: give both in the URL or in %s and %s", EnvAccessKey, EnvSecretKey)
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return Config{}, fmt.Errorf("bad query: %v", err)
	}
	for k, vs := range q {
		if !queryKeys[k] {
			return Config{}, fmt.Errorf("unknown option %q (known: %s)", k, strings.Join(knownKeys(), ", "))
		}
		if len(vs) != 1 {
			return Config{}, fmt.Errorf("option %s given %d times", k, len(vs))
		}
	}
	if v := q.Get("secure"); v != "" {
		if c.Secure, err = strconv.ParseBool(v); err != nil {
			return Config{}, fmt.Errorf("secure=%q: want true or false", v)
		}
	}
	c.Region = q.Get("region")
	if v := q.Get("retries"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return Config{}, fmt.Errorf("retries=%q: want a count from 1 to 100", v)
		}
		c.Retries = n
	}
	return c, nil
}

func knownKeys() []string {
	ks := make([]string, 0, len(queryKeys))
	for k := range queryKeys {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
