package cluster

import (
	"fmt"
	"hash/fnv"
	"sort"
	"strconv"
	"strings"
)

// Kind is how a cluster spreads objects over its members.
type Kind int

// The policies.
const (
	// Mirror writes every object to every member and needs all of them to
	// take it; reads come from the first member that has the object.
	Mirror Kind = iota
	// Quorum writes every object to every member and needs N of them to
	// take it.
	Quorum
	// Shard writes each object to N members chosen by its hash
	// (rendezvous hashing) and needs all N to take it.
	Shard
)

// Policy is a cluster's Kind with its N (unused by Mirror).
type Policy struct {
	Kind Kind
	N    int
}

// ParsePolicy reads "mirror" (also ""), "quorum=N" or "shard=N".
func ParsePolicy(s string) (Policy, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "mirror" {
		return Policy{Kind: Mirror}, nil
	}
	name, num, ok := strings.Cut(s, "=")
	var k Kind
	switch name {
	case "quorum":
		k = Quorum
	case "shard":
		k = Shard
	default:
		return Policy{}, fmt.Errorf("cluster policy %q: want mirror, quorum=N or shard=N", s)
	}
	n, err := strconv.Atoi(num)
	if !ok || err != nil || n < 1 {
		return Policy{}, fmt.Errorf("cluster policy %q: N must be a whole number of members, at least 1", s)
	}
	return Policy{Kind: k, N: n}, nil
}

// String is the policy as ParsePolicy reads it.
func (p Policy) String() string {
	switch p.Kind {
	case Quorum:
		return "quorum=" + strconv.Itoa(p.N)
	case Shard:
		return "shard=" + strconv.Itoa(p.N)
	}
	return "mirror"
}

// check refuses a policy that m members cannot meet.
func (p Policy) check(m int) error {
	if m < 1 {
		return fmt.Errorf("cluster: no members")
	}
	if p.Kind != Mirror && (p.N < 1 || p.N > m) {
		return fmt.Errorf("cluster policy %s: needs %d members, %d given", p, p.N, m)
	}
	return nil
}

// need is how many members must take a write for it to succeed.
func (p Policy) need(m int) int {
	if p.Kind == Mirror {
		return m
	}
	return p.N
}

// spread is how many members a write goes to.
func (p Policy) spread(m int) int {
	if p.Kind == Shard {
		return p.N
	}
	return m
}

// reads is how many members a block read asks before it trusts what it
// read: enough that any read meets every write that succeeded
// (reads + need > members) for quorum; one for mirror, where every
// member took every write, and for shard, where the first member of the
// key's order decides.
func (p Policy) reads(m int) int {
	if p.Kind == Quorum {
		return m - p.N + 1
	}
	return 1
}

// rendezvous returns the indexes 0..len(keys)-1 ordered by the highest
// random weight of (member key, object key): every process that has the
// same members puts an object on the same ones, and adding or removing a
// member moves only the objects it gains or loses.
func rendezvous(keys []string, object string) []int {
	type scored struct {
		i int
		w uint64
	}
	s := make([]scored, len(keys))
	for i, k := range keys {
		h := fnv.New64a()
		h.Write([]byte(k))
		h.Write([]byte{0})
		h.Write([]byte(object))
		s[i] = scored{i, mix(h.Sum64())}
	}
	sort.Slice(s, func(a, b int) bool {
		if s[a].w != s[b].w {
			return s[a].w > s[b].w
		}
		return s[a].i < s[b].i
	})
	out := make([]int, len(s))
	for j, x := range s {
		out[j] = x.i
	}
	return out
}

// mix is splitmix64's finalizer: FNV alone spreads similar keys poorly.
func mix(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
