package httpcapture

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/gabriel-vasile/mimetype"
)

// ParsePrefixes parses CIDRs ("10.0.0.0/8", "::1/128") or single
// addresses ("192.168.1.7", taken as /32 or /128) for the option named
// name.
func ParsePrefixes(name string, in []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if p, err := netip.ParsePrefix(s); err == nil {
			// Addresses are compared unmapped: ::ffff:10.0.0.0/104 is 10.0.0.0/8.
			if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
				p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("--%s %q: want a CIDR such as 10.0.0.0/8 or an address", name, s)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// IPRules decide which remote addresses may send: when Allow is not empty
// the address must be in one of its prefixes, and an address in any Block
// prefix is always refused.
type IPRules struct {
	Allow []netip.Prefix
	Block []netip.Prefix
}

// Permit reports whether addr may send, and why not.
func (r IPRules) Permit(addr netip.Addr) (bool, string) {
	addr = addr.Unmap()
	for _, p := range r.Block {
		if p.Contains(addr) {
			return false, fmt.Sprintf("address %s is blocked (%s)", addr, p)
		}
	}
	if len(r.Allow) == 0 {
		return true, ""
	}
	for _, p := range r.Allow {
		if p.Contains(addr) {
			return true, ""
		}
	}
	return false, fmt.Sprintf("address %s is not in an allowed range", addr)
}

// MIMERules decide which sniffed content types are accepted: when Allow
// is not empty the type must match one of its patterns, and a type that
// matches a Block pattern is always refused. A pattern is a type
// ("image/png", matched with its aliases) or a family ("image/*").
type MIMERules struct {
	Allow []string
	Block []string
}

// Permit reports whether a body of type m may be captured, and why not.
func (r MIMERules) Permit(m *mimetype.MIME) (bool, string) {
	for _, p := range r.Block {
		if matchMIME(m, p) {
			return false, fmt.Sprintf("content type %s is blocked (%s)", baseType(m.String()), p)
		}
	}
	if len(r.Allow) == 0 {
		return true, ""
	}
	for _, p := range r.Allow {
		if matchMIME(m, p) {
			return true, ""
		}
	}
	return false, fmt.Sprintf("content type %s is not allowed", baseType(m.String()))
}

func matchMIME(m *mimetype.MIME, pattern string) bool {
	pattern = strings.ToLower(strings.TrimSpace(pattern))
	if family, ok := strings.CutSuffix(pattern, "/*"); ok {
		return strings.HasPrefix(baseType(m.String()), family+"/")
	}
	return pattern == "*" || pattern == "*/*" || m.Is(pattern)
}

// baseType drops parameters: "text/plain; charset=utf-8" -> "text/plain".
func baseType(t string) string {
	t, _, _ = strings.Cut(t, ";")
	return strings.TrimSpace(t)
}
