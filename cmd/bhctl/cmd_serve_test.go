package main

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseServeHTTP(t *testing.T) {
	ok := serveHTTPFlags{listen: "127.0.0.1:8080", maxSize: "32MiB", responseCode: 201, shutdownTimeout: time.Second, readTimeout: time.Minute, idleTimeout: time.Minute}
	with := func(f func(*serveHTTPFlags)) serveHTTPFlags { o := ok; f(&o); return o }
	for _, tc := range []struct {
		name  string
		flags serveHTTPFlags
		err   string
	}{
		{"defaults", ok, ""},
		{"cidrs", with(func(o *serveHTTPFlags) {
			o.ipAllow = []string{"10.0.0.0/8,192.0.2.7"}
			o.ipBlock = []string{"10.9.0.0/16"}
		}), ""},
		{"bad cidr", with(func(o *serveHTTPFlags) { o.ipAllow = []string{"10.0.0.0/40"} }), "--ip-allow"},
		{"bad block", with(func(o *serveHTTPFlags) { o.ipBlock = []string{"nowhere"} }), "--ip-block"},
		{"size units", with(func(o *serveHTTPFlags) { o.maxSize = "1.2gb" }), ""},
		{"bad size", with(func(o *serveHTTPFlags) { o.maxSize = "lots" }), "--max-size"},
		{"zero size", with(func(o *serveHTTPFlags) { o.maxSize = "0" }), "--max-size"},
		{"bad listen", with(func(o *serveHTTPFlags) { o.listen = "8080" }), "--listen"},
		{"bad code", with(func(o *serveHTTPFlags) { o.responseCode = 500 }), "--response-code"},
		{"bad timeout", with(func(o *serveHTTPFlags) { o.shutdownTimeout = 0 }), "--shutdown-timeout"},
		{"bad read timeout", with(func(o *serveHTTPFlags) { o.readTimeout = -time.Second }), "--read-timeout"},
		{"bad idle timeout", with(func(o *serveHTTPFlags) { o.idleTimeout = 0 }), "--idle-timeout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o, err := parseServeHTTP(tc.flags)
			if tc.err == "" {
				if err != nil {
					t.Fatalf("got %v; want no error", err)
				}
				if o.MaxSize <= 0 {
					t.Errorf("max size %d; want > 0", o.MaxSize)
				}
				return
			}
			var ue usageError
			if err == nil || !strings.Contains(err.Error(), tc.err) || !errors.As(err, &ue) {
				t.Fatalf("got %v; want a usage error naming %s", err, tc.err)
			}
		})
	}
}
