package bucket

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseURL(t *testing.T) {
	for _, tc := range []struct {
		raw    string
		want   Config
		errHas string
	}{
		{raw: "s3://k:s@127.0.0.1:9000/exports/2026/?secure=false", want: Config{Endpoint: "127.0.0.1:9000", Bucket: "exports", Prefix: "2026/", AccessKey: "k", SecretKey: "s"}},
		{raw: "s3://k:s@host/bkt/logs/app-", want: Config{Endpoint: "host", Bucket: "bkt", Prefix: "logs/app-", AccessKey: "k", SecretKey: "s", Secure: true}},
		{raw: "s3://host/bkt", want: Config{Endpoint: "host", Bucket: "bkt", Secure: true}},
		{raw: "s3://k:sekrit@host/", errHas: "no bucket"},
		{raw: "s3://k:sekrit@host/Bad_Bucket", errHas: "Bad_Bucket"},
		{raw: "s3://k:sekrit@host/bkt?colour=red", errHas: "unknown option"},
		{raw: "http://host/bkt", errHas: "not an s3"},
	} {
		t.Run(tc.raw, func(t *testing.T) {
			got, err := ParseURL(tc.raw)
			if tc.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errHas) {
					t.Fatalf("got %v; want an error naming %q", err, tc.errHas)
				}
				if strings.Contains(err.Error(), "sekrit") {
					t.Errorf("error shows the secret: %v", err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

func TestMatch(t *testing.T) {
	s := &Source{c: Config{Prefix: "in/", Include: []string{"*.csv", "keep/*"}, Exclude: []string{"*tmp*"}}}
	for key, want := range map[string]bool{
		"in/a.csv":          true,
		"in/sub/b.csv":      true,
		"in/a.json":         false,
		"in/keep/x.bin":     true,
		"in/keep/x.tmp":     false,
		"in/a.tmp.csv":      false,
		"in/sub/keep/x.bin": false,
	} {
		if got := s.Match(key); got != want {
			t.Errorf("Match(%q) = %v; want %v", key, got, want)
		}
	}
}

func FuzzParseURL(f *testing.F) {
	f.Add("s3://k:sekrit@h:9000/b/p?secure=false")
	f.Fuzz(func(t *testing.T, raw string) {
		if _, err := ParseURL(raw); err != nil && strings.Contains(err.Error(), "sekrit") && strings.Contains(raw, ":sekrit@") {
			t.Fatalf("error shows the secret: %v", err)
		}
	})
}
