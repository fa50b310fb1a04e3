package httpcapture

import (
	"net/netip"
	"testing"

	"github.com/gabriel-vasile/mimetype"
)

func TestMIMERules(t *testing.T) {
	png := mimetype.Detect([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"))
	text := mimetype.Detect([]byte("hello"))
	for _, tc := range []struct {
		name string
		r    MIMERules
		m    *mimetype.MIME
		want bool
	}{
		{"no rules", MIMERules{}, png, true},
		{"family", MIMERules{Allow: []string{"image/*"}}, png, true},
		{"other family", MIMERules{Allow: []string{"text/*"}}, png, false},
		{"text with charset", MIMERules{Allow: []string{"text/plain"}}, text, true},
		{"block beats allow", MIMERules{Allow: []string{"image/*"}, Block: []string{"image/png"}}, png, false},
		{"case", MIMERules{Block: []string{"IMAGE/PNG"}}, png, false},
	} {
		if got, why := tc.r.Permit(tc.m); got != tc.want {
			t.Errorf("%s: Permit(%s) = %v (%s); want %v", tc.name, tc.m, got, why, tc.want)
		}
	}
}

func FuzzParsePrefixes(f *testing.F) {
	for _, s := range []string{"10.0.0.0/8", "192.0.2.7", "::1/128", "::ffff:10.0.0.1", "2001:db8::/33", "::ffff:10.0.0.0/104", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ps, err := ParsePrefixes("ip-allow", []string{s})
		if err != nil {
			return
		}
		for _, p := range ps {
			if !p.IsValid() || p != p.Masked() {
				t.Fatalf("ParsePrefixes(%q) gave %s", s, p)
			}
			// An address of the prefix is permitted by allow, refused by block.
			a := p.Addr()
			if ok, _ := (IPRules{Allow: ps}).Permit(a); !ok {
				t.Fatalf("%s not allowed by %s", a, p)
			}
			if ok, _ := (IPRules{Block: ps}).Permit(netip.AddrFrom16(a.As16()).Unmap()); ok {
				t.Fatalf("%s not blocked by %s", a, p)
			}
		}
	})
}
