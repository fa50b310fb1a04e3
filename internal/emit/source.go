package emit

import (
	"math/bits"
	"math/rand/v2"
)

// source is a cheap deterministic random number generator. It reduces PCG
// output itself rather than through rand.Rand so that the numbers stay the
// same whatever the Go version does to rand.Rand's helpers.
type source struct {
	pcg rand.PCG
}

// Streams of one seed: each purpose draws from its own stream, so turning on
// Tricky or OddTimes does not shift the values of the rows.
const (
	streamValues uint64 = 0x9e3779b97f4a7c15 + iota
	streamTricky
	streamTimes
	streamShuffle
	streamJunk
	streamImage
)

func newSource(seed, stream uint64) *source {
	s := &source{}
	s.pcg.Seed(seed, stream)
	return s
}

func (s *source) uint64() uint64 { return s.pcg.Uint64() }

// intn returns a number in [0, n) (n > 0), by Lemire's multiply-shift
// reduction; its bias, below n/2^64, does not matter for test data.
func (s *source) intn(n int) int {
	hi, _ := bits.Mul64(s.pcg.Uint64(), uint64(n))
	return int(hi)
}

// between returns a number in [lo, hi].
func (s *source) between(lo, hi int64) int64 {
	return lo + int64(s.intn(int(hi-lo+1)))
}

// chance reports true with probability num/den.
func (s *source) chance(num, den int) bool { return s.intn(den) < num }

// mix is splitmix64's finalizer: a value that depends only on seed and x,
// used where a field must be computable without generating earlier rows
// (an order's creation time, needed again by its updates).
func mix(seed, x uint64) uint64 {
	z := seed + x*0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
