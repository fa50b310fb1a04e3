package filestore_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"testing/iotest"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store"
)

// TestPutRepairsDamagedAsset plays a power loss before Sync that left an
// asset's file with the right size and the wrong bytes (and other
// damage): putting the asset again must replace the file, not take it
// for the asset.
func TestPutRepairsDamagedAsset(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a, err := store.OpenAssets(ctx, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Larger than the comparison's buffers, so that damage lands in
	// the first, a middle or the last of them.
	data := bytes.Repeat([]byte("order,42,paid\n"), 50000)
	hash, _, err := a.PutBytes(ctx, chain.SHA256, data)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "assets", hash[:2], hash+".blob")
	flipped := func(off int) []byte {
		b := bytes.Clone(data)
		b[off] ^= 1
		return b
	}
	damages := []struct {
		name  string
		bytes []byte
	}{
		{"zeros of the same size", make([]byte, len(data))},
		{"one byte changed at the start", flipped(0)},
		{"one byte changed in the middle", flipped(400_000)},
		{"one byte changed at the end", flipped(len(data) - 1)},
		{"a shorter file", data[:len(data)/2]},
		{"a longer file", append(bytes.Clone(data), '\n')},
		{"an empty file", nil},
	}
	puts := []struct {
		name string
		put  func() (bool, error)
	}{
		{"PutSummed", func() (bool, error) { return a.PutSummed(ctx, hash, data) }},
		{"Put from a stream", func() (bool, error) {
			return a.Put(ctx, hash, iotest.HalfReader(bytes.NewReader(data)), int64(len(data)))
		}},
	}
	for _, damage := range damages {
		for _, put := range puts {
			t.Run(damage.name+"/"+put.name, func(t *testing.T) {
				if err := os.WriteFile(path, damage.bytes, 0o600); err != nil {
					t.Fatal(err)
				}
				if err := a.Verify(ctx, hash, int64(len(data))); !errors.Is(err, chain.ErrTampered) {
					t.Fatalf("Verify of the damaged file = %v; want ErrTampered", err)
				}
				created, err := put.put()
				if err != nil || !created {
					t.Fatalf("re-put = %v, %v; want the file replaced (created)", created, err)
				}
				if err := a.Verify(ctx, hash, int64(len(data))); err != nil {
					t.Fatalf("Verify after the re-put: %v", err)
				}
				// An intact file is left alone.
				if created, err := put.put(); err != nil || created {
					t.Fatalf("put of an intact asset = %v, %v; want not created", created, err)
				}
			})
		}
	}
	if left, err := os.ReadDir(filepath.Join(dir, "tmp")); err != nil || len(left) > 0 {
		t.Errorf("tmp/ holds %v (%v); want it empty", left, err)
	}
}

// TestPutKeepsAssetOnForgedRepair: a put of bytes that do not match the
// hash is refused, and does not replace a damaged file with them.
func TestPutKeepsAssetOnForgedRepair(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a, err := store.OpenAssets(ctx, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	data := []byte("the real bytes")
	hash, _, err := a.PutBytes(ctx, chain.SHA256, data)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "assets", hash[:2], hash+".blob")
	zeros := make([]byte, len(data))
	if err := os.WriteFile(path, zeros, 0o600); err != nil {
		t.Fatal(err)
	}
	forged := []byte("forged bytes!!")
	if _, err := a.Put(ctx, hash, bytes.NewReader(forged), int64(len(forged))); !errors.Is(err, chain.ErrTampered) {
		t.Fatalf("Put of forged bytes = %v; want ErrTampered", err)
	}
	if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, zeros) {
		t.Fatalf("file after the refused put = %q, %v; want it untouched", got, err)
	}
	if _, err := a.Put(ctx, hash, bytes.NewReader(data), int64(len(data))); err != nil {
		t.Fatal(err)
	}
	if err := a.Verify(ctx, hash, int64(len(data))); err != nil {
		t.Fatalf("Verify after the good put: %v", err)
	}
	if left, err := os.ReadDir(filepath.Join(dir, "tmp")); err != nil || len(left) > 0 {
		t.Errorf("tmp/ holds %v (%v); want it empty", left, err)
	}
}
