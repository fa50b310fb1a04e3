package walk_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store"
	_ "github.com/blockhub/blockhub/chain/store/filestore"
	_ "github.com/blockhub/blockhub/chain/store/memstore"
	"github.com/blockhub/blockhub/chain/store/storetest"
	"github.com/blockhub/blockhub/chain/walk"
)

type fixture struct {
	dir    string
	blocks *store.Blocks
	assets *store.Assets
	chain  []chain.Block
}

// newFixture builds a chain of n blocks after the root in a folder store,
// each naming one stored asset.
func newFixture(t *testing.T, n int) *fixture {
	t.Helper()
	dir := t.TempDir()
	f := newFixtureAt(t, (&url.URL{Scheme: "file", Path: dir, RawQuery: "nosync=1"}).String(), n)
	f.dir = dir
	return f
}

// newFixtureAt is newFixture in the store at u.
func newFixtureAt(t *testing.T, u string, n int) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{}
	var err error
	if f.blocks, err = store.OpenBlocks(ctx, u, nil); err != nil {
		t.Fatal(err)
	}
	if f.assets, err = store.OpenAssets(ctx, u, nil); err != nil {
		t.Fatal(err)
	}
	root := storetest.Root(t, "walk")
	if _, _, err := f.assets.PutBytes(ctx, chain.SHA256, chain.DefaultSettings("walk").Encode()); err != nil {
		t.Fatal(err)
	}
	if err := f.blocks.Create(ctx, root); err != nil {
		t.Fatal(err)
	}
	f.chain = []chain.Block{root}
	for i := range n {
		f.add(t, fmt.Sprint("block-", i))
	}
	return f
}

func (f *fixture) add(t *testing.T, tag string) chain.Block {
	t.Helper()
	ctx := context.Background()
	prev := f.chain[len(f.chain)-1]
	b := storetest.Child(t, prev, tag)
	if _, _, err := f.assets.PutBytes(ctx, chain.SHA256, []byte(tag)); err != nil {
		t.Fatal(err)
	}
	if err := f.blocks.Create(ctx, b); err != nil {
		t.Fatal(err)
	}
	if err := f.blocks.SetNext(ctx, prev.ID, b.ID); err != nil {
		t.Fatal(err)
	}
	f.chain = append(f.chain, b)
	return b
}

func heights(t *testing.T, f *fixture, opts *walk.Options) []uint64 {
	t.Helper()
	var hs []uint64
	for b, err := range walk.New(f.blocks, f.chain[0].ID).All(context.Background(), opts) {
		if err != nil {
			t.Fatalf("walk: %v", err)
		}
		hs = append(hs, b.Height)
	}
	return hs
}

func TestWalkRanges(t *testing.T) {
	f := newFixture(t, 5)
	tests := []struct {
		name string
		opts walk.Options
		want string
	}{
		{"all", walk.Options{}, "[0 1 2 3 4 5]"},
		{"from height", walk.Options{From: "3"}, "[3 4 5]"},
		{"to height", walk.Options{To: "2"}, "[0 1 2]"},
		{"from id to id", walk.Options{From: f.chain[2].ID, To: f.chain[4].ID}, "[2 3 4]"},
		{"from past tail", walk.Options{From: "9"}, "[]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fmt.Sprint(heights(t, f, &tt.opts)); got != tt.want {
				t.Fatalf("heights = %s; want %s", got, tt.want)
			}
		})
	}
	for _, bad := range []string{"-1", "abc", "../x"} {
		it := walk.New(f.blocks, f.chain[0].ID).All(context.Background(), &walk.Options{From: bad})
		for _, err := range it {
			if err == nil {
				t.Fatalf("From %q: no error", bad)
			}
			break
		}
	}
}

