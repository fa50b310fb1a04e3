package merkle_test

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"math/bits"
)

// An RFC 6962 / RFC 9162 tree and proof verifier written from the RFC's
// text, apart from the library the package uses, so a test can tell that
// both agree.

func leafHash(b []byte) []byte {
	h := sha256.New()
	h.Write([]byte{0})
	h.Write(b)
	return h.Sum(nil)
}

func nodeHash(l, r []byte) []byte {
	h := sha256.New()
	h.Write([]byte{1})
	h.Write(l)
	h.Write(r)
	return h.Sum(nil)
}

// mth is RFC 6962 §2.1 MTH over leaf hashes: split at the largest power
// of two smaller than n.
func mth(leaves [][]byte) []byte {
	n := len(leaves)
	if n == 0 {
		s := sha256.Sum256(nil)
		return s[:]
	}
	if n == 1 {
		return leaves[0]
	}
	k := 1 << (bits.Len(uint(n-1)) - 1)
	return nodeHash(mth(leaves[:k]), mth(leaves[k:]))
}

// verifyInclusion is RFC 9162 §2.1.3.2.
func verifyInclusion(index, size uint64, leaf []byte, path [][]byte, root []byte) error {
	if index >= size {
		return errors.New("index beyond size")
	}
	fn, sn := index, size-1
	r := leaf
	for _, p := range path {
		if sn == 0 {
			return errors.New("path too long")
		}
		if fn&1 == 1 || fn == sn {
			r = nodeHash(p, r)
			if fn&1 == 0 {
				for fn&1 == 0 && fn != 0 {
					fn >>= 1
					sn >>= 1
				}
			}
		} else {
			r = nodeHash(r, p)
		}
		fn >>= 1
		sn >>= 1
	}
	if sn != 0 {
		return errors.New("path too short")
	}
	if !bytes.Equal(r, root) {
		return errors.New("root mismatch")
	}
	return nil
}

// verifyConsistency is RFC 9162 §2.1.4.2.
func verifyConsistency(first, second uint64, firstRoot, secondRoot []byte, path [][]byte) error {
	if first == second {
		if len(path) != 0 || !bytes.Equal(firstRoot, secondRoot) {
			return errors.New("equal sizes want an empty proof and equal roots")
		}
		return nil
	}
	if first == 0 || first > second || len(path) == 0 {
		return errors.New("bad sizes or empty proof")
	}
	if first&(first-1) == 0 { // a power of two: prepend first_hash
		path = append([][]byte{firstRoot}, path...)
	}
	fn, sn := first-1, second-1
	for fn&1 == 1 {
		fn >>= 1
		sn >>= 1
	}
	fr, sr := path[0], path[0]
	for _, c := range path[1:] {
		if sn == 0 {
			return errors.New("path too long")
		}
		if fn&1 == 1 || fn == sn {
			fr = nodeHash(c, fr)
			sr = nodeHash(c, sr)
			if fn&1 == 0 {
				for fn&1 == 0 && fn != 0 {
					fn >>= 1
					sn >>= 1
				}
			}
		} else {
			sr = nodeHash(sr, c)
		}
		fn >>= 1
		sn >>= 1
	}
	if sn != 0 {
		return errors.New("path too short")
	}
	if !bytes.Equal(fr, firstRoot) || !bytes.Equal(sr, secondRoot) {
		return errors.New("root mismatch")
	}
	return nil
}
