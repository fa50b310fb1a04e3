package csv

import (
	"encoding/hex"
	"hash"
)

// prefixHasher hashes a file's bytes in order on a goroutine of its own,
// beside the scan, and tells the digest at marked places: the "prefix" of
// each chunk, and the whole file's hash at its end.
type prefixHasher struct {
	in   chan hashItem
	done chan struct{}
	free chan []byte // read buffers done with, for the splitter to reuse
}

type hashItem struct {
	b    []byte
	sum  chan string
	free []byte
}

// startHasher starts hashing with h, which may hold bytes already.
func startHasher(h hash.Hash) *prefixHasher {
	p := &prefixHasher{in: make(chan hashItem, 64), done: make(chan struct{}), free: make(chan []byte, 4)}
	go func() {
		defer close(p.done)
		for it := range p.in {
			if it.b != nil {
				h.Write(it.b)
			}
			if it.sum != nil {
				it.sum <- hex.EncodeToString(h.Sum(nil))
			}
			if it.free != nil {
				select {
				case p.free <- it.free:
				default:
				}
			}
		}
	}()
	return p
}

// write queues b, which must not change afterwards.
func (p *prefixHasher) write(b []byte) {
	if len(b) > 0 {
		p.in <- hashItem{b: b}
	}
}

// mark returns where the digest of every byte written so far will be
// sent.
func (p *prefixHasher) mark() <-chan string {
	c := make(chan string, 1)
	p.in <- hashItem{sum: c}
	return c
}

// release hands back a read buffer once the bytes of it written before
// are hashed.
func (p *prefixHasher) release(b []byte) { p.in <- hashItem{free: b} }

// spare returns a released buffer, or nil.
func (p *prefixHasher) spare() []byte {
	select {
	case b := <-p.free:
		return b
	default:
		return nil
	}
}

// close stops the goroutine once it has hashed what was queued.
func (p *prefixHasher) close() {
	close(p.in)
	<-p.done
}
