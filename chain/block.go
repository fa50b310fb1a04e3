package chain

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"
)

// TimeLayout is how a block's time is written: UTC with nine fractional
// digits, so the strings of one chain sort as their times do.
const TimeLayout = "2006-01-02T15:04:05.000000000Z"

// Receipt names one asset inside a block: its hash, the hash function, its
// length in bytes, its content type and free-form meta (a JSON object).
type Receipt struct {
	Hash   string          `json:"hash"`
	Crypt  Crypt           `json:"crypt"`
	Length int64           `json:"length"`
	Type   string          `json:"type"`
	Meta   json.RawMessage `json:"meta,omitempty"`
}

// Block is one link of a chain, in the pinned format of docs/FORMAT.md.
// Its ID is the digest (with Crypt) of the RFC 8785 canonical JSON of the
// block without "id" and "next"; Next is the only field set after creation.
type Block struct {
	Chain  string    `json:"chain"`
	ID     string    `json:"id"`
	Prev   string    `json:"prev"`
	Next   string    `json:"next,omitempty"`
	Height uint64    `json:"height"`
	Time   string    `json:"time"`
	Crypt  Crypt     `json:"crypt"`
	Assets []Receipt `json:"assets"`
}

// IsRoot reports whether b is the root (height 0) of its chain.
func (b Block) IsRoot() bool { return b.Height == 0 }

// ChainID is the id of the chain b belongs to: its own id for a root.
func (b Block) ChainID() string {
	if b.IsRoot() {
		return b.ID
	}
	return b.Chain
}

// At parses the block's time.
func (b Block) At() (time.Time, error) { return time.Parse(time.RFC3339Nano, b.Time) }

// Stamp returns t in TimeLayout.
func Stamp(t time.Time) string { return t.UTC().Format(TimeLayout) }

// Canonical returns the RFC 8785 canonical JSON of b without "next", with
// "id" only when withID is set. The id is the digest of Canonical(false).
// Meta must already be valid JSON; it is canonicalized by jcs.
func (b Block) Canonical(withID bool) ([]byte, error) {
	// RFC 8785 works on I-JSON: every string must be valid UTF-8.
	if !utf8.ValidString(b.Chain) || !utf8.ValidString(b.Prev) || !utf8.ValidString(b.Time) ||
		!utf8.ValidString(string(b.Crypt)) || !utf8.ValidString(b.ID) {
		return nil, fmt.Errorf("%w block %.16q: a field is not valid UTF-8", ErrInvalid, b.ID)
	}
	for i := range b.Assets {
		r := &b.Assets[i]
		if !utf8.ValidString(r.Type) || !utf8.ValidString(r.Hash) || !utf8.ValidString(string(r.Crypt)) {
			return nil, fmt.Errorf("%w asset %d: a field is not valid UTF-8", ErrInvalid, i)
		}
	}
	// Keys in RFC 8785 order (UTF-16 code units; all ASCII here):
	// assets, chain, crypt, height, id, prev, time.
	var w bytes.Buffer
	w.Grow(256 + 200*len(b.Assets))
	w.WriteString(`{"assets":[`)
	for i := range b.Assets {
		if i > 0 {
			w.WriteByte(',')
		}
		if err := appendReceipt(&w, &b.Assets[i]); err != nil {
			return nil, fmt.Errorf("%w meta of asset %d: %v", ErrInvalid, i, err)
		}
	}
	w.WriteString(`],"chain":`)
	writeString(&w, b.Chain)
	w.WriteString(`,"crypt":`)
	writeString(&w, string(b.Crypt))
	w.WriteString(`,"height":`)
	w.WriteString(strconv.FormatUint(b.Height, 10))
	if withID {
		w.WriteString(`,"id":`)
		writeString(&w, b.ID)
	}
	w.WriteString(`,"prev":`)
	writeString(&w, b.Prev)
	w.WriteString(`,"time":`)
	writeString(&w, b.Time)
	w.WriteByte('}')
	return w.Bytes(), nil
}

// writeString writes s as an RFC 8785 string: only '"', '\\' and control
// characters are escaped, the rest is written as UTF-8.
func writeString(w *bytes.Buffer, s string) {
	const hexdigits = "0123456789abcdef"
	w.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			w.WriteString(`\"`)
		case c == '\\':
			w.WriteString(`\\`)
		case c >= 0x20:
			w.WriteByte(c)
		case c == '\b':
			w.WriteString(`\b`)
		case c == '\t':
			w.WriteString(`\t`)
		case c == '\n':
			w.WriteString(`\n`)
		case c == '\f':
			w.WriteString(`\f`)
		case c == '\r':
			w.WriteString(`\r`)
		default:
			w.WriteString(`\u00`)
			w.WriteByte(hexdigits[c>>4])
			w.WriteByte(hexdigits[c&0xf])
		}
	}
	w.WriteByte('"')
}

