package cluster

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store"
	_ "github.com/blockhub/blockhub/chain/store/memstore"
	_ "github.com/blockhub/blockhub/chain/store/s3store"
	"github.com/blockhub/blockhub/chain/store/storetest"
)

var seq atomic.Int64

// memURLs returns n fresh mem:// URLs; opening one again reaches the same
// store, so a test can look at each member on its own.
func memURLs(n int) []string {
	i := seq.Add(1)
	us := make([]string, n)
	for j := range us {
		us[j] = fmt.Sprintf("mem://behaviour-%d-%c", i, 'a'+j)
	}
	return us
}

func openAssets(t *testing.T, u string) *store.Assets {
	t.Helper()
	a, err := store.OpenAssets(context.Background(), u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func openBlocks(t *testing.T, u string) *store.Blocks {
	t.Helper()
	b, err := store.OpenBlocks(context.Background(), u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func clusterAssets(t *testing.T, urls []string, policy string) *store.Assets {
	t.Helper()
	a, err := OpenAssets(context.Background(), urls, policy, nil)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func clusterBlocks(t *testing.T, urls []string, policy string) *store.Blocks {
	t.Helper()
	b, err := OpenBlocks(context.Background(), urls, policy, nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestStreamedAssets covers assets too large to buffer: they stream to
// every member at once, and forged bytes reach none of them.
func TestStreamedAssets(t *testing.T) {
	c := context.Background()
	for _, policy := range []string{"mirror", "quorum=2", "shard=2"} {
		t.Run(policy, func(t *testing.T) {
			urls := memURLs(3)
			a := clusterAssets(t, urls, policy)
			a.Driver().(*AssetStore).buffer = 1000
			data := make([]byte, 300<<10+7)
			rand.Read(data)
			hash := chain.SHA256.Sum(data)
			forged := bytes.Clone(data)
			forged[len(forged)-1] ^= 1
			for _, size := range []int64{int64(len(data)), -1} {
				if _, err := a.Put(c, hash, bytes.NewReader(forged), size); !errors.Is(err, chain.ErrTampered) {
					t.Fatalf("Put(forged, size %d) err = %v; want ErrTampered", size, err)
				}
				for _, u := range urls {
					if ok, _ := openAssets(t, u).Has(c, hash); ok {
						t.Fatalf("member %s holds forged bytes", u)
					}
				}
			}
			created, err := a.Put(c, hash, bytes.NewReader(data), -1)
			if err != nil || !created {
				t.Fatalf("Put = %v, %v", created, err)
			}
			if created, err := a.Put(c, hash, bytes.NewReader(data), int64(len(data))); err != nil || created {
				t.Fatalf("second Put = %v, %v; want not created", created, err)
			}
			holders := 0
			for _, u := range urls {
				if ok, _ := openAssets(t, u).Has(c, hash); ok {
					holders++
				}
			}
			if want := map[string]int{"mirror": 3, "quorum=2": 3, "shard=2": 2}[policy]; holders != want {
				t.Fatalf("%d members hold the asset; want %d", holders, want)
			}
			if err := a.Verify(c, hash, int64(len(data))); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestShardSpreads checks that shard=1 puts each asset on one member, and
// every member gets its share.
func TestShardSpreads(t *testing.T) {
	c := context.Background()
	urls := memURLs(3)
	a := clusterAssets(t, urls, "shard=1")
	var hashes []string
	for i := range 300 {
		h, _, err := a.PutBytes(c, chain.SHA256, []byte(fmt.Sprint("asset ", i)))
		if err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, h)
	}
	total := 0
	for _, u := range urls {
		n := 0
		for range openAssets(t, u).All(c) {
			n++
		}
		if n < 60 {
			t.Errorf("member %s holds %d of 300 assets; want about 100", u, n)
		}
		total += n
	}
	if total != 300 {
		t.Fatalf("members hold %d copies; want 300", total)
	}
	for _, h := range hashes {
		if err := a.Verify(c, h, -1); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSetNextCopiesMissingBlock: a member that missed a block (it was
// down) gets a copy when next is set, so the first member stays the one
// that decides.
func TestSetNextCopiesMissingBlock(t *testing.T) {
	c := context.Background()
	urls := memURLs(3)
	b := clusterBlocks(t, urls, "quorum=2")
	root := storetest.Root(t, "heal")
	one := storetest.Child(t, root, "one")
	for _, u := range urls[1:] { // urls[0] sorts first: it decides
		for _, blk := range []chain.Block{root, one} {
			if err := openBlocks(t, u).Create(c, blk); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := b.SetNext(c, root.ID, one.ID); err != nil {
		t.Fatal(err)
	}
	for _, u := range urls {
		got, err := openBlocks(t, u).Get(c, root.ID)
		if err != nil || got.Next != one.ID {
			t.Fatalf("member %s: root next = %q, %v; want %s", u, got.Next, err, one.ID)
		}
	}
}

// TestSplitNext builds by hand what a racer that saw the first member down
// can leave: the first member holds one next, the two others another. The
// next a quorum holds wins under quorum=2; under mirror, where no next
// reached every member, the first member's wins, as it does for SetNext.
// Repair counts the split and leaves it.
func TestSplitNext(t *testing.T) {
	c := context.Background()
	urls := memURLs(3)
	root := storetest.Root(t, "split")
	lost, won := storetest.Child(t, root, "lost"), storetest.Child(t, root, "won")
	for i, u := range urls {
		m := openBlocks(t, u)
		for _, blk := range []chain.Block{root, lost, won} {
			if err := m.Create(c, blk); err != nil {
				t.Fatal(err)
			}
		}
		next := won.ID
		if i == 0 {
			next = lost.ID
		}
		if err := m.SetNext(c, root.ID, next); err != nil {
			t.Fatal(err)
		}
	}
	for policy, want := range map[string]string{"quorum=2": won.ID, "mirror": lost.ID} {
		b := clusterBlocks(t, urls, policy)
		got, err := b.Get(c, root.ID)
		if err != nil || got.Next != want {
			t.Errorf("%s: Get(root).Next = %s, %v; want %s", policy, got.Next, err, want)
		}
		err = b.SetNext(c, root.ID, storetest.Child(t, root, "late").ID)
		if !errors.Is(err, chain.ErrNextSet) {
			t.Errorf("%s: a late SetNext err = %v; want ErrNextSet", policy, err)
		}
	}
	rep, err := Repair(c, nil, clusterBlocks(t, urls, "quorum=2"))
	if err != nil || rep.Split != 1 || rep.Nexts != 0 {
		t.Fatalf("Repair = %s, %v; want 1 split, nothing copied", rep, err)
	}
}

// TestRepairFillsNewMember adds an empty member to a cluster and repairs
// it to full; under shard it places what a member lacks.
func TestRepairFillsNewMember(t *testing.T) {
	c := context.Background()
	urls := memURLs(3)
	old := urls[:2]
	a, b := clusterAssets(t, old, "mirror"), clusterBlocks(t, old, "mirror")
	root := storetest.Root(t, "repair")
	if err := b.Create(c, root); err != nil {
		t.Fatal(err)
	}
	prev := root
	for i := range 4 {
		tag := fmt.Sprint("block ", i)
		if _, _, err := a.PutBytes(c, chain.SHA256, []byte(tag)); err != nil {
			t.Fatal(err)
		}
		blk := storetest.Child(t, prev, tag)
		if err := b.Create(c, blk); err != nil {
			t.Fatal(err)
		}
		if err := b.SetNext(c, prev.ID, blk.ID); err != nil {
			t.Fatal(err)
		}
		prev = blk
	}
	a3, b3 := clusterAssets(t, urls, "quorum=2"), clusterBlocks(t, urls, "quorum=2")
	rep, err := Repair(c, a3, b3)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Report{Assets: 4, Blocks: 5, Nexts: 4, Roots: 1}); rep != want {
		t.Fatalf("Repair = %s; want %s", rep, want)
	}
	fresh := openBlocks(t, urls[2])
	if tail, err := fresh.Tail(c, root.ID); err != nil || tail.ID != prev.ID {
		t.Fatalf("new member alone: Tail = %s, %v; want %s", tail.ID, err, prev.ID)
	}
	if rep, err := Repair(c, a3, b3); err != nil || rep != (Report{}) {
		t.Fatalf("second Repair = %s, %v; want nothing", rep, err)
	}

	// Under shard=1 an asset on the wrong member is copied to its own.
	stray := []byte("stray")
	h, _, err := openAssets(t, urls[0]).PutBytes(c, chain.SHA256, stray)
	if err != nil {
		t.Fatal(err)
	}
	sa := clusterAssets(t, urls, "shard=1")
	owner := sa.Driver().(*AssetStore).placement(h)[0]
	rep, err = Repair(c, sa, nil)
	if err != nil {
		t.Fatal(err)
	}
	if owner.key == memberKey(urls[0]) {
		if rep.Assets != 0 {
			t.Fatalf("Repair = %s; the stray is on its owner already", rep)
		}
	} else if ok, _ := openAssets(t, owner.url).Has(c, h); !ok || rep.Assets != 1 {
		t.Fatalf("after Repair (%s) the owner %s holds the stray: %v", rep, owner.url, ok)
	}
	if _, err := Repair(c, openAssets(t, urls[0]), nil); !errors.Is(err, ErrNotCluster) {
		t.Fatalf("Repair of a single store: %v; want ErrNotCluster", err)
	}
}

// closedAddr is a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	return l.Addr().String()
}

// TestMemberDownAtOpen: under quorum=2, a member that cannot be reached
// when the cluster opens is left out, writes and reads go on, and no
// message shows its secret.
func TestMemberDownAtOpen(t *testing.T) {
	c := context.Background()
	const secret = "cluster-secret-5f1a"
	down := "s3://key:" + secret + "@" + closedAddr(t) + "/bucket?secure=false"
	urls := append(memURLs(2), down)
	a := clusterAssets(t, urls, "quorum=2")
	b := clusterBlocks(t, urls, "quorum=2")
	if strings.Contains(a.URL(), secret) || strings.Contains(b.URL(), secret) {
		t.Fatalf("cluster URL shows the secret: %s", a.URL())
	}
	h, _, err := a.PutBytes(c, chain.SHA256, []byte("still writes"))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Verify(c, h, -1); err != nil {
		t.Fatal(err)
	}
	root := storetest.Root(t, "down")
	one := storetest.Child(t, root, "one")
	for _, blk := range []chain.Block{root, one} {
		if err := b.Create(c, blk); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.SetNext(c, root.ID, one.ID); err != nil {
		t.Fatal(err)
	}
	if tail, err := b.Tail(c, root.ID); err != nil || tail.ID != one.ID {
		t.Fatalf("Tail = %s, %v", tail.ID, err)
	}
	// Mirror needs every member: it cannot open, and says so without the
	// secret.
	_, err = OpenAssets(c, urls, "mirror", nil)
	if err == nil || strings.Contains(err.Error(), secret) || !strings.Contains(err.Error(), "cannot reach") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("mirror open with a member down: err = %v; want one line saying it cannot reach, without the secret", err)
	}
	// Repair names the member it could not reach.
	start := time.Now()
	if _, err := Repair(c, a, b); err == nil || strings.Contains(err.Error(), secret) {
		t.Fatalf("Repair with a member down: err = %v", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("Repair took %v with a member down", d)
	}
}

func TestOpenErrors(t *testing.T) {
	c := context.Background()
	for _, tt := range []struct {
		urls   []string
		policy string
		want   string
	}{
		{urls: memURLs(2), policy: "quorum=3", want: "needs 3 members"},
		{urls: memURLs(1), policy: "quorum=2", want: "needs 2 members"},
		{urls: []string{"mem://same", "mem://same"}, policy: "", want: "listed twice"},
		{urls: []string{"mem://x", "nosuch://y"}, policy: "", want: "unknown scheme"},
		{urls: memURLs(2), policy: "raid", want: "want mirror, quorum=N or shard=N"},
	} {
		_, err := OpenBlocks(c, tt.urls, tt.policy, nil)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("OpenBlocks(%v, %q) err = %v; want %q", tt.urls, tt.policy, err, tt.want)
		}
	}
}
