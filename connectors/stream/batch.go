package stream

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/blockhub/blockhub/connectors"
	"github.com/blockhub/blockhub/internal/records"
)

// maxLine is the longest line kept whole; a longer one is cut there, so
// that a file with no line ends cannot take all memory.
const maxLine = 16 << 20

// headSize is how much of a file's start its fingerprint ("head") covers.
const headSize = 4096

// identity tells files apart: device and inode (zero where there are
// none).
type identity struct{ Dev, Ino uint64 }

// lineBuf cuts bytes into lines, keeping a partial last line until its
// line end comes.
type lineBuf struct {
	buf []byte // the partial line
	off int64  // offset of buf[0] in the input
	num int    // number of the next line, 1-based
}

// pos is the offset of the next byte to read.
func (l *lineBuf) pos() int64 { return l.off + int64(len(l.buf)) }

// reset starts over at offset off, line num.
func (l *lineBuf) reset(off int64, num int) {
	l.buf, l.off, l.num = l.buf[:0], off, num
}

// feed takes the next bytes and calls fn for each line they complete,
// its line end included; it returns false as soon as fn does. line
// aliases the buffer: fn copies what it keeps.
func (l *lineBuf) feed(b []byte, fn func(line []byte, num int, start, end int64) bool) bool {
	l.buf = append(l.buf, b...)
	i := 0
	for {
		j := bytes.IndexByte(l.buf[i:], '\n')
		if j < 0 {
			if len(l.buf)-i < maxLine {
				break
			}
			j = maxLine - 1 // cut an over-long line
		}
		end := i + j + 1
		if !fn(l.buf[i:end], l.num, l.off+int64(i), l.off+int64(end)) {
			return false
		}
		l.num++
		i = end
	}
	n := copy(l.buf, l.buf[i:])
	l.buf = l.buf[:n]
	l.off += int64(i)
	return true
}

// rest hands the partial line to fn as a last line: at the end of stdin,
// or of a file rotated away.
func (l *lineBuf) rest(fn func(line []byte, num int, start, end int64) bool) bool {
	if len(l.buf) == 0 {
		return true
	}
	ok := fn(l.buf, l.num, l.off, l.pos())
	l.num++
	l.reset(l.pos(), l.num)
	return ok
}

// origin is what a batch's lines were read from.
type origin struct {
	path string // absolute, or "-" for stdin
	id   identity
	head []byte // the file's first bytes, up to headSize (nil on stdin)
	file bool
}

// batch gathers the kept lines of one origin into a chunk.
type batch struct {
	o           *Options
	data        []byte
	rows        [][]any // with Format
	n           int
	first, last int
	start, end  int64
	since       time.Time // when the first line came
}

func newBatch(o *Options) *batch { return &batch{o: o} }

// keep tells whether a line passes --include and --exclude.
func (b *batch) keep(text []byte) bool {
	if len(b.o.Include) > 0 {
		found := false
		for _, re := range b.o.Include {
			if re.Match(text) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	for _, re := range b.o.Exclude {
		if re.Match(text) {
			return false
		}
	}
	return true
}

// add takes a line if the filters keep it; it reports whether the batch
// is full.
func (b *batch) add(line []byte, num int, start, end int64, now time.Time) (full bool) {
	text := bytes.TrimSuffix(bytes.TrimSuffix(line, []byte{'\n'}), []byte{'\r'})
	if !b.keep(text) {
		return false
	}
	if b.n == 0 {
		b.first, b.start, b.since = num, start, now
	}
	b.n++
	b.last, b.end = num, end
	if b.o.Format == "" {
		b.data = append(b.data, line...)
		if line[len(line)-1] != '\n' {
			b.data = append(b.data, '\n')
		}
	} else {
		b.rows = append(b.rows, []any{string(text)})
	}
	return b.n >= b.o.Rows
}

// due tells whether a partial batch has waited its ttl at now, and how
// long until it will otherwise.
func (b *batch) due(now time.Time) (bool, time.Duration) {
	if b.n == 0 {
		return false, -1
	}
	left := b.o.TTL - now.Sub(b.since)
	return left <= 0, left
}

// take returns the batch as a chunk and empties it; ok is false when it
// holds no line.
func (b *batch) take(from origin, key string) (c connectors.Chunk, ok bool, err error) {
	if b.n == 0 {
		return c, false, nil
	}
	meta := map[string]any{
		"path":   from.path,
		"lines":  [2]int{b.first, b.last},
		"offset": [2]int64{b.start, b.end},
	}
	if from.file {
		meta["dev"], meta["ino"] = from.id.Dev, from.id.Ino
		meta["head"] = headSum(from.head, b.end)
	}
	c = connectors.Chunk{Data: b.data, Type: "text/plain", Meta: meta, Key: key, Records: b.n, Done: b.end}
	if b.o.Format != "" {
		data, err := records.Encode(b.o.Format, []string{"line"}, b.rows)
		if err != nil {
			return c, false, fmt.Errorf("stream: %s: %w", from.path, err)
		}
		c.Data, c.Type = data, records.ContentType(b.o.Format)
	}
	*b = batch{o: b.o, data: make([]byte, 0, len(b.data))}
	return c, true, nil
}

// headSum is the fingerprint of a file read up to end: the hash of its
// first min(end, headSize) bytes.
func headSum(head []byte, end int64) string {
	n := min(int64(len(head)), end, headSize)
	s := sha256.Sum256(head[:n])
	return hex.EncodeToString(s[:])
}
