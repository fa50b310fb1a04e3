// Package storetest is the conformance suite every store driver must pass:
// each driver's test calls Run with a harness that opens fresh, empty
// stores against the real server.
package storetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store"
	"github.com/blockhub/blockhub/chain/store/driver"
)

// Harness opens stores for the suite.
type Harness struct {
	// Open returns a fresh, empty asset store and block store; the suite
	// closes them. Called once per sub-test.
	Open func(t *testing.T) (*store.Assets, *store.Blocks)
}

// URLHarness is the Harness of a driver whose asset store and block store
// open from one URL: fresh returns the URL of a new, empty store (a new
// table prefix, database, bucket prefix ...) each time it is called.
func URLHarness(fresh func(t *testing.T) string) Harness {
	return Harness{Open: func(t *testing.T) (*store.Assets, *store.Blocks) {
		return OpenURL(t, fresh(t))
	}}
}

// OpenURL opens the asset store and the block store at u, failing t on an
// error.
func OpenURL(t *testing.T, u string) (*store.Assets, *store.Blocks) {
	t.Helper()
	a, err := store.OpenAssets(context.Background(), u, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := store.OpenBlocks(context.Background(), u, nil)
	if err != nil {
		a.Close()
		t.Fatal(err)
	}
	return a, b
}

// Run runs every conformance test against the stores h opens.
func Run(t *testing.T, h Harness) {
	tests := []struct {
		name string
		fn   func(t *testing.T, a *store.Assets, b *store.Blocks)
	}{
		{"AssetRoundTrip", testAssetRoundTrip},
		{"AssetPutIfAbsent", testAssetPutIfAbsent},
		{"AssetCorruptRefused", testAssetCorruptRefused},
		{"AssetNotFound", testAssetNotFound},
		{"AssetLarge", testAssetLarge},
		{"AssetMD5", testAssetMD5},
		{"BadKeysRefused", testBadKeysRefused},
		{"BlockRoundTrip", testBlockRoundTrip},
		{"BlockCreateOnly", testBlockCreateOnly},
		{"BlockCorruptRefused", testBlockCorruptRefused},
		{"BlockNotFound", testBlockNotFound},
		{"FetchApart", testFetchApart},
		{"SetNextOnce", testSetNextOnce},
		{"SetNextRace", testSetNextRace},
		{"Tail", testTail},
		{"WaitNext", testWaitNext},
		{"After", testAfter},
		{"NameClaimOnce", testNameClaimOnce},
		{"NameClaimNotFound", testNameClaimNotFound},
		{"NameClaimKeys", testNameClaimKeys},
		{"NameClaimRace", testNameClaimRace},

		{"Tiles", testTiles},
		{"Tree", testTree},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := h.Open(t)
			t.Cleanup(func() {
				a.Close()
				b.Close()
			})
			tt.fn(t, a, b)
		})
	}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return c
}

func testAssetRoundTrip(t *testing.T, a *store.Assets, _ *store.Blocks) {
	c := ctx(t)
	data := []byte("hello, chain\n")
	hash, created, err := a.PutBytes(c, chain.SHA256, data)
	if err != nil || !created {
		t.Fatalf("PutBytes = %v, %v; want created", created, err)
	}
	got, err := a.ReadAll(c, hash)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("ReadAll = %q, %v; want %q", got, err, data)
	}
	n, err := a.Stat(c, hash)
	if err != nil || n != int64(len(data)) {
		t.Fatalf("Stat = %d, %v; want %d", n, err, len(data))
	}
	if ok, err := a.Has(c, hash); !ok || err != nil {
		t.Fatalf("Has = %v, %v; want true", ok, err)
	}
	empty, _, err := a.PutBytes(c, chain.SHA256, nil)
	if err != nil {
		t.Fatalf("PutBytes(empty): %v", err)
	}
	if got, err := a.ReadAll(c, empty); err != nil || len(got) != 0 {
		t.Fatalf("ReadAll(empty) = %q, %v", got, err)
	}
	seen := map[string]bool{}
	for h, err := range a.All(c) {
		if err != nil {
			t.Fatalf("All: %v", err)
		}
		seen[h] = true
	}
	if !seen[hash] || !seen[empty] {
		t.Fatalf("All = %v; want both assets", seen)
	}
}

