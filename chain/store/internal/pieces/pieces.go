// Package pieces holds what drivers share to read an asset a piece at a
// time without losing the hash check's error (it comes with the last
// bytes): the piece size and buffer pool of the drivers that store large
// assets as pieces (rows in MySQL, documents in MongoDB), Fill, and
// ReadUpTo for those that buffer small assets whole (S3, clusters).
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

// ReadUpTo reads r until io.EOF or until it holds more than limit bytes.
// done says r ended (and so passed the caller's checks); err is what r
// returned instead of io.EOF. size is r's length when known (-1 if not).
func ReadUpTo(r io.Reader, size, limit int64) (buf []byte, done bool, err error) {
	c := min(limit+1, 64<<10)
	if size >= 0 && size < limit {
		c = size + 1 // room to see io.EOF without growing
	}
	buf = make([]byte, 0, c)
	for int64(len(buf)) <= limit {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, true, nil
		}
		if err != nil {
			return nil, false, err
		}
	}
	return buf, false, nil
}
