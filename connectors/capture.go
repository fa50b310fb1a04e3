package connectors

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/blockhub/blockhub"
	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/index"
)

// Capture runs src onto the chain rooted at root, as bhctl import does.
// With o.Common.PreventDups, or a source that resumes (Resumer), it
// brings the chain's index up to date and hands it to the run. With DryRun
// nothing is written, and root may be the zero Block (a chain that does
// not exist yet holds nothing to skip).
// Otherwise every chunk captured is linked before Capture returns, also
// when the run stopped on an error or ctx ended, so a re-run resumes after
// it. o.Index is set by Capture.
//
// A source that resumes (Resumer) runs alone: while another process runs
// the same resume on the chain, Capture captures nothing, says so in
// o.Notes and returns no error (for cron, an overlapping run is not a
// failure: the running one captures what is new).
func Capture(ctx context.Context, h *blockhub.Hub, root chain.Block, src Source, o ImportOptions) (Summary, error) {
	crypt := chain.DefaultCrypt
	if root.ID != "" {
		crypt = root.Crypt
	}
	if root.ID == "" {
		o.Common.PreventDups = false
	}
	resumed := resumes(src)
	if resumed != "" && root.ID != "" && !o.Common.DryRun {
		unlock, err := lockResume(h.Home, root.ID, resumed)
		if errors.Is(err, errRunning) {
			if o.Notes != nil {
				fmt.Fprintf(o.Notes, "bhctl: %s: another run is capturing %s into this chain: this one leaves it to that one\n", o.Connector, resumed)
			}
			return Summary{Connector: o.Connector}, nil
		}
		if err != nil {
			return Summary{Connector: o.Connector}, err
		}
		defer unlock()
	}
	if root.ID != "" && (o.Common.PreventDups || resumed != "") {
		idx, err := index.Open(ctx, h.Home, h.Blocks, root)
		if err != nil {
			return Summary{Connector: o.Connector}, err
		}
		defer idx.Close()
		o.Index = idx
	}
	if o.Common.DryRun {
		return Import(ctx, nil, crypt, src, o)
	}
	// The builder outlives ctx so that what was captured before it ended
	// is still linked; only the source stops.
	w, err := h.BulkWriter(context.WithoutCancel(ctx), root)
	if err != nil {
		return Summary{Connector: o.Connector}, err
	}
	sum, err := Import(ctx, w.Appender, crypt, src, o)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	return sum, err
}

// errRunning is lockResume's answer when another run holds the lock.
var errRunning = errors.New("another run holds the lock")

// lockResume takes the lock of one resume on one chain: a file in
// home/locks, locked with flock(2), which the kernel releases when the
// process ends however it ends. The file stays (removing it would race
// with a run opening it).
func lockResume(home, chainID, name string) (unlock func(), err error) {
	dir := filepath.Join(home, "locks")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("lock %s: %w", name, err)
	}
	sum := sha256.Sum256([]byte(name))
	path := filepath.Join(dir, chainID[:16]+"-"+hex.EncodeToString(sum[:8])+".lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", name, err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, errRunning
		}
		return nil, fmt.Errorf("lock %s (%s): %w", name, path, err)
	}
	return func() { f.Close() }, nil
}
