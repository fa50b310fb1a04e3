package emit

import (
	"bytes"
	"testing"
)

func TestJunk(t *testing.T) {
	for _, n := range []int64{0, 1, 7, 64 << 10, 200_001} {
		var a, b bytes.Buffer
		if err := Junk(&a, n, 1); err != nil {
			t.Fatal(err)
		}
		if err := Junk(&b, n, 1); err != nil {
			t.Fatal(err)
		}
		if int64(a.Len()) != n {
			t.Errorf("Junk(%d) wrote %d bytes", n, a.Len())
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Errorf("Junk(%d) differs between two runs", n)
		}
	}
	var a, b bytes.Buffer
	_ = Junk(&a, 64, 1)
	_ = Junk(&b, 64, 2)
	if bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("seeds 1 and 2 give the same junk")
	}
	if err := Junk(&a, -1, 1); err == nil {
		t.Error("a negative size: got no error")
	}
}
