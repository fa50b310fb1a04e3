package cluster

import (
	"fmt"
	"testing"
)

func TestParsePolicy(t *testing.T) {
	tests := []struct {
		in   string
		want Policy
		err  bool
	}{
		{in: "", want: Policy{Kind: Mirror}},
		{in: "mirror", want: Policy{Kind: Mirror}},
		{in: " quorum=2 ", want: Policy{Kind: Quorum, N: 2}},
		{in: "shard=1", want: Policy{Kind: Shard, N: 1}},
		{in: "quorum", err: true},
		{in: "quorum=", err: true},
		{in: "quorum=0", err: true},
		{in: "quorum=-1", err: true},
		{in: "quorum=two", err: true},
		{in: "shard=2x", err: true},
		{in: "mirror=2", err: true},
		{in: "raid5", err: true},
	}
	for _, tt := range tests {
		got, err := ParsePolicy(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("ParsePolicy(%q) = %+v, %v; want %+v, error %v", tt.in, got, err, tt.want, tt.err)
		}
		if err == nil {
			if back, err := ParsePolicy(got.String()); err != nil || back != got {
				t.Errorf("ParsePolicy(%q.String() = %q) = %+v, %v", tt.in, got.String(), back, err)
			}
		}
	}
}

func TestPolicyCounts(t *testing.T) {
	tests := []struct {
		p                   Policy
		m                   int
		need, spread, reads int
		bad                 bool
	}{
		{p: Policy{Kind: Mirror}, m: 3, need: 3, spread: 3, reads: 1},
		{p: Policy{Kind: Quorum, N: 2}, m: 3, need: 2, spread: 3, reads: 2},
		{p: Policy{Kind: Quorum, N: 3}, m: 5, need: 3, spread: 5, reads: 3},
		{p: Policy{Kind: Shard, N: 2}, m: 5, need: 2, spread: 2, reads: 1},
		{p: Policy{Kind: Quorum, N: 4}, m: 3, bad: true},
		{p: Policy{Kind: Shard, N: 4}, m: 3, bad: true},
		{p: Policy{Kind: Mirror}, m: 0, bad: true},
	}
	for _, tt := range tests {
		if err := tt.p.check(tt.m); (err != nil) != tt.bad {
			t.Errorf("%s over %d: check = %v; want error %v", tt.p, tt.m, err, tt.bad)
			continue
		}
		if tt.bad {
			continue
		}
		if got := [3]int{tt.p.need(tt.m), tt.p.spread(tt.m), tt.p.reads(tt.m)}; got != [3]int{tt.need, tt.spread, tt.reads} {
			t.Errorf("%s over %d: need, spread, reads = %v; want %d, %d, %d", tt.p, tt.m, got, tt.need, tt.spread, tt.reads)
		}
	}
}

// TestRendezvous checks that placement is spread evenly and that removing
// a member moves only the objects it held.
func TestRendezvous(t *testing.T) {
	keys := []string{"s3://a:9000/b", "s3://b:9000/b", "s3://c:9000/b", "s3://d:9000/b"}
	count := make([]int, len(keys))
	const objects = 4000
	for i := range objects {
		o := fmt.Sprintf("%064x", i)
		all := rendezvous(keys, o)
		count[all[0]]++
		less := rendezvous(keys[:3], o)
		if all[0] != 3 && less[0] != all[0] {
			t.Fatalf("object %d moved from member %d to %d when member 3 left", i, all[0], less[0])
		}
	}
	for i, n := range count {
		if n < objects/len(keys)*8/10 || n > objects/len(keys)*12/10 {
			t.Errorf("member %d first for %d of %d objects; want about %d", i, n, objects, objects/len(keys))
		}
	}
}

func FuzzParsePolicy(f *testing.F) {
	for _, s := range []string{"", "mirror", "quorum=2", "shard=3", "quorum=-1", "shard=99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePolicy(s)
		if err != nil {
			return
		}
		if p.Kind != Mirror && p.N < 1 {
			t.Fatalf("ParsePolicy(%q) = %+v", s, p)
		}
		if back, err := ParsePolicy(p.String()); err != nil || back != p {
			t.Fatalf("round trip of %q: %+v, %v", s, back, err)
		}
	})
}
