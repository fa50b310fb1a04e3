package chain

import (
	"bytes"
	"unicode/utf8"

	"github.com/gowebpki/jcs"
)

// maxMetaDepth bounds the nesting of meta that the quick check below
// follows; deeper meta is left to jcs.
const maxMetaDepth = 32

// The quick check that a receipt's meta is already in RFC 8785 canonical
// form, so the fast block decoder need not run jcs.Transform on it (which
// builds a tree, sorts and writes the object again). It follows a common
// subset of canonical JSON only:
//
//   - keys of printable ASCII with no escapes, in strictly increasing byte
//     order (for ASCII that is RFC 8785's UTF-16 order, and it rules out
//     duplicates);
//   - strings of valid UTF-8, escaped exactly as RFC 8785 writes them;
//   - integers of at most 15 digits, without "-0": a float64 holds them
//     exactly, so RFC 8785 writes them as they are;
//   - true, false, null, arrays, and objects nested at most maxMetaDepth deep.
//
// Anything outside it (floats, exponents, non-ASCII or escaped keys, deeper
// nesting) gets false, and the block goes to the slow path, where jcs
// decides. So false means "not canonical, or not sure".

// canonicalMeta returns meta in canonical form: meta itself when the
// quick check finds it canonical already (as it is once Seal has run, so
// the builder's Seal, ComputeID and Encode transform each meta once, not
// three times), else what jcs.Transform makes of it.
func canonicalMeta(meta []byte) ([]byte, error) {
	s := scanner{doc: meta}
	if s.canonicalObject(0) && s.at == len(meta) {
		return meta, nil
	}
	return jcs.Transform(meta)
}

// canonicalObject consumes a canonical JSON object.
func (s *scanner) canonicalObject(depth int) bool {
	if depth >= maxMetaDepth || !s.skip(`{`) {
		return false
	}
	var prev []byte
	for first := true; !s.skip(`}`); first = false {
		if !first && !s.skip(`,`) {
			return false
		}
		key, ok := s.canonicalKey()
		if !ok || !first && bytes.Compare(prev, key) >= 0 || !s.skip(`:`) || !s.canonicalValue(depth+1) {
			return false
		}
		prev = key
	}
	return true
}

// canonicalKey consumes a key of printable ASCII without escapes and
// returns its bytes.
func (s *scanner) canonicalKey() ([]byte, bool) {
	if !s.skip(`"`) {
		return nil, false
	}
	from := s.at
	for ; s.at < len(s.doc); s.at++ {
		switch c := s.doc[s.at]; {
		case c == '"':
			s.at++
			return s.doc[from : s.at-1], true
		case c < 0x20 || c == '\\' || c >= utf8.RuneSelf:
			return nil, false
		}
	}
	return nil, false
}

// canonicalValue consumes any canonical JSON value of the subset.
func (s *scanner) canonicalValue(depth int) bool {
	if s.at >= len(s.doc) {
		return false
	}
	switch s.doc[s.at] {
	case '{':
		return s.canonicalObject(depth)
	case '[':
		return s.canonicalArray(depth)
	case '"':
		return s.canonicalString()
	case 't':
		return s.skip(`true`)
	case 'f':
		return s.skip(`false`)
	case 'n':
		return s.skip(`null`)
	}
	return s.canonicalInteger()
}

// canonicalArray consumes an array of canonical values.
func (s *scanner) canonicalArray(depth int) bool {
	if depth >= maxMetaDepth || !s.skip(`[`) {
		return false
	}
	for first := true; !s.skip(`]`); first = false {
		if !first && !s.skip(`,`) || !s.canonicalValue(depth+1) {
			return false
		}
	}
	return true
}

// canonicalString consumes a string of valid UTF-8 escaped as RFC 8785
// escapes it: only '"', '\\' and the control characters.
func (s *scanner) canonicalString() bool {
	if !s.skip(`"`) {
		return false
	}
	from := s.at
	for s.at < len(s.doc) {
		switch c := s.doc[s.at]; {
		case c == '"':
			// Escapes are ASCII, so the raw text is valid UTF-8 exactly
			// when the value is.
			ok := utf8.Valid(s.doc[from:s.at])
			s.at++
			return ok
		case c < 0x20:
			return false
		case c == '\\':
			if !s.canonicalEscape() {
				return false
			}
		default:
			s.at++
		}
	}
	return false
}

// canonicalEscape consumes an escape as RFC 8785 writes it: \" \\ \b \t
// \n \f \r, and \u00xx in lower-case hex for the other control characters.
func (s *scanner) canonicalEscape() bool {
	rest := s.doc[s.at:]
	if len(rest) < 2 {
		return false
	}
	switch rest[1] {
	case '"', '\\', 'b', 't', 'n', 'f', 'r':
		s.at += 2
		return true
	case 'u':
		if len(rest) < 6 || rest[2] != '0' || rest[3] != '0' || rest[4] != '0' && rest[4] != '1' {
			return false
		}
		lo := bytes.IndexByte([]byte("0123456789abcdef"), rest[5])
		if lo < 0 {
			return false
		}
		switch c := (rest[4]-'0')<<4 | byte(lo); c {
		case '\b', '\t', '\n', '\f', '\r':
			return false // these have a short escape
		}
		s.at += 6
		return true
	}
	return false
}

// canonicalInteger consumes an integer of at most 15 digits with no
// leading zero, and not "-0".
func (s *scanner) canonicalInteger() bool {
	neg := s.skip(`-`)
	from := s.at
	for s.at < len(s.doc) && '0' <= s.doc[s.at] && s.doc[s.at] <= '9' {
		s.at++
	}
	digits := s.at - from
	if digits == 0 || digits > 15 {
		return false
	}
	return s.doc[from] != '0' || digits == 1 && !neg
}
