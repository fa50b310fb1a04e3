package filestore

import (
	"bytes"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"testing"
)

// TestDirectWrites writes asset files through tempFile with O_DIRECT:
// whole aligned MiBs go direct, and the first write that cannot (a tail,
// an unaligned or small buffer) turns it off; the file reads back byte
// for byte whatever the mix.
func TestDirectWrites(t *testing.T) {
	root := t.TempDir()
	d, err := open(&url.URL{Path: root}, "assets")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(d.tmp, 0o755); err != nil {
		t.Fatal(err)
	}
	big := new([4 << 20]byte) // a large allocation: page aligned
	rand.NewChaCha8([32]byte{7}).Read(big[:])
	tests := []struct {
		name   string
		writes [][]byte
		direct []bool // t.direct after each write
	}{
		{"aligned MiBs", [][]byte{big[:1<<20], big[1<<20 : 2<<20]}, []bool{true, true}},
		{"aligned then tail", [][]byte{big[:1<<20], big[1<<20 : 1<<20+100]}, []bool{true, false}},
		{"one write with a tail", [][]byte{big[:3<<20+4095]}, []bool{false}},
		{"unaligned buffer", [][]byte{big[1 : 1<<20+1]}, []bool{false}},
		{"small", [][]byte{big[:directMin-directBlock], big[:1<<20]}, []bool{false, false}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := d.newTemp(true)
			if err != nil {
				t.Fatal(err)
			}
			defer f.discard()
			if !f.direct {
				t.Skipf("%s does not take O_DIRECT", d.tmp)
			}
			var want []byte
			for j, w := range tt.writes {
				if n, err := f.Write(w); err != nil || n != len(w) {
					t.Fatalf("write %d = %d, %v; want %d, nil", j, n, err, len(w))
				}
				if f.direct != tt.direct[j] {
					t.Errorf("after write %d direct = %v; want %v", j, f.direct, tt.direct[j])
				}
				want = append(want, w...)
			}
			path := filepath.Join(root, "f"+string(rune('a'+i)))
			if err := d.linkTemp(f, path, true); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(path)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("read back %d bytes, %v; want the %d written", len(got), err, len(want))
			}
		})
	}
}
