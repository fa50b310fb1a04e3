package connectortest

import (
	"errors"
	"strings"
	"testing"

	"github.com/blockhub/blockhub/connectors"
)

// New makes a source as bhctl import does: it looks up the connector
// registered as name and calls its spec's constructor with the arguments,
// option values and common options, failing t on an error.
func New(t testing.TB, name string, args []string, v connectors.Values, c connectors.Common) connectors.Source {
	t.Helper()
	spec, err := connectors.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	src, err := spec.New(args, v, c)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// CheckNew calls the constructor of the connector registered as name
// with the arguments, option values and common options. With want "" it
// must succeed; otherwise it must fail with a usage error that says want
// and does not hold the word "secret" (the password in the tests' URLs).
func CheckNew(t testing.TB, name string, args []string, v connectors.Values, c connectors.Common, want string) {
	t.Helper()
	spec, err := connectors.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	_, err = spec.New(args, v, c)
	switch {
	case want == "" && err != nil:
		t.Fatalf("err = %v", err)
	case want == "":
		return
	case err == nil:
		t.Fatalf("no error; want %q", want)
	case !strings.Contains(err.Error(), want):
		t.Errorf("err = %q; want it to say %q", err, want)
	}
	var ue *connectors.UsageError
	if !errors.As(err, &ue) {
		t.Errorf("err %v is not a usage error", err)
	}
	if strings.Contains(err.Error(), "secret") {
		t.Errorf("err %q holds the password", err)
	}
}

// CheckError fails t unless err says want and is a usage error exactly
// when usage is true (a mistake in the command line, not in the input).
func CheckError(t testing.TB, err error, want string, usage bool) {
	t.Helper()
	var ue *connectors.UsageError
	if err == nil || !strings.Contains(err.Error(), want) || errors.As(err, &ue) != usage {
		t.Fatalf("error %v (usage error: %t), want %q (usage error: %t)", err, errors.As(err, &ue), want, usage)
	}
}
