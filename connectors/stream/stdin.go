package stream

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/blockhub/blockhub/connectors"
)

// readStdin reads lines from standard input to its end, capturing a
// partial batch once it is ttl old. A read cannot be interrupted: when ctx
// ends, the partial batch is yielded and the reading goroutine is left to
// end with the input.
func (s *Source) readStdin(ctx context.Context, yield func(connectors.Chunk, error) bool) error {
	type block struct {
		b   []byte
		err error
	}
	blocks := make(chan block, 4)
	quit := make(chan struct{})
	defer close(quit)
	go func() {
		defer close(blocks)
		for {
			buf := make([]byte, 64<<10)
			n, err := s.o.Stdin.Read(buf)
			select {
			case blocks <- block{buf[:n], err}:
			case <-quit:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	from := origin{path: "-"}
	b := newBatch(&s.o)
	var l lineBuf
	l.num = 1
	stopped := false
	flush := func() bool {
		c, ok, err := b.take(from, "")
		switch {
		case err != nil:
			yield(c, err)
			stopped = true
		case ok && !yield(c, nil):
			stopped = true
		}
		return !stopped
	}
	add := func(line []byte, num int, start, end int64) bool {
		if b.add(line, num, start, end, time.Now()) {
			return flush()
		}
		return true
	}
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		wait := time.Hour
		if due, left := b.due(time.Now()); due {
			if !flush() {
				return nil
			}
		} else if left > 0 {
			wait = left
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			flush()
			return nil
		case <-timer.C:
		case blk, open := <-blocks:
			if !open {
				return nil
			}
			if !l.feed(blk.b, add) {
				return nil
			}
			if blk.err == io.EOF {
				if l.rest(add) {
					flush()
				}
				return nil
			}
			if blk.err != nil {
				flush()
				return fmt.Errorf("stream: stdin: %w", blk.err)
			}
		}
	}
}
