package httpcapture_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/blockhub/blockhub/connectors/httpcapture"
)

// --sensitive=block refuses bodies holding sensitive data with 422 and
// stores nothing, whether the body is held in memory or spooled (over 1
// MiB); warn captures them with the findings in the body's meta.
func TestSensitive(t *testing.T) {
	big := strings.Repeat("filler line\n", 200_000) + "ssn 078-05-1120\n" // 2.4 MB: spooled
	for _, body := range []string{"name,ssn\nann,078-05-1120\n", big} {
		f := newFixture(t, &httpcapture.Options{Sensitive: "block"})
		rec := f.do(t, post(body))
		if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "ssn on line") {
			t.Errorf("%d-byte body: status %d (%s); want 422 naming the ssn", len(body), rec.Code, strings.TrimSpace(rec.Body.String()))
		}
		n := 0
		for _, err := range f.hub.Assets.All(t.Context()) {
			if err != nil {
				t.Fatal(err)
			}
			n++
		}
		if n != 1 { // the chain's settings
			t.Errorf("%d-byte body refused, but %d asset(s) stored; want only the chain's settings", len(body), n)
		}
		if ok := f.do(t, post("nothing to see\n")); ok.Code != http.StatusCreated {
			t.Errorf("a clean body under block: status %d", ok.Code)
		}
	}
	f := newFixture(t, &httpcapture.Options{Sensitive: "warn"})
	rc := receipt(t, f.do(t, post(big)))
	if m := string(f.onChain(t)[rc.Body].Meta); !strings.Contains(m, `"sensitive":[{"kind":"ssn","line":200001}]`) {
		t.Errorf("body meta %s; want the ssn finding on line 200001", m)
	}
}
