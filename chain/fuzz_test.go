package chain_test

import (
	"bytes"
	"testing"

	"github.com/blockhub/blockhub/chain"
)

// FuzzDecodeBlock: any input decodes to a checked block or an error, never
// a panic; a block that decodes re-encodes to a document that decodes to
// the same block.
func FuzzDecodeBlock(f *testing.F) {
	good, _ := sampleBlock(f).Encode()
	f.Add(good)
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"assets":[{"meta":{"a":1e400}}]}`))
	f.Add([]byte(`{"crypt":"md5","id":"","height":18446744073709551615}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		b, err := chain.DecodeBlock(doc)
		if err != nil {
			return
		}
		again, err := b.Encode()
		if err != nil {
			t.Fatalf("Encode of a decoded block: %v", err)
		}
		b2, err := chain.DecodeBlock(again)
		if err != nil {
			t.Fatalf("re-encoded block does not decode: %v\n%s", err, again)
		}
		c1, _ := b.Canonical(true)
		c2, _ := b2.Canonical(true)
		if !bytes.Equal(c1, c2) {
			t.Fatalf("round trip changed the block")
		}
	})
}

// FuzzCanonical: the canonical encoder agrees with jcs for any strings.
func FuzzCanonical(f *testing.F) {
	f.Add("text/csv", `{"k":"v"}`)
	f.Add("a\"b\\c\x01\u2028", `{"z":1,"a":[1.5,-0,1e21]}`)
	f.Fuzz(func(t *testing.T, typ, meta string) {
		b := sampleBlock(t)
		b.Assets[0].Type = typ
		b.Assets[0].Meta = []byte(meta)
		if !validObject(meta) {
			return
		}
		if _, err := b.Canonical(false); err != nil {
			return // meta jcs refuses (numbers out of range, ...)
		}
		checkCanonical(t, b)
	})
}
