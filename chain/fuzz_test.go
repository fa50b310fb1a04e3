package chain_test

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/blockhub/blockhub/chain"
)

// FuzzDecodeBlock: any input decodes to a checked block or an error, never
// a panic; DecodeBlock's fast path accepts only what the general path
// accepts, and decodes it to the same block; a block that decodes
// re-encodes to a document that decodes to the same block.
func FuzzDecodeBlock(f *testing.F) {
	good, _ := sampleBlock(f).Encode()
	f.Add(good)
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"assets":[{"meta":{"a":1e400}}]}`))
	f.Add([]byte(`{"crypt":"md5","id":"","height":18446744073709551615}`))
	for _, b := range soundBlocks(f) {
		doc, _ := b.Encode()
		f.Add(doc)
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		if fast, ok := chain.DecodeCanonical(doc); ok {
			general, err := chain.DecodeGeneral(doc)
			if err != nil {
				t.Fatalf("fast path accepts what the general path refuses (%v):\n%s", err, doc)
			}
			if !reflect.DeepEqual(fast, general) {
				t.Fatalf("fast path decodes\n%#v\nthe general path\n%#v", fast, general)
			}
		}
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

// FuzzDecodePaths holds DecodeBlock's fast path to the general one on
// blocks whose id is right, where a fault would otherwise hide behind a
// hash mismatch: the fuzzer writes the raw text of a receipt's meta, type
// and length and of the block's height into a block document, whose id
// is then computed (the digest of the document without its "id" member).
func FuzzDecodePaths(f *testing.F) {
	f.Add(`{"bytes":[0,64],"source":"pipe"}`, "application/octet-stream", "64", "1")
	f.Add(`{"a":{"b":[true,false,null,-1,0]},"s":"x\u001f\"\\\n"}`, `a\"b`, "0", "0")
	f.Add(`{"price":10.5,"é":1e21}`, "text/csv", "18446744073709551615", "01")
	f.Add(`{"a":1,"a":2}`, "\u0041", "-0", "1.0")
	f.Fuzz(func(t *testing.T, meta, typ, length, height string) {
		chainID, prev, link := `""`, `""`, strings.Repeat("b", 64)
		if height != "0" {
			chainID, prev = `"`+strings.Repeat("c", 64)+`"`, `"`+strings.Repeat("d", 64)+`"`
		}
		head := `{"assets":[{"crypt":"sha256","hash":"` + strings.Repeat("a", 64) + `","length":` + length +
			`,"meta":` + meta + `,"type":"` + typ + `"}],"chain":` + chainID + `,"crypt":"sha256","height":` + height
		tail := `,"prev":` + prev + `,"time":"2026-11-24T10:00:00.000000000Z"}`
		doc := []byte(head + `,"id":"` + chain.SHA256.Sum([]byte(head+tail)) + `","next":"` + link + `"` + tail)
		fast, ok := chain.DecodeCanonical(doc)
		general, err := chain.DecodeGeneral(doc)
		if !ok {
			return
		}
		if err != nil {
			t.Fatalf("fast path accepts what the general path refuses (%v):\n%s", err, doc)
		}
		if !reflect.DeepEqual(fast, general) {
			t.Fatalf("fast path decodes\n%#v\nthe general path\n%#v", fast, general)
		}
	})
}
