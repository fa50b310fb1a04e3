package sensitive

import "bytes"

// streamWindow is how much of a stream Scan looks at once, and
// streamOverlap how much of each window is looked at again with the next
// one, so that a match across two windows (the longest Scan reports, a
// PEM header or a spaced card number, is well under 100 bytes) is found.
const (
	streamWindow  = 1 << 20
	streamOverlap = 4 << 10
)

// Stream scans a stream written to it (an io.Writer: tee the input into
// it) in windows, in constant memory whatever its length. Findings gives
// one Finding per kind, with the line of its first occurrence in the
// whole stream.
type Stream struct {
	buf   []byte
	lines int // newlines before buf[0]
	found []Finding
}

// Write implements io.Writer; it never fails.
func (s *Stream) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		if s.buf == nil {
			// Most streams (a webhook body, one CSV chunk) are far
			// shorter than a window: the buffer grows to one as needed.
			s.buf = make([]byte, 0, min(streamWindow, max(len(p), 64<<10)))
		}
		k := min(len(p), streamWindow-len(s.buf))
		s.buf = append(s.buf, p[:k]...)
		p = p[k:]
		if len(s.buf) == streamWindow {
			s.scan()
			keep := len(s.buf) - streamOverlap
			s.lines += bytes.Count(s.buf[:keep], []byte("\n"))
			s.buf = append(s.buf[:0], s.buf[keep:]...)
		}
	}
	return n, nil
}

func (s *Stream) scan() {
	for _, f := range Scan(s.buf) {
		if !s.has(f.Kind) {
			s.found = append(s.found, Finding{Kind: f.Kind, Line: s.lines + f.Line})
		}
	}
}

func (s *Stream) has(kind string) bool {
	for _, f := range s.found {
		if f.Kind == kind {
			return true
		}
	}
	return false
}

// Findings scans what is left and returns what the whole stream holds.
func (s *Stream) Findings() []Finding {
	if len(s.buf) > 0 {
		s.scan()
		s.lines += bytes.Count(s.buf, []byte("\n"))
		s.buf = s.buf[:0]
	}
	return s.found
}
