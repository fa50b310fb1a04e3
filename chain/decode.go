package chain

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"time"
	"unicode/utf8"
)

// DecodeBlock parses a stored block document and checks it against the
// format (see Check). Any fault is an error matching ErrInvalid or
// ErrTampered, never a panic. When the document parsed but failed the
// checks, the parsed block is returned with the error, so a verifier that
// reports and goes on can follow its links. The block does not share
// memory with doc: the caller may reuse doc once DecodeBlock returns.
//
// A sound block is read by a fast path (decodeCanonical); anything that
// path is unsure of goes to the general one (decodeGeneral), which decides
// and words the error. Both accept exactly the same documents.
func DecodeBlock(doc []byte) (Block, error) {
	if b, ok := decodeCanonical(doc); ok {
		return b, nil
	}
	return decodeGeneral(doc)
}

// decodeGeneral is DecodeBlock for any document: encoding/json, Check,
// then a comparison with the block encoded again.
func decodeGeneral(doc []byte) (Block, error) {
	var b Block
	d := json.NewDecoder(bytes.NewReader(doc))
	d.DisallowUnknownFields()
	if err := d.Decode(&b); err != nil {
		return Block{}, fmt.Errorf("%w block document: %v", ErrInvalid, err)
	}
	if d.More() {
		return Block{}, fmt.Errorf("%w block document: trailing data", ErrInvalid)
	}
	if err := b.Check(); err != nil {
		return b, err
	}
	// Only the canonical form is a block: a reformatted document, or one
	// with duplicate or differently cased keys or needless escapes, could
	// be read otherwise by another parser while hashing the same.
	if enc, err := b.Encode(); err != nil || !bytes.Equal(enc, doc) {
		return b, fmt.Errorf("%w block %s: the stored document is not in canonical form (RFC 8785)", ErrInvalid, b.ID)
	}
	return b, nil
}

// decodeCanonical is DecodeBlock's fast path, for sound blocks. A sound
// stored block is canonical JSON, so it can only be laid out one way: the
// keys in a fixed order, no whitespace, every string and number in its one
// canonical spelling. decodeCanonical reads that layout directly, with no
// reflection, and checks the id without encoding the block again: the id's
// input is the stored document with its "id" (and "next") member cut out.
//
// It returns ok only for a block that decodeGeneral would return with no
// error, and then the same block (FuzzDecodeBlock and FuzzDecodePaths hold
// it to that). Faults and rare spellings it does not follow (an escaped
// character in a type, a float or a non-ASCII key in meta) give ok =
// false, and DecodeBlock asks decodeGeneral.
func decodeCanonical(doc []byte) (b Block, ok bool) {
	s := scanner{doc: doc}
	if !s.skip(`{"assets":[`) {
		return Block{}, false
	}
	b.Assets = []Receipt{}
	for first := true; !s.skip(`]`); first = false {
		if !first && !s.skip(`,`) {
			return Block{}, false
		}
		r, ok := s.receipt()
		if !ok {
			return Block{}, false
		}
		b.Assets = append(b.Assets, r)
	}
	if !s.skip(`,"chain":`) {
		return Block{}, false
	}
	chain, ok := s.plainString()
	if !ok || !s.skip(`,"crypt":`) {
		return Block{}, false
	}
	if b.Crypt, ok = s.crypt(); !ok || !s.skip(`,"height":`) {
		return Block{}, false
	}
	if b.Height, ok = s.integer(math.MaxUint64); !ok {
		return Block{}, false
	}
	// The id's input runs up to here, then resumes after "id" and "next".
	idFrom := s.at
	if !s.skip(`,"id":`) {
		return Block{}, false
	}
	id, ok := s.plainString()
	if !ok || len(id) != b.Crypt.HexLen() || !isHex(id) {
		return Block{}, false
	}
	var next []byte
	if s.skip(`,"next":`) {
		if next, ok = s.plainString(); !ok || !isHex(next) {
			return Block{}, false
		}
	}
	idTo := s.at
	if !s.skip(`,"prev":`) {
		return Block{}, false
	}
	prev, ok := s.plainString()
	if !ok || !s.skip(`,"time":`) {
		return Block{}, false
	}
	stamp, ok := s.plainString()
	if !ok || !s.skip(`}`) || s.at != len(doc) {
		return Block{}, false
	}
	if b.Height == 0 {
		if len(chain) != 0 || len(prev) != 0 {
			return Block{}, false
		}
	} else if !isHex(chain) || !isHex(prev) {
		return Block{}, false
	}
	b.Time = string(stamp)
	if _, err := time.Parse(time.RFC3339Nano, b.Time); err != nil {
		return Block{}, false
	}
	if !idMatches(b.Crypt, id, doc[:idFrom], doc[idTo:]) {
		return Block{}, false
	}
	b.Chain, b.ID, b.Prev, b.Next = string(chain), string(id), string(prev), string(next)
	return b, true
}

