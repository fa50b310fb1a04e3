package chain

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
)

// Crypt names a hash function, as written in a block's and a receipt's
// "crypt" field.
type Crypt string

// The hash functions a chain may use. SHA256 is the default; MD5 exists
// because the notes ask for it where speed matters more than collision
// resistance.
const (
	SHA256 Crypt = "sha256"
	MD5    Crypt = "md5"
)

// DefaultCrypt is the hash function of a chain created without --hash.
const DefaultCrypt = SHA256

// ParseCrypt returns the Crypt named s ("" means the default), or an error
// matching ErrInvalid.
func ParseCrypt(s string) (Crypt, error) {
	switch Crypt(s) {
	case "":
		return DefaultCrypt, nil
	case SHA256, MD5:
		return Crypt(s), nil
	}
	return "", fmt.Errorf("%w hash function %q (want sha256 or md5)", ErrInvalid, s)
}

// New returns a fresh hash.Hash for c; it panics on an unknown Crypt, which
// ParseCrypt and Block checks rule out before.
func (c Crypt) New() hash.Hash {
	switch c {
	case SHA256:
		return sha256.New()
	case MD5:
		return md5.New()
	}
	panic("chain: unknown crypt " + string(c))
}

// HexLen is the length of a hex digest of c, 0 for an unknown Crypt.
func (c Crypt) HexLen() int {
	switch c {
	case SHA256:
		return 2 * sha256.Size
	case MD5:
		return 2 * md5.Size
	}
	return 0
}

// Sum returns the lower-case hex digest of b.
func (c Crypt) Sum(b []byte) string {
	switch c {
	case SHA256:
		s := sha256.Sum256(b)
		return hex.EncodeToString(s[:])
	case MD5:
		s := md5.Sum(b)
		return hex.EncodeToString(s[:])
	}
	panic("chain: unknown crypt " + string(c))
}

// IsHex reports whether s is lower-case hex of a length some Crypt produces.
// Stores call it on every id and hash before it becomes a key or a path, so
// "../../etc/passwd" never reaches a file system.
func IsHex(s string) bool { return isHex(s) }

// isHex is IsHex for a string or for bytes (the fast block decoder's).
func isHex[T ~string | ~[]byte](s T) bool {
	if len(s) != SHA256.HexLen() && len(s) != MD5.HexLen() {
		return false
	}
	var bad uint8
	for i := 0; i < len(s); i++ {
		bad |= notHex[s[i]]
	}
	return bad == 0
}

// notHex is 1 for every byte that is not a lower-case hex digit. isHex ORs
// it over an id, with no branch per byte to mispredict: a walk checks
// several ids for every block it reads.
var notHex = func() (t [256]uint8) {
	for i := range t {
		t[i] = 1
	}
	for _, c := range "0123456789abcdef" {
		t[c] = 0
	}
	return t
}()

// CheckHex returns nil when s is a valid hash or block id, else an error
// matching ErrInvalid that quotes it.
func CheckHex(what, s string) error {
	if !IsHex(s) {
		return fmt.Errorf("%w %s %q: want lower-case hex of 32 (md5) or 64 (sha256) characters", ErrInvalid, what, s)
	}
	return nil
}