// ComputeID returns the id b should have: the hex digest, with b.Crypt, of
// Canonical(false).
func (b Block) ComputeID() (string, error) {
	if _, err := ParseCrypt(string(b.Crypt)); err != nil || b.Crypt == "" {
		return "", fmt.Errorf("%w block crypt %q", ErrInvalid, b.Crypt)
	}
	c, err := b.Canonical(false)
	if err != nil {
		return "", err
	}
	return b.Crypt.Sum(c), nil
}

// Seal canonicalizes every receipt's meta and sets b.ID from the content.
func (b *Block) Seal() error {
	for i := range b.Assets {
		if len(b.Assets[i].Meta) == 0 {
			continue
		}
		m, err := canonicalMeta(b.Assets[i].Meta)
		if err != nil {
			return fmt.Errorf("%w meta of asset %d: %v", ErrInvalid, i, err)
		}
		b.Assets[i].Meta = m
	}
	id, err := b.ComputeID()
	if err != nil {
		return err
	}
	b.ID = id
	return nil
}

// Encode returns the block as stored and printed: canonical JSON with its
// id, and "next" appended when it is set.
func (b Block) Encode() ([]byte, error) {
	c, err := b.Canonical(true)
	if err != nil {
		return nil, err
	}
	if b.Next == "" {
		return c, nil
	}
	// "next" sorts after "height" and "id" but before "prev": keep the
	// document canonical by inserting it there.
	at := bytes.LastIndex(c, []byte(`,"prev":`))
	out := make([]byte, 0, len(c)+80)
	out = append(out, c[:at]...)
	out = append(out, `,"next":"`...)
	out = append(out, b.Next...)
	out = append(out, '"')
	out = append(out, c[at:]...)
	return out, nil
}

// Check verifies that b is well formed and that its id matches its content.
// It does not look at other blocks; the walker checks the links.
func (b Block) Check() error {
	if b.Crypt.HexLen() == 0 {
		return fmt.Errorf("%w block %.16s: unknown crypt %q", ErrInvalid, b.ID, b.Crypt)
	}
	if len(b.ID) != b.Crypt.HexLen() || !IsHex(b.ID) {
		return fmt.Errorf("%w block id %q for crypt %s", ErrInvalid, b.ID, b.Crypt)
	}
	if b.Next != "" && !IsHex(b.Next) {
		return fmt.Errorf("%w block %s: next %q", ErrInvalid, b.ID, b.Next)
	}
	if b.Height == 0 {
		if b.Chain != "" || b.Prev != "" {
			return fmt.Errorf("%w block %s: a root has no chain and no prev", ErrInvalid, b.ID)
		}
	} else if !IsHex(b.Chain) || !IsHex(b.Prev) {
		return fmt.Errorf("%w block %s: height %d needs a chain and a prev id", ErrInvalid, b.ID, b.Height)
	}
	if _, err := time.Parse(time.RFC3339Nano, b.Time); err != nil {
		return fmt.Errorf("%w block %s: time %q", ErrInvalid, b.ID, b.Time)
	}
	for i := range b.Assets {
		r := &b.Assets[i]
		if r.Crypt.HexLen() == 0 || len(r.Hash) != r.Crypt.HexLen() || !IsHex(r.Hash) {
			return fmt.Errorf("%w block %s asset %d: hash %q crypt %q", ErrInvalid, b.ID, i, r.Hash, r.Crypt)
		}
		if r.Length < 0 {
			return fmt.Errorf("%w block %s asset %d: length %d", ErrInvalid, b.ID, i, r.Length)
		}
		if len(r.Meta) > 0 && (r.Meta[0] != '{' || !json.Valid(r.Meta)) {
			return fmt.Errorf("%w block %s asset %d: meta is not a JSON object", ErrInvalid, b.ID, i)
		}
	}
	id, err := b.ComputeID()
	if err != nil {
		return fmt.Errorf("block %s: %w", b.ID, err)
	}
	if id != b.ID {
		return fmt.Errorf("%w: block %s hashes to %s", ErrTampered, b.ID, id)
	}
	return nil
}