// idMatches reports whether the hex digest, with c, of head followed by
// tail is id. The two pieces are copied into one buffer on the stack
// (for a usual block) so that hashing them allocates nothing.
func idMatches(c Crypt, id, head, tail []byte) bool {
	var buf [1024]byte
	in := append(append(buf[:0], head...), tail...)
	var sum []byte
	switch c {
	case SHA256:
		s := sha256.Sum256(in)
		sum = s[:]
	case MD5:
		s := md5.Sum(in)
		sum = s[:]
	default:
		return false
	}
	var hexSum [2 * sha256.Size]byte
	n := hex.Encode(hexSum[:], sum)
	return bytes.Equal(hexSum[:n], id)
}

// scanner reads a canonical document from left to right. Each method
// consumes what it reads and reports false, having consumed an unknown
// amount, when the document does not go on as it expects.
type scanner struct {
	doc []byte
	at  int
}

// skip consumes lit when the document goes on with it.
func (s *scanner) skip(lit string) bool {
	if len(s.doc)-s.at < len(lit) || string(s.doc[s.at:s.at+len(lit)]) != lit {
		return false
	}
	s.at += len(lit)
	return true
}

// plainString consumes a string with no escapes and no control characters
// (so its bytes are its value) and returns its value. Every id, hash,
// crypt and time is such a string; a type that is not goes to the slow
// path.
func (s *scanner) plainString() ([]byte, bool) {
	if s.at >= len(s.doc) || s.doc[s.at] != '"' {
		return nil, false
	}
	from := s.at + 1
	for i := from; i < len(s.doc); i++ {
		switch c := s.doc[i]; {
		case c == '"':
			s.at = i + 1
			return s.doc[from:i], true
		case c == '\\' || c < 0x20:
			return nil, false
		}
	}
	return nil, false
}

// crypt consumes a string naming a known hash function.
func (s *scanner) crypt() (Crypt, bool) {
	switch {
	case s.skip(`"sha256"`):
		return SHA256, true
	case s.skip(`"md5"`):
		return MD5, true
	}
	return "", false
}

// integer consumes a non-negative integer written canonically (no sign,
// no leading zero, no fraction or exponent) of at most max.
func (s *scanner) integer(max uint64) (uint64, bool) {
	from := s.at
	var n uint64
	for ; s.at < len(s.doc) && '0' <= s.doc[s.at] && s.doc[s.at] <= '9'; s.at++ {
		d := uint64(s.doc[s.at] - '0')
		if n > (max-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	digits := s.at - from
	return n, digits == 1 || digits > 1 && s.doc[from] != '0'
}

// receipt consumes one receipt object.
func (s *scanner) receipt() (r Receipt, ok bool) {
	if !s.skip(`{"crypt":`) {
		return Receipt{}, false
	}
	if r.Crypt, ok = s.crypt(); !ok || !s.skip(`,"hash":`) {
		return Receipt{}, false
	}
	hash, ok := s.plainString()
	if !ok || len(hash) != r.Crypt.HexLen() || !isHex(hash) || !s.skip(`,"length":`) {
		return Receipt{}, false
	}
	length, ok := s.integer(math.MaxInt64)
	if !ok {
		return Receipt{}, false
	}
	if s.skip(`,"meta":`) {
		from := s.at
		if !s.canonicalObject(0) {
			return Receipt{}, false
		}
		r.Meta = bytes.Clone(s.doc[from:s.at])
	}
	if !s.skip(`,"type":`) {
		return Receipt{}, false
	}
	typ, ok := s.plainString()
	if !ok || !utf8.Valid(typ) || !s.skip(`}`) {
		return Receipt{}, false
	}
	r.Hash, r.Length, r.Type = string(hash), int64(length), string(typ)
	return r, true
}
