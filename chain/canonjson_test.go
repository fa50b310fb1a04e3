package chain_test

import (
	"bytes"
	"testing"

	"github.com/gowebpki/jcs"

	"github.com/blockhub/blockhub/chain"
)

// FuzzCanonicalMeta holds canonicalMeta to jcs: whatever it returns is
// what jcs.Transform makes of the input, in particular when the quick
// check takes the input as canonical already and returns it unchanged.
// (The block decoders' differential fuzzing cannot see a quick check that
// is too lenient: both paths use it.)
func FuzzCanonicalMeta(f *testing.F) {
	for _, s := range []string{
		`{}`, `{"a":1}`, `{"b":1,"a":2}`, `{"a":1.0}`, `{"a":1e3}`, `{"a":-0}`, `{"a":"\u00e9"}`,
		`{"a":"é"}`, `{"a":"\/"}`, `{"a":"\u001f"}`, `{"a":[1,{"c":null,"b":true}]}`,
		`{"a":1,"a":2}`, `{"é":1,"z":2}`, `{"a":123456789012345678}`, `{"path":"orders.csv","rows":[1,100]}`,
		`{ "a":1}`, `{"a":1} `, `[1]`, `{"a":"x"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, meta []byte) {
		got, err := chain.CanonicalMeta(meta)
		want, werr := jcs.Transform(meta)
		if (err != nil) != (werr != nil) {
			t.Fatalf("canonicalMeta(%q) error %v, jcs %v", meta, err, werr)
		}
		if err == nil && !bytes.Equal(got, want) {
			t.Fatalf("canonicalMeta(%q) = %q, jcs gives %q", meta, got, want)
		}
	})
}
