// Package pieces holds what the drivers that store large assets as pieces
// (rows in MySQL, documents in MongoDB) share: the piece size, a pool of
// piece buffers, and reading one piece without losing the hash check's
// error.
package pieces

import (
	"io"
	"sync"
)

// Size is the size of the pieces a large asset is stored in; an asset of
// less than Size bytes is stored whole.
const Size = 1 << 20

var pool = sync.Pool{New: func() any { b := make([]byte, Size); return &b }}

// Buffer returns a Size-byte buffer; give it back with Release.
func Buffer() *[]byte { return pool.Get().(*[]byte) }

// Release returns a buffer from Buffer.
func Release(b *[]byte) { pool.Put(b) }

// Fill reads r until buf is full or r ends (eof) or fails. Unlike
// io.ReadFull it never drops an error that comes with the last bytes: the
// hash check reports a mismatch that way.
func Fill(r io.Reader, buf []byte) (n int, eof bool, err error) {
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if err == io.EOF {
			return n, true, nil
		}
		if err != nil {
			return n, false, err
		}
	}
	return n, false, nil
}
