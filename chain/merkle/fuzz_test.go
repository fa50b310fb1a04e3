package merkle

import (
	"bytes"
	"testing"
)

// FuzzParseCheckpoint: whatever parses writes back as the same text.
func FuzzParseCheckpoint(f *testing.F) {
	f.Add("blockhub/9d61d6461faa42aac1056e8d4839eeeaab4d553347759146fd897ce2b9e32927\n11\nKFYG165ot2ikLIZZJF7Mgcw2XN9+Ypn+wNn4Czo9qnU=\n")
	f.Add("o\n0\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\next\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, text string) {
		c, err := ParseCheckpoint(text)
		if err != nil {
			return
		}
		again, err := ParseCheckpoint(c.Text())
		if err != nil || again != c {
			t.Fatalf("%q parsed to %+v, which writes %q, which parses to %+v (%v)", text, c, c.Text(), again, err)
		}
	})
}

// FuzzDecodeHead: a head that decodes encodes to one that decodes the same.
func FuzzDecodeHead(f *testing.F) {
	h := Head{Size: 3, Height: 1, Block: "ab", edge: [][]byte{make([]byte, 96)}, bedge: make([]byte, 2*entrySize)}
	f.Add(h.encode())
	f.Add([]byte(`{"tile_height":8,"size":0,"root":"` + string(bytes.Repeat([]byte("0"), 64)) + `"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := decodeHead(b)
		if err != nil {
			return
		}
		again, err := decodeHead(h.encode())
		if err != nil || again.Size != h.Size || again.Root != h.Root || again.Block != h.Block {
			t.Fatalf("head %+v re-decodes as %+v (%v)", h, again, err)
		}
	})
}
