package pieces

import (
	"errors"
	"strings"
	"testing"
	"testing/iotest"
)

var errMismatch = errors.New("hash mismatch")

// lastBytes returns s, then err alongside the last bytes, as the
// verifying reader does.
type lastBytes struct {
	s   string
	err error
}

func (l *lastBytes) Read(p []byte) (int, error) {
	n := copy(p, l.s)
	l.s = l.s[n:]
	if l.s == "" {
		return n, l.err
	}
	return n, nil
}

func TestFill(t *testing.T) {
	buf := make([]byte, 4)
	n, eof, err := Fill(iotest.OneByteReader(strings.NewReader("abcdef")), buf)
	if n != 4 || eof || err != nil || string(buf) != "abcd" {
		t.Fatalf("Fill(full) = %d, %v, %v, %q", n, eof, err, buf)
	}
	n, eof, err = Fill(strings.NewReader("ab"), buf)
	if n != 2 || !eof || err != nil {
		t.Fatalf("Fill(short) = %d, %v, %v", n, eof, err)
	}
	if _, _, err = Fill(&lastBytes{"ab", errMismatch}, buf); !errors.Is(err, errMismatch) {
		t.Fatalf("Fill dropped the error that came with the last bytes: %v", err)
	}
}

func TestReadUpTo(t *testing.T) {
	tests := []struct {
		in          string
		size, limit int64
		done        bool
		n           int
	}{
		{"hello", 5, 10, true, 5},
		{"hello", -1, 10, true, 5},
		{"hello world", -1, 4, false, 5}, // stops once past the limit
		{"", 0, 4, true, 0},
	}
	for _, tt := range tests {
		buf, done, err := ReadUpTo(iotest.HalfReader(strings.NewReader(tt.in)), tt.size, tt.limit)
		if err != nil || done != tt.done || len(buf) < tt.n || (tt.done && string(buf) != tt.in) {
			t.Errorf("ReadUpTo(%q, %d, %d) = %q, %v, %v", tt.in, tt.size, tt.limit, buf, done, err)
		}
	}
	if _, _, err := ReadUpTo(&lastBytes{"ab", errMismatch}, -1, 10); !errors.Is(err, errMismatch) {
		t.Fatalf("ReadUpTo dropped the error: %v", err)
	}
}