func testAssetPutIfAbsent(t *testing.T, a *store.Assets, _ *store.Blocks) {
	c := ctx(t)
	data := []byte("once")
	hash, _, err := a.PutBytes(c, chain.SHA256, data)
	if err != nil {
		t.Fatal(err)
	}
	created, err := a.Put(c, hash, bytes.NewReader(data), int64(len(data)))
	if err != nil || created {
		t.Fatalf("second Put = %v, %v; want not created, no error", created, err)
	}
}

func testAssetCorruptRefused(t *testing.T, a *store.Assets, _ *store.Blocks) {
	c := ctx(t)
	good := []byte("the real bytes")
	hash := chain.SHA256.Sum(good)
	bad := []byte("forged bytes!!")
	if _, err := a.Put(c, hash, bytes.NewReader(bad), int64(len(bad))); !errors.Is(err, chain.ErrTampered) {
		t.Fatalf("Put of bytes that do not match the hash: err = %v; want ErrTampered", err)
	}
	if _, err := a.Put(c, hash, bytes.NewReader(good), int64(len(good)+1)); !errors.Is(err, chain.ErrTampered) {
		t.Fatalf("Put with a wrong size: err = %v; want ErrTampered", err)
	}
	if ok, err := a.Has(c, hash); ok || err != nil {
		t.Fatalf("after refused puts Has = %v, %v; want false", ok, err)
	}
	if created, err := a.Put(c, hash, bytes.NewReader(good), -1); err != nil || !created {
		t.Fatalf("Put of the right bytes after refusals = %v, %v", created, err)
	}
}

func testAssetNotFound(t *testing.T, a *store.Assets, _ *store.Blocks) {
	c := ctx(t)
	missing := chain.SHA256.Sum([]byte("never stored"))
	if _, err := a.Get(c, missing); !errors.Is(err, chain.ErrNotFound) {
		t.Fatalf("Get(missing) err = %v; want ErrNotFound", err)
	}
	if _, err := a.Stat(c, missing); !errors.Is(err, chain.ErrNotFound) {
		t.Fatalf("Stat(missing) err = %v; want ErrNotFound", err)
	}
	if ok, err := a.Has(c, missing); ok || err != nil {
		t.Fatalf("Has(missing) = %v, %v", ok, err)
	}
}

func testAssetLarge(t *testing.T, a *store.Assets, _ *store.Blocks) {
	c := ctx(t)
	data := make([]byte, 9<<20+17)
	rand.Read(data)
	hash := chain.SHA256.Sum(data)
	if _, err := a.Put(c, hash, io.MultiReader(bytes.NewReader(data[:1000]), bytes.NewReader(data[1000:])), -1); err != nil {
		t.Fatal(err)
	}
	if err := a.Verify(c, hash, int64(len(data))); err != nil {
		t.Fatalf("Verify: %v", err)
	}
}

func testAssetMD5(t *testing.T, a *store.Assets, _ *store.Blocks) {
	c := ctx(t)
	hash, _, err := a.PutBytes(c, chain.MD5, []byte("md5 chain"))
	if err != nil || len(hash) != 32 {
		t.Fatalf("PutBytes(md5) = %q, %v", hash, err)
	}
	if err := a.Verify(c, hash, -1); err != nil {
		t.Fatal(err)
	}
}

func testBadKeysRefused(t *testing.T, a *store.Assets, b *store.Blocks) {
	c := ctx(t)
	for _, key := range []string{"", "../../etc/passwd", strings.Repeat("A", 64), strings.Repeat("a", 63), strings.Repeat("a", 64) + "/x"} {
		if _, err := a.Get(c, key); !errors.Is(err, chain.ErrInvalid) {
			t.Errorf("Assets.Get(%q) err = %v; want ErrInvalid", key, err)
		}
		if _, err := b.Get(c, key); !errors.Is(err, chain.ErrInvalid) {
			t.Errorf("Blocks.Get(%q) err = %v; want ErrInvalid", key, err)
		}
	}
}

