package filestore_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store"
	"github.com/blockhub/blockhub/chain/store/storetest"
)

// TestMain lets the test binary act as one racer of
// TestSetNextRaceProcesses when BH_RACER is set.
func TestMain(m *testing.M) {
	if os.Getenv("BH_RACER") != "" {
		os.Exit(racer())
	}
	os.Exit(m.Run())
}

// racer sets BH_RACE_ROOT's next to BH_RACE_KID once BH_RACE_GO exists,
// and exits 0 when it won, 3 when it lost with ErrNextSet, 1 otherwise.
func racer() int {
	ctx := context.Background()
	b, err := store.OpenBlocks(ctx, os.Getenv("BH_RACE_DIR"), nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	for deadline := time.Now().Add(30 * time.Second); ; {
		if _, err := os.Stat(os.Getenv("BH_RACE_GO")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			return 1
		}
		time.Sleep(time.Millisecond)
	}
	err = b.SetNext(ctx, os.Getenv("BH_RACE_ROOT"), os.Getenv("BH_RACE_KID"))
	switch {
	case err == nil:
		return 0
	case errors.Is(err, chain.ErrNextSet):
		return 3
	}
	fmt.Fprintln(os.Stderr, err)
	return 1
}

func TestSetNextRaceProcesses(t *testing.T) {
	const procs = 4
	for round := range 5 {
		dir := t.TempDir()
		ctx := context.Background()
		b, err := store.OpenBlocks(ctx, dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		root := storetest.Root(t, "procs")
		if err := b.Create(ctx, root); err != nil {
			t.Fatal(err)
		}
		goFile := filepath.Join(dir, "go")
		cmds := make([]*exec.Cmd, procs)
		for i := range cmds {
			kid := storetest.Child(t, root, fmt.Sprint("proc-", round, "-", i))
			if err := b.Create(ctx, kid); err != nil {
				t.Fatal(err)
			}
			cmds[i] = exec.Command(os.Args[0])
			cmds[i].Env = append(os.Environ(), "BH_RACER=1", "BH_RACE_DIR="+dir, "BH_RACE_GO="+goFile,
				"BH_RACE_ROOT="+root.ID, "BH_RACE_KID="+kid.ID)
			cmds[i].Stderr = os.Stderr
			if err := cmds[i].Start(); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(50 * time.Millisecond)
		if err := os.WriteFile(goFile, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		errs := make([]error, procs)
		for i, c := range cmds {
			err := c.Wait()
			var ee *exec.ExitError
			switch {
			case err == nil:
			case errors.As(err, &ee) && ee.ExitCode() == 3:
				errs[i] = chain.ErrNextSet
			default:
				errs[i] = fmt.Errorf("racer process %d: %v", i, err)
			}
		}
		storetest.CheckOneWinner(t, errs)
	}
}
