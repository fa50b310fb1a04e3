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

// TestPutUnsummed streams bytes of unknown hash into the folder store:
// the asset is named by their hash, reads back the same, a second put of
// the same bytes is not created, a damaged file under the name is
// replaced, and a reader that fails leaves nothing behind.
func TestPutUnsummed(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a, err := store.OpenAssets(ctx, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !a.Spools() {
		t.Fatal("the folder store does not spool")
	}
	// Past the spool's 1 MiB buffer, and not a multiple of it.
	data := bytes.Repeat([]byte("reading,17.5,ok\n"), 3<<16+7)
	want := chain.SHA256.Sum(data)

	hash, n, created, err := a.PutUnsummed(ctx, chain.SHA256, iotest.HalfReader(bytes.NewReader(data)))
	if err != nil || hash != want || n != int64(len(data)) || !created {
		t.Fatalf("PutUnsummed = %s, %d, %v, %v; want %s, %d, true, nil", hash, n, created, err, want, len(data))
	}
	got, err := a.ReadAll(ctx, hash)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("ReadAll = %d bytes, %v; want the %d bytes put", len(got), err, len(data))
	}
	if _, _, created, err := a.PutUnsummed(ctx, chain.SHA256, bytes.NewReader(data)); err != nil || created {
		t.Fatalf("second PutUnsummed: created %v, %v; want false, nil", created, err)
	}

	path := filepath.Join(dir, "assets", hash[:2], hash+".blob")
	damaged := bytes.Clone(data)
	damaged[len(damaged)/2] ^= 1
	if err := os.WriteFile(path, damaged, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, created, err := a.PutUnsummed(ctx, chain.SHA256, bytes.NewReader(data)); err != nil || !created {
		t.Fatalf("PutUnsummed over a damaged file: created %v, %v; want true, nil", created, err)
	}
	if err := a.Verify(ctx, hash, int64(len(data))); err != nil {
		t.Fatalf("Verify after the repair: %v", err)
	}

	broken := errors.New("stdin broke")
	if _, _, _, err := a.PutUnsummed(ctx, chain.SHA256, iotest.ErrReader(broken)); !errors.Is(err, broken) {
		t.Fatalf("PutUnsummed of a failing reader = %v; want %v", err, broken)
	}
	var hashes []string
	for h, err := range a.All(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, h)
	}
	if len(hashes) != 1 || hashes[0] != hash {
		t.Fatalf("assets after the failed put: %v; want only %s", hashes, hash)
	}
	if err := a.Sync(ctx); err != nil {
		t.Fatal(err)
	}
}