// Root returns a sealed root block of a chain named name.
func Root(t testing.TB, name string) chain.Block {
	r, err := chain.NewRoot(chain.DefaultSettings(name), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Child returns a sealed block after prev holding one receipt for tag.
func Child(t testing.TB, prev chain.Block, tag string) chain.Block {
	data := []byte(tag)
	b := chain.Block{
		Chain:  prev.ChainID(),
		Prev:   prev.ID,
		Height: prev.Height + 1,
		Time:   chain.Stamp(time.Now()),
		Crypt:  prev.Crypt,
		Assets: []chain.Receipt{{Hash: prev.Crypt.Sum(data), Crypt: prev.Crypt, Length: int64(len(data)), Type: "text/plain", Meta: []byte(`{"tag":"` + tag + `"}`)}},
	}
	if err := b.Seal(); err != nil {
		t.Fatal(err)
	}
	return b
}

func testBlockRoundTrip(t *testing.T, _ *store.Assets, b *store.Blocks) {
	c := ctx(t)
	root := Root(t, "roundtrip")
	one := Child(t, root, "one")
	for _, blk := range []chain.Block{root, one} {
		if err := b.Create(c, blk); err != nil {
			t.Fatalf("Create(%d): %v", blk.Height, err)
		}
	}
	got, err := b.Get(c, one.ID)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := one.Encode()
	gotDoc, _ := got.Encode()
	if !bytes.Equal(gotDoc, want) {
		t.Fatalf("Get = %s; want %s", gotDoc, want)
	}
	found := false
	for r, err := range b.Roots(c) {
		if err != nil {
			t.Fatal(err)
		}
		if r.ID == one.ID {
			t.Fatalf("Roots lists a non-root block")
		}
		found = found || r.ID == root.ID
	}
	if !found {
		t.Fatalf("Roots does not list the root %s", root.ID)
	}
}

func testBlockCreateOnly(t *testing.T, _ *store.Assets, b *store.Blocks) {
	c := ctx(t)
	root := Root(t, "createonly")
	if err := b.Create(c, root); err != nil {
		t.Fatal(err)
	}
	if err := b.Create(c, root); !errors.Is(err, chain.ErrExists) {
		t.Fatalf("second Create err = %v; want ErrExists", err)
	}
}

func testBlockCorruptRefused(t *testing.T, _ *store.Assets, b *store.Blocks) {
	c := ctx(t)
	root := Root(t, "corrupt")
	forged := root
	forged.Time = chain.Stamp(time.Now().Add(time.Hour)) // id no longer matches
	if err := b.Create(c, forged); !errors.Is(err, chain.ErrTampered) {
		t.Fatalf("Create(forged) err = %v; want ErrTampered", err)
	}
	if _, err := b.Get(c, forged.ID); !errors.Is(err, chain.ErrNotFound) {
		t.Fatalf("after a refused Create, Get err = %v; want ErrNotFound", err)
	}
}

func testBlockNotFound(t *testing.T, _ *store.Assets, b *store.Blocks) {
	c := ctx(t)
	missing := Root(t, "missing")
	if _, err := b.Get(c, missing.ID); !errors.Is(err, chain.ErrNotFound) {
		t.Fatalf("Get(missing) err = %v; want ErrNotFound", err)
	}
	if err := b.SetNext(c, missing.ID, missing.ID); !errors.Is(err, chain.ErrNotFound) {
		t.Fatalf("SetNext(missing) err = %v; want ErrNotFound", err)
	}
}

// testFetchApart: FetchNext and FetchDoc, which a walker uses on stores
// that read next apart, read what Fetch reads.
func testFetchApart(t *testing.T, _ *store.Assets, b *store.Blocks) {
	c := ctx(t)
	root := Root(t, "apart")
	one := Child(t, root, "one")
	for _, blk := range []chain.Block{root, one} {
		if err := b.Create(c, blk); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.SetNext(c, root.ID, one.ID); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{root.ID, one.ID} {
		raw, err := b.Fetch(c, id)
		if err != nil {
			t.Fatal(err)
		}
		next, err := b.FetchNext(c, id)
		if err != nil || next != raw.Next {
			t.Errorf("FetchNext(%s) = %q, %v; want %q", id, next, err, raw.Next)
		}
		prefix := []byte("kept:")
		doc, err := b.FetchDoc(c, prefix, id)
		if err != nil || !bytes.Equal(doc, append(prefix, raw.Doc...)) {
			t.Errorf("FetchDoc(%s) = %q, %v; want %q after the buffer's bytes", id, doc, err, raw.Doc)
		}
	}
	missing := Root(t, "missing")
	if _, err := b.FetchDoc(c, nil, missing.ID); !errors.Is(err, chain.ErrNotFound) {
		t.Errorf("FetchDoc(missing) err = %v; want ErrNotFound", err)
	}
	if next, err := b.FetchNext(c, missing.ID); next != "" {
		t.Errorf("FetchNext(missing) = %q, %v; want no next", next, err)
	}
}

func testSetNextOnce(t *testing.T, _ *store.Assets, b *store.Blocks) {
	c := ctx(t)
	root := Root(t, "nextonce")
	one, other := Child(t, root, "one"), Child(t, root, "other")
	for _, blk := range []chain.Block{root, one, other} {
		if err := b.Create(c, blk); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.SetNext(c, root.ID, one.ID); err != nil {
		t.Fatalf("SetNext: %v", err)
	}
	if err := b.SetNext(c, root.ID, one.ID); err != nil {
		t.Fatalf("SetNext to the same id again: %v; want nil", err)
	}
	if err := b.SetNext(c, root.ID, other.ID); !errors.Is(err, chain.ErrNextSet) {
		t.Fatalf("SetNext to another id: err = %v; want ErrNextSet", err)
	}
	got, err := b.Get(c, root.ID)
	if err != nil || got.Next != one.ID {
		t.Fatalf("Get(root).Next = %q, %v; want %s", got.Next, err, one.ID)
	}
}

// Racers is how many goroutines SetNextRace runs.
const Racers = 16

func testSetNextRace(t *testing.T, _ *store.Assets, b *store.Blocks) {
	c := ctx(t)
	root := Root(t, "race")
	if err := b.Create(c, root); err != nil {
		t.Fatal(err)
	}
	kids := make([]chain.Block, Racers)
	for i := range kids {
		kids[i] = Child(t, root, fmt.Sprint("racer-", i))
		if err := b.Create(c, kids[i]); err != nil {
			t.Fatal(err)
		}
	}
	errs := make([]error, Racers)
	var start, wg sync.WaitGroup
	start.Add(1)
	for i := range kids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start.Wait()
			errs[i] = b.SetNext(c, root.ID, kids[i].ID)
		}()
	}
	start.Done()
	wg.Wait()
	CheckOneWinner(t, errs)
	got, err := b.Get(c, root.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i, err := range errs {
		if err == nil && got.Next != kids[i].ID {
			t.Fatalf("winner %d set next, but the stored next is %s", i, got.Next)
		}
	}
}

// CheckOneWinner fails t unless exactly one error is nil and every other
// matches chain.ErrNextSet.
func CheckOneWinner(t testing.TB, errs []error) {
	t.Helper()
	wins := 0
	for i, err := range errs {
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, chain.ErrNextSet):
			t.Errorf("racer %d: err = %v; want nil or ErrNextSet", i, err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d racers won setting next; want exactly 1", wins)
	}
}

func testTail(t *testing.T, _ *store.Assets, b *store.Blocks) {
	c := ctx(t)
	root := Root(t, "tail")
	if err := b.Create(c, root); err != nil {
		t.Fatal(err)
	}
	prev := root
	for i := range 3 {
		blk := Child(t, prev, fmt.Sprint(i))
		if err := b.Create(c, blk); err != nil {
			t.Fatal(err)
		}
		if err := b.SetNext(c, prev.ID, blk.ID); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			b.NoteTail(c, root.ID, blk.ID) // a stale hint must not mislead
		}
		prev = blk
	}
	tail, err := b.Tail(c, root.ID)
	if err != nil || tail.ID != prev.ID {
		t.Fatalf("Tail = %s, %v; want %s", tail.ID, err, prev.ID)
	}
}

func testWaitNext(t *testing.T, _ *store.Assets, b *store.Blocks) {
	c := ctx(t)
	root := Root(t, "wait")
	one := Child(t, root, "one")
	for _, blk := range []chain.Block{root, one} {
		if err := b.Create(c, blk); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan error, 1)
	go func() {
		time.Sleep(50 * time.Millisecond)
		done <- b.SetNext(c, root.ID, one.ID)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err := b.Get(c, root.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Next == one.ID {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("next not seen after 10s of WaitNext")
		}
		if err := b.WaitNext(c, root.ID, time.Second); err != nil {
			t.Fatalf("WaitNext: %v", err)
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// A cancelled context ends the wait at once.
	cc, cancel := context.WithCancel(c)
	cancel()
	if err := b.WaitNext(cc, one.ID, time.Minute); !errors.Is(err, context.Canceled) {
		t.Fatalf("WaitNext(cancelled) = %v; want context.Canceled", err)
	}
}

// testAfter: After lists a chain's blocks above a height in height order, racers
// that lost included, with the next of those linked.
//
// Only for drivers that implement driver.Ranger; others skip it.
func testAfter(t *testing.T, _ *store.Assets, b *store.Blocks) {
	r, ok := b.Driver().(driver.Ranger)
	if !ok {
		t.Skip("the driver does not read ahead by height (driver.Ranger)")
	}
	c := ctx(t)
	root := Root(t, "after")
	blocks := []chain.Block{root}
	for i := range 4 {
		blocks = append(blocks, Child(t, blocks[i], "linked"))
	}
	loser := Child(t, blocks[1], "lost the race")
	for i, blk := range append(blocks, loser) {
		if err := b.Create(c, blk); err != nil {
			t.Fatal(err)
		}
		if i > 0 && i < len(blocks) {
			if err := b.SetNext(c, blocks[i-1].ID, blk.ID); err != nil {
				t.Fatal(err)
			}
		}
	}

	list, err := r.After(c, root.ID, 0, 256)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 5 {
		t.Fatalf("After(0) = %d blocks; want 5", len(list))
	}
	nexts := map[string]string{}
	for i, rb := range list {
		if i > 0 && rb.Height < list[i-1].Height {
			t.Errorf("block %d has height %d after height %d", i, rb.Height, list[i-1].Height)
		}
		got, err := b.Decode(store.Raw{ID: rb.ID, Doc: rb.Doc, Next: rb.Next})
		if err != nil || got.Height != rb.Height {
			t.Errorf("block %s: decoded height %d, %v; listed height %d", rb.ID, got.Height, err, rb.Height)
		}
		nexts[rb.ID] = rb.Next
	}
	for i := 1; i < len(blocks); i++ {
		want := ""
		if i+1 < len(blocks) {
			want = blocks[i+1].ID
		}
		if nexts[blocks[i].ID] != want {
			t.Errorf("height %d: next %q; want %q", i, nexts[blocks[i].ID], want)
		}
	}
	if n, ok := nexts[loser.ID]; !ok || n != "" {
		t.Errorf("loser: listed %v, next %q; want listed without next", ok, n)
	}

	list, err = r.After(c, root.ID, 2, 2)
	if err != nil || len(list) != 2 || list[0].ID != blocks[3].ID || list[1].ID != blocks[4].ID {
		t.Fatalf("After(2, limit 2) = %d blocks, %v; want heights 3 and 4", len(list), err)
	}
	if list, err := r.After(c, loser.ID, 0, 10); err != nil || len(list) != 0 {
		t.Fatalf("After(not a chain) = %d blocks, %v; want none", len(list), err)
	}
	if list, err := r.After(c, root.ID, 4, 10); err != nil || len(list) != 0 {
		t.Fatalf("After(the tail's height) = %d blocks, %v; want none", len(list), err)
	}
}
