package emit

import (
	"bufio"
	"io"
)

// lineFormat writes rows as lines of text: CSV or JSON lines.
type lineFormat interface {
	appendHeader(b []byte) []byte
	appendRow(b []byte, r *row) []byte
}

// writeLines writes the header and then the rows o asks for, through one
// buffer, appending each row straight into the buffer's free space.
func writeLines(w io.Writer, o Options, f lineFormat) error {
	bw := bufio.NewWriterSize(w, 256<<10)
	header := f.appendHeader(nil)
	if _, err := bw.Write(header); err != nil {
		return err
	}
	written := int64(len(header))
	g := newGenerator(o)
	for i := int64(0); o.Bytes > 0 || i < o.Rows; i++ {
		line := f.appendRow(bw.AvailableBuffer(), g.next())
		if o.Bytes > 0 && written+int64(len(line)) > o.Bytes {
			break
		}
		written += int64(len(line))
		if _, err := bw.Write(line); err != nil {
			return err
		}
	}
	return bw.Flush()
}
