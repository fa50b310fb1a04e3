package httpcapture

import (
	"errors"
	"fmt"
	"io"

	"github.com/blockhub/blockhub/internal/sensitive"
)

// sensitiveError refuses a body under Sensitive "block" (answered 422).
type sensitiveError struct{ f sensitive.Finding }

func (e sensitiveError) Error() string {
	return fmt.Sprintf("body holds sensitive data (%s on line %d); refused by --sensitive=block", e.f.Kind, e.f.Line)
}

// scanReader scans a body as it is read (in constant memory, see
// sensitive.Stream); under block it ends a body holding sensitive data
// with a sensitiveError instead of io.EOF, so that nothing is stored.
type scanReader struct {
	r     io.Reader
	scan  sensitive.Stream
	block bool
}

func (s *scanReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	s.scan.Write(p[:n])
	if errors.Is(err, io.EOF) && s.block {
		if found := s.scan.Findings(); len(found) > 0 {
			return n, sensitiveError{found[0]}
		}
	}
	return n, err
}
