package s3store

import (
	"net/url"
	"strings"
	"testing"
)

func TestParseURL(t *testing.T) {
	env := map[string]string{EnvAccessKey: "envkey", EnvSecretKey: "envsecret"}
	noEnv := map[string]string{}
	tests := []struct {
		raw  string
		env  map[string]string
		want Config
		err  string // part of the error; "" for none
	}{
		{raw: "s3://k:s@127.0.0.1:9000/bucket?secure=false", env: noEnv,
			want: Config{Endpoint: "127.0.0.1:9000", Bucket: "bucket", AccessKey: "k", SecretKey: "s", Retries: DefaultRetries}},
		{raw: "s3://k:s@minio.example.com/bucket/a/b/", env: noEnv,
			want: Config{Endpoint: "minio.example.com", Bucket: "bucket", Prefix: "a/b/", AccessKey: "k", SecretKey: "s", Secure: true, Retries: DefaultRetries}},
		{raw: "s3://s3.amazonaws.com/my-bucket/chains?region=eu-west-1&retries=7", env: env,
			want: Config{Endpoint: "s3.amazonaws.com", Bucket: "my-bucket", Prefix: "chains/", AccessKey: "envkey", SecretKey: "envsecret", Secure: true, Region: "eu-west-1", Retries: 7}},
		{raw: "s3://urlkey:urlsecret@h:1/bkt", env: env,
			want: Config{Endpoint: "h:1", Bucket: "bkt", AccessKey: "urlkey", SecretKey: "urlsecret", Secure: true, Retries: DefaultRetries}},
		{raw: "s3://h:1/b", env: noEnv, err: "bucket"},
		{raw: "s3://h:1/bkt", env: noEnv,
			want: Config{Endpoint: "h:1", Bucket: "bkt", Secure: true, Retries: DefaultRetries}},
		{raw: "s3://p%40ss:s%2Fe%3Acret@h:1/bkt", env: noEnv,
			want: Config{Endpoint: "h:1", Bucket: "bkt", AccessKey: "p@ss", SecretKey: "s/e:cret", Secure: true, Retries: DefaultRetries}},
		{raw: "s3:///bucket", env: noEnv, err: "no host"},
		{raw: "s3://h:9000", env: noEnv, err: "no bucket"},
		{raw: "s3://h:9000/", env: noEnv, err: "no bucket"},
		{raw: "s3://h:9000/Bad_Bucket", env: noEnv, err: "bucket"},
		{raw: "s3://h:9000/b/../x", env: noEnv, err: "bucket"},
		{raw: "s3://h:9000/bkt/a//b", env: noEnv, err: "prefix"},
		{raw: "s3://h:9000/bkt/a/../../b", env: noEnv, err: "prefix"},
		{raw: "s3://h:9000/bkt?secure=flase", env: noEnv, err: "secure="},
		{raw: "s3://h:9000/bkt?secrue=false", env: noEnv, err: `unknown option "secrue"`},
		{raw: "s3://h:9000/bkt?retries=0", env: noEnv, err: "retries="},
		{raw: "s3://key@h:9000/bkt", env: noEnv, err: "needs a secret"},
		{raw: "s3://h:/bkt", env: noEnv, err: "empty port"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			u, err := url.Parse(tt.raw)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ParseURL(u, func(k string) string { return tt.env[k] })
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("ParseURL(%s) err = %v; want one containing %q", tt.raw, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseURL(%s): %v", tt.raw, err)
			}
			if got != tt.want {
				t.Fatalf("ParseURL(%s)\n got %+v\nwant %+v", tt.raw, got, tt.want)
			}
		})
	}
}

// FuzzParseURL checks that no URL makes ParseURL panic or quote the
// secret in its error, and that what it accepts is usable.
func FuzzParseURL(f *testing.F) {
	for _, s := range []string{
		"s3://k:s@127.0.0.1:9000/bucket/prefix?secure=false",
		"s3://h/bkt/a/b?region=x&retries=3",
		"s3://k:topsecret@h:1/Bad_Bucket",
		"s3://k:topsecret@h:1/bkt?secure=maybe",
		"s3://h:1/bkt/../x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := url.Parse(raw)
		if err != nil || u.Scheme != Scheme {
			return
		}
		c, err := ParseURL(u, func(string) string { return "" })
		if err != nil {
			if pw, ok := u.User.Password(); ok && len(pw) > 3 && strings.Contains(err.Error(), pw) {
				t.Fatalf("error %q quotes the secret", err)
			}
			return
		}
		if c.Endpoint == "" || c.Bucket == "" || c.Retries < 1 {
			t.Fatalf("accepted %q as %+v", raw, c)
		}
		if c.Prefix != "" && (!strings.HasSuffix(c.Prefix, "/") || strings.Contains(c.Prefix, "//") || strings.HasPrefix(c.Prefix, "/")) {
			t.Fatalf("prefix %q of %q", c.Prefix, raw)
		}
	})
}
