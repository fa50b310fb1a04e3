// Package testenv finds, for tests, the servers that scripts/testservers.sh
// starts and exports (see docs/TESTING.md). It imports no BlockHub package.
package testenv

import (
	"net/url"
	"os"
	"testing"
)

// The variables that name the test servers.
const (
	MySQL = "BH_TEST_MYSQL" // mysql://root@127.0.0.1:3306/bhtest
	Mongo = "BH_TEST_MONGO" // mongodb://127.0.0.1:PORT/bhtest (FerretDB)
	S3    = "BH_TEST_S3"    // s3://KEY:SECRET@127.0.0.1:PORT/bhtest?secure=false (MinIO)
	AMQP  = "BH_TEST_AMQP"  // amqp://guest:guest@127.0.0.1:5672/ (RabbitMQ)
	// Chromium is not a server but the browser the console's tests drive:
	// the path of its binary (/usr/bin/chromium, the Debian package).
	Chromium = "BH_TEST_CHROMIUM"
)

var servers = map[string]string{MySQL: "MariaDB", Mongo: "a MongoDB-wire server", S3: "MinIO", AMQP: "RabbitMQ", Chromium: "Chromium (the Debian package chromium, installed where missing)"}

// URL returns the URL in the variable name. When it is unset the test
// fails, naming scripts/test, so a run without servers cannot pass
// quietly; under -short it is skipped instead.
func URL(t testing.TB, name string) string {
	t.Helper()
	u := os.Getenv(name)
	switch {
	case u != "":
		return u
	case testing.Short():
		t.Skip(name + " not set; skipped under -short")
	}
	what := servers[name]
	if what == "" {
		what = "the test servers"
	}
	t.Fatal(name + " not set: run the tests with scripts/test, which starts " + what + " and exports it (or go test -short to skip)")
	return ""
}

// ParsedURL is URL, parsed.
func ParsedURL(t testing.TB, name string) *url.URL {
	t.Helper()
	u, err := url.Parse(URL(t, name))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return u
}
