package chain

import (
	"bytes"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// Canonical returns the RFC 8785 canonical JSON of the receipt, exactly
// the bytes it has inside its block's canonical document: the leaf bytes
// of the chain's Merkle tree (docs/FORMAT.md, "Merkle tree").
func (r Receipt) Canonical() ([]byte, error) {
	if !utf8.ValidString(r.Type) || !utf8.ValidString(r.Hash) || !utf8.ValidString(string(r.Crypt)) {
		return nil, fmt.Errorf("%w receipt %.16s: a field is not valid UTF-8", ErrInvalid, r.Hash)
	}
	var w bytes.Buffer
	w.Grow(160 + len(r.Meta))
	if err := appendReceipt(&w, &r); err != nil {
		return nil, fmt.Errorf("%w meta of receipt %.16s: %v", ErrInvalid, r.Hash, err)
	}
	return w.Bytes(), nil
}

// appendReceipt writes r as canonical JSON; keys in RFC 8785 order:
// crypt, hash, length, meta, type.
func appendReceipt(w *bytes.Buffer, r *Receipt) error {
	w.WriteString(`{"crypt":`)
	writeString(w, string(r.Crypt))
	w.WriteString(`,"hash":`)
	writeString(w, r.Hash)
	w.WriteString(`,"length":`)
	w.WriteString(strconv.FormatInt(r.Length, 10))
	if len(r.Meta) > 0 {
		m, err := canonicalMeta(r.Meta)
		if err != nil {
			return err
		}
		w.WriteString(`,"meta":`)
		w.Write(m)
	}
	w.WriteString(`,"type":`)
	writeString(w, r.Type)
	w.WriteByte('}')
	return nil
}
