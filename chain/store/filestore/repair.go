package filestore

import (
	"bytes"
	"errors"
	"io"
	"os"
)

// A put may find a file under the asset's name already. After a power
// loss before Sync that file can have the right size and the wrong
// bytes (zeros, on ext4 without a journal), so it is compared with the
// bytes being put, every time, and replaced when they differ.
//
// Comparing costs two copies and a memcmp per byte: a re-import of 256
// MiB whose every chunk is stored already takes 2% more CPU than when
// existing files were trusted, where hashing them would take 22% more
// (docs/BENCHMARKS.md). A no-op re-import under --prevent-dups never gets
// here: the index skips the chunks the chain holds before they are put.
// Trusting files by age instead (those older than the last Sync) would
// hang on file times and the clock, which a clock step or a copy of the
// store can break.

// errDiffers stops the comparison at the first difference.
var errDiffers = errors.New("bytes differ")

// compareFile reads r to its end beside f. It returns a nil rest when
// they hold the same bytes. Otherwise rest yields every byte of r, for
// a replacement: the part f and r share is read back from f, the rest
// from r. The bytes of r are checked only by r itself (a verifying
// reader fails at its end), so rest must be read to its end too.
func compareFile(f *os.File, r io.Reader) (rest io.Reader, err error) {
	cmpBuf := copyBufs.Get().(*[256 << 10]byte)
	defer copyBufs.Put(cmpBuf)
	c := &fileComparer{f: f, buf: cmpBuf[:]}
	switch err := copyAll(c, r); {
	case errors.Is(err, errDiffers):
		return io.MultiReader(io.NewSectionReader(f, 0, c.same), bytes.NewReader(c.differs), r), nil
	case err != nil:
		return nil, err
	}
	var one [1]byte
	if n, _ := f.ReadAt(one[:], c.same); n > 0 { // f is longer than r
		return io.NewSectionReader(f, 0, c.same), nil
	}
	return nil, nil
}

// fileComparer is an io.Writer that compares what is written with f.
type fileComparer struct {
	f       *os.File
	buf     []byte
	same    int64  // bytes of f equal to what was written
	differs []byte // the write that differed from f, kept for rest
}

func (c *fileComparer) Write(p []byte) (int, error) {
	at := c.same
	for q := p; len(q) > 0; {
		n := min(len(q), len(c.buf))
		m, err := c.f.ReadAt(c.buf[:n], at)
		if err != nil && err != io.EOF {
			return 0, err
		}
		if m < n || !bytes.Equal(c.buf[:n], q[:n]) {
			// p counts as written: the caller's reader has moved past
			// it, so rest takes it from here.
			c.differs = bytes.Clone(p)
			return len(p), errDiffers
		}
		q, at = q[n:], at+int64(n)
	}
	c.same = at
	return len(p), nil
}