// A chain many read batches long walks the same from the folder store
// (next pointers read apart from the documents) and from the in-memory
// store (whole blocks), whatever the read-ahead, and a walk left early
// returns.
func TestWalkAcrossBatches(t *testing.T) {
	const n = 300
	fixtures := map[string]*fixture{
		"file": newFixture(t, n),
		"mem":  newFixtureAt(t, "mem://"+t.Name(), n),
	}
	for name, f := range fixtures {
		tests := []struct {
			opts     walk.Options
			from, to uint64
		}{
			{walk.Options{}, 0, n},
			{walk.Options{Prefetch: 1}, 0, n},
			{walk.Options{Prefetch: 5}, 0, n},
			{walk.Options{Prefetch: 1000}, 0, n},
			{walk.Options{From: "100", To: "250"}, 100, 250},
			{walk.Options{From: f.chain[64].ID, To: f.chain[200].ID, Prefetch: 7}, 64, 200},
		}
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%s %+v", name, tt.opts), func(t *testing.T) {
				hs := heights(t, f, &tt.opts)
				if len(hs) != int(tt.to-tt.from+1) || hs[0] != tt.from || hs[len(hs)-1] != tt.to {
					t.Fatalf("walked heights %d to %d (%d blocks); want %d to %d", hs[0], hs[len(hs)-1], len(hs), tt.from, tt.to)
				}
				for i, h := range hs {
					if h != tt.from+uint64(i) {
						t.Fatalf("height %d at position %d; want %d", h, i, tt.from+uint64(i))
					}
				}
			})
		}
		t.Run(name+" left early", func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			for b, err := range walk.New(f.blocks, f.chain[0].ID).All(ctx, nil) {
				if err != nil || b.Height == 100 {
					break
				}
			}
			if ctx.Err() != nil {
				t.Fatal("the walk did not return when left")
			}
		})
	}
}

func TestWalkLive(t *testing.T) {
	f := newFixture(t, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	w := walk.New(f.blocks, f.chain[0].ID) // before f.chain grows below
	go func() {
		for i := range 3 {
			time.Sleep(30 * time.Millisecond)
			f.add(t, fmt.Sprint("live-", i))
		}
	}()
	var got []uint64
	for b, err := range w.All(ctx, &walk.Options{Live: true}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, b.Height)
		if b.Height == 4 {
			break
		}
	}
	if fmt.Sprint(got) != "[0 1 2 3 4]" {
		t.Fatalf("live walk saw %v", got)
	}
}

func blockPath(f *fixture, id, ext string) string {
	return filepath.Join(f.dir, "blocks", id[:2], id+ext)
}

func verify(t *testing.T, f *fixture, assets bool) []*walk.Fault {
	v := &walk.Verifier{Blocks: f.blocks}
	if assets {
		v.Assets = f.assets
	}
	var faults []*walk.Fault
	for fault, err := range v.All(context.Background(), f.chain[0].ID) {
		if err != nil {
			t.Fatal(err)
		}
		faults = append(faults, fault)
	}
	return faults
}

func TestVerifyFaults(t *testing.T) {
	tests := []struct {
		name    string
		damage  func(t *testing.T, f *fixture)
		problem string
	}{
		{"tampered block", func(t *testing.T, f *fixture) {
			p := blockPath(f, f.chain[2].ID, ".block")
			b, _ := os.ReadFile(p)
			os.WriteFile(p, []byte(strings.Replace(string(b), "block-1", "block-X", 1)), 0o644)
		}, "hash mismatch"},
		{"garbage block", func(t *testing.T, f *fixture) {
			os.WriteFile(blockPath(f, f.chain[3].ID, ".block"), []byte("{not json"), 0o644)
		}, "invalid"},
		{"missing block", func(t *testing.T, f *fixture) {
			os.Remove(blockPath(f, f.chain[3].ID, ".block"))
		}, "missing"},
		{"tampered asset", func(t *testing.T, f *fixture) {
			h := f.chain[1].Assets[0].Hash
			os.WriteFile(filepath.Join(f.dir, "assets", h[:2], h+".blob"), []byte("forged"), 0o644)
		}, "hash mismatch"},
		{"missing asset", func(t *testing.T, f *fixture) {
			h := f.chain[4].Assets[0].Hash
			os.Remove(filepath.Join(f.dir, "assets", h[:2], h+".blob"))
		}, "missing"},
		{"relinked next", func(t *testing.T, f *fixture) {
			// Point block 1's next at block 3: block 3's prev is block 2.
			os.WriteFile(blockPath(f, f.chain[1].ID, ".next"), []byte(f.chain[3].ID), 0o644)
		}, "broken link"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, 5)
			if faults := verify(t, f, true); len(faults) != 0 {
				t.Fatalf("sound chain has faults: %v", faults)
			}
			tt.damage(t, f)
			faults := verify(t, f, true)
			if len(faults) == 0 {
				t.Fatalf("no fault found")
			}
			if faults[0].Problem != tt.problem {
				t.Fatalf("fault %q (%v); want %q", faults[0].Problem, faults[0], tt.problem)
			}
		})
	}
}

