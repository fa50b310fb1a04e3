package cluster_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store"
	"github.com/blockhub/blockhub/chain/store/cluster"
	"github.com/blockhub/blockhub/chain/store/driver"
	_ "github.com/blockhub/blockhub/chain/store/filestore"
)

// damageFile zeroes a folder member's copy of asset h in place, keeping
// its size: what a power loss before the copy was synced leaves.
func damageFile(dir string) func(t *testing.T, h string) {
	return func(t *testing.T, h string) {
		t.Helper()
		p := filepath.Join(dir, "assets", h[:2], h+".blob")
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, make([]byte, fi.Size()), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// damageObject overwrites a member's copy of asset h with other bytes of
// the same size, through the driver (which checks nothing).
func damageObject(u string) func(t *testing.T, h string) {
	return func(t *testing.T, h string) {
		t.Helper()
		a, err := store.OpenAssets(context.Background(), u, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		n, err := a.Stat(context.Background(), h)
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Driver().(driver.Replacer).Replace(context.Background(), h, bytes.NewReader(make([]byte, n)), n); err != nil {
			t.Fatal(err)
		}
	}
}

// repairDamaged puts assets on a mirror of urls, damages one copy of one
// asset and, in a second round, every copy of another; repair must find
// the bad copies by their bytes, replace the first from a good member,
// and name the second as lost.
func repairDamaged(t *testing.T, urls []string, damage []func(*testing.T, string)) {
	ctx := context.Background()
	a, err := cluster.OpenAssets(ctx, urls, "mirror", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var hashes []string
	for i := range 3 {
		h, _, err := a.PutBytes(ctx, chain.SHA256, fmt.Appendf(nil, "asset %d %d\n", i, time.Now().UnixNano()))
		if err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, h)
	}
	if rep, err := cluster.Repair(ctx, a, nil); err != nil || rep != (cluster.Report{}) {
		t.Fatalf("Repair of a whole cluster = %s, %v; want nothing to do", rep, err)
	}

	damage[1](t, hashes[0])
	memberAssets := func(i int) *store.Assets {
		m, err := store.OpenAssets(ctx, urls[i], nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		return m
	}
	if err := memberAssets(1).Verify(ctx, hashes[0], -1); !errors.Is(err, chain.ErrTampered) {
		t.Fatalf("damaged copy verifies: %v", err)
	}
	rep, err := cluster.Repair(ctx, a, nil)
	if err != nil {
		t.Fatalf("Repair: %v (%s)", err, rep)
	}
	if want := (cluster.Report{Replaced: 1}); rep != want {
		t.Fatalf("Repair = %s; want %s", rep, want)
	}
	for i := range urls {
		for _, h := range hashes {
			if err := memberAssets(i).Verify(ctx, h, -1); err != nil {
				t.Fatalf("member %d after repair: %v", i, err)
			}
		}
	}
	if rep, err := cluster.Repair(ctx, a, nil); err != nil || rep != (cluster.Report{}) {
		t.Fatalf("second Repair = %s, %v; want nothing to do", rep, err)
	}

	// No good copy left anywhere: counted, and named in the error.
	for _, d := range damage {
		d(t, hashes[2])
	}
	rep, err = cluster.Repair(ctx, a, nil)
	if err == nil || !strings.Contains(err.Error(), "asset "+hashes[2]+": no member holds a copy that checks out") {
		t.Fatalf("Repair with every copy damaged: err = %v", err)
	}
	if want := (cluster.Report{Damaged: len(urls)}); rep != want {
		t.Fatalf("Repair = %s; want %s", rep, want)
	}
}

func TestRepairReplacesDamagedCopyFolders(t *testing.T) {
	dirs := []string{t.TempDir(), t.TempDir(), t.TempDir()}
	var damage []func(*testing.T, string)
	for _, d := range dirs {
		damage = append(damage, damageFile(d))
	}
	repairDamaged(t, dirs, damage)
}

func TestRepairReplacesDamagedCopyMinIO(t *testing.T) {
	base := testS3(t)
	prefix := fmt.Sprintf("damaged-%d", time.Now().UnixNano())
	var urls []string
	var damage []func(*testing.T, string)
	for _, b := range []string{"bhtest-cluster-a", "bhtest-cluster-b", "bhtest-cluster-c"} {
		u := bucketURL(base, b, prefix)
		urls = append(urls, u)
		damage = append(damage, damageObject(u))
	}
	repairDamaged(t, urls, damage)
}
