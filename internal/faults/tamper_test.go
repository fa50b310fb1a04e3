package faults

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTamper flips single bytes of stored blocks and assets (the folder
// store's files), one at a time, and runs verify after each flip: every
// flip must be found and named (the block's id, the asset's hash). Then
// it truncates a block and checks that walk and verify fail with one
// clear line rather than a panic.
func TestTamper(t *testing.T) {
	needBinary(t)
	rng := newRand(t)
	r := newRig(t)
	for i := range 6 {
		var b strings.Builder
		for j := range 12 {
			fmt.Fprintf(&b, "pipe %d line %d %08x\n", i, j, rng.Uint32())
		}
		r.must(strings.NewReader(b.String()), "-q", "pipe", "--rows", "4")
	}
	blocks := r.walk("")
	rootID := blocks[0].ID
	type object struct {
		kind, name, path string
	}
	var objects []object
	for _, b := range blocks {
		objects = append(objects, object{"block", b.ID, filepath.Join(r.home, "blocks", b.ID[:2], b.ID+".block")})
	}
	for _, b := range blocks[1:] {
		a := b.Assets[rng.IntN(len(b.Assets))].Hash
		objects = append(objects, object{"asset", a, filepath.Join(r.home, "assets", a[:2], a+".blob")})
	}

	perObject := count(12, 0) // 0: every byte
	var flips, found, named int
	for _, o := range objects {
		orig, err := os.ReadFile(o.path)
		if err != nil {
			t.Fatal(err)
		}
		positions := rng.Perm(len(orig))
		if perObject > 0 && perObject < len(positions) {
			positions = positions[:perObject]
		}
		for _, pos := range positions {
			forged := append([]byte(nil), orig...)
			forged[pos] ^= byte(1 + rng.IntN(255))
			writeOver(t, o.path, forged)
			faults, res := r.verify(rootID, "--assets")
			writeOver(t, o.path, orig)
			flips++
			if res.code == 0 {
				t.Errorf("%s %s: byte %d flipped (%q to %q): verify found nothing", o.kind, o.name, pos, orig[pos], forged[pos])
				continue
			}
			found++
			ok := false
			for _, f := range faults {
				if o.kind == "block" && f.Block == o.name || o.kind == "asset" && f.Asset == o.name {
					ok = true
				}
			}
			// A forged root cannot be resolved: the one error line must
			// name it then.
			if !ok && o.name == rootID && len(faults) == 0 && strings.Contains(res.stderr, rootID) {
				ok = true
			}
			if !ok {
				t.Errorf("%s %s: byte %d flipped: verify did not name it: %s", o.kind, o.name, pos, res)
				continue
			}
			named++
		}
	}
	if _, res := r.verify(rootID, "--assets"); res.code != 0 {
		t.Fatalf("the restored store does not verify: %s", res)
	}

	// Truncated blocks: walk and verify fail in one line naming the block.
	mid := blocks[len(blocks)/2]
	path := filepath.Join(r.home, "blocks", mid.ID[:2], mid.ID+".block")
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cuts, clear int
	for _, n := range []int{0, 1, len(orig) / 2, len(orig) - 1} {
		writeOver(t, path, orig[:n])
		cuts++
		walkRes := r.run(nil, "--chain", rootID, "walk")
		faults, verifyRes := r.verify(rootID)
		writeOver(t, path, orig)
		if err := oneClearLine(walkRes, mid.ID); err != nil {
			t.Errorf("walk over a block cut to %d of %d bytes: %v: %s", n, len(orig), err, walkRes)
			continue
		}
		if verifyRes.code != 1 || len(faults) == 0 || faults[0].Block != mid.ID {
			t.Errorf("verify over a block cut to %d of %d bytes: want a fault naming %s: %s", n, len(orig), mid.ID, verifyRes)
			continue
		}
		clear++
		if n == len(orig)/2 {
			t.Logf("walk over a block cut in half: %s", strings.TrimSpace(walkRes.stderr))
		}
	}
	summary(t, "tamper: %d single-byte flips in %d blocks and %d assets, %d found, %d named; %d truncated blocks, %d failed in one clear line",
		flips, len(blocks), len(objects)-len(blocks), found, named, cuts, clear)
}

// writeOver replaces a stored file's bytes in place (its mode may forbid
// writing to others than root; the test makes it writable first).
func writeOver(t *testing.T, path string, b []byte) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, fi.Mode()|0o200); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, fi.Mode()); err != nil {
		t.Fatal(err)
	}
}