// Faults far into a chain, past the first read batches, are found and
// named as near the start.
func TestVerifyFaultsFarIn(t *testing.T) {
	f := newFixture(t, 300)
	p := blockPath(f, f.chain[250].ID, ".block")
	b, _ := os.ReadFile(p)
	os.WriteFile(p, []byte(strings.Replace(string(b), "block-249", "block-XXX", 1)), 0o644)
	faults := verify(t, f, false)
	if len(faults) != 1 || faults[0].Problem != "hash mismatch" || faults[0].Block != f.chain[250].ID {
		t.Fatalf("faults %v; want a hash mismatch of block 250", faults)
	}
	os.Remove(blockPath(f, f.chain[200].ID, ".block"))
	faults = verify(t, f, false)
	if len(faults) != 1 || faults[0].Problem != "missing" || faults[0].Block != f.chain[199].ID {
		t.Fatalf("faults %v; want block 199's next missing", faults)
	}
}

// In Report mode the walk goes past a tampered block to the tail.
func TestReportGoesOn(t *testing.T) {
	f := newFixture(t, 5)
	p := blockPath(f, f.chain[2].ID, ".block")
	b, _ := os.ReadFile(p)
	os.WriteFile(p, []byte(strings.Replace(string(b), "block-1", "block-X", 1)), 0o644)
	n, faults := 0, 0
	for _, err := range walk.New(f.blocks, f.chain[0].ID).All(context.Background(), &walk.Options{Mode: walk.Report}) {
		n++
		var fault *walk.Fault
		if errors.As(err, &fault) {
			faults++
		}
	}
	if n != 6 || faults != 1 {
		t.Fatalf("walked %d blocks with %d faults; want 6 with 1", n, faults)
	}
}

func TestOrphans(t *testing.T) {
	f := newFixture(t, 2)
	lone, _, err := f.assets.PutBytes(context.Background(), chain.SHA256, []byte("never linked"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for h, err := range walk.Orphans(context.Background(), f.blocks, f.assets) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, h)
	}
	if len(got) != 1 || got[0] != lone {
		t.Fatalf("orphans = %v; want [%s]", got, lone)
	}
}

// FuzzVerify: whatever bytes a block file holds, the verifier reports a
// fault or passes; it never panics.
func FuzzVerify(f *testing.F) {
	f.Add([]byte(`{}`), uint8(1))
	f.Add([]byte(`{"assets":[],"chain":"","crypt":"sha256","height":0,"id":"x","prev":"","time":"2026-01-01T00:00:00Z"}`), uint8(0))
	f.Fuzz(func(t *testing.T, doc []byte, which uint8) {
		fx := newFixture(t, 2)
		id := fx.chain[int(which)%3].ID
		if err := os.WriteFile(blockPath(fx, id, ".block"), doc, 0o644); err != nil {
			t.Fatal(err)
		}
		verify(t, fx, false)
	})
}

// TestWalkCancelled: a walk whose context ends before the tail must say
// so; ending quietly would pass a partly read chain for a whole one (an
// interrupted `bhctl verify` reported "no faults").
func TestWalkCancelled(t *testing.T) {
	const n = 40
	for name, f := range map[string]*fixture{
		"file": newFixture(t, n), // reads next pointers apart
		"mem":  newFixtureAt(t, "mem://"+t.Name(), n),
	} {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var last uint64
			var end error
			for b, err := range walk.New(f.blocks, f.chain[0].ID).All(ctx, &walk.Options{Prefetch: 1}) {
				if err != nil {
					end = err
					break
				}
				last = b.Height
				cancel()
			}
			if last == n {
				t.Skip("the walk read the whole chain before it saw the cancel")
			}
			if !errors.Is(end, context.Canceled) {
				t.Fatalf("walk cancelled after height %d of %d ended with %v; want context.Canceled", last, n, end)
			}
		})
	}
}
