package emit

import (
	"encoding/binary"
	"fmt"
	"io"
)

// Junk writes n random bytes: data that is no text, no image and no known
// format, for the "invalid buffer" cases of the connectors.
func Junk(w io.Writer, n int64, seed uint64) error {
	if n < 0 {
		return fmt.Errorf("junk: size %d is negative", n)
	}
	src := newSource(seed, streamJunk)
	buf := make([]byte, 64<<10)
	for n > 0 {
		for i := 0; i < len(buf); i += 8 {
			binary.LittleEndian.PutUint64(buf[i:], src.uint64())
		}
		chunk := buf[:min(n, int64(len(buf)))]
		if _, err := w.Write(chunk); err != nil {
			return fmt.Errorf("junk: %w", err)
		}
		n -= int64(len(chunk))
	}
	return nil
}
