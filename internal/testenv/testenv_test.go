package testenv

import "testing"

func TestURL(t *testing.T) {
	t.Setenv("BH_TEST_EXAMPLE", "mysql://root@127.0.0.1:3306/x")
	if got := URL(t, "BH_TEST_EXAMPLE"); got != "mysql://root@127.0.0.1:3306/x" {
		t.Fatalf("URL = %q", got)
	}
	if u := ParsedURL(t, "BH_TEST_EXAMPLE"); u.Host != "127.0.0.1:3306" {
		t.Fatalf("ParsedURL host = %q", u.Host)
	}
}
