package main

import (
	"bufio"
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/blockhub/blockhub/internal/mysqlconn"
	"github.com/blockhub/blockhub/internal/testenv"
)

// Racing first writers (issue 12): 4 processes, each piping 6 assets one
// bhctl pipe at a time, start at once on a chain that does not exist yet.
// Every process exits 0 and prints its hashes; afterwards every printed
// hash is on the chain the name resolves to, exactly once, the chain
// verifies, chain list shows one chain of that name, and every process
// that said it created the chain names the same root.
const (
	raceProcs  = 4
	racePipes  = 6
	raceTrials = 20
	raceAtOnce = 3 // trials in flight per driver

	raceCreateTrials = 10
)

// raceDriver is a store the race tests run on.
type raceDriver struct {
	name string
	// store returns the URL of a fresh, empty store ("": the trial's own
	// fresh home folder), removed when t ends.
	store func(t *testing.T) string
}

var raceDrivers = []raceDriver{
	{"folder", func(*testing.T) string { return "" }},
	{"mysql", raceMySQL},
	{"s3", func(t *testing.T) string {
		u := testenv.ParsedURL(t, testenv.S3)
		u.Path += fmt.Sprintf("/race-%d", time.Now().UnixNano())
		return u.String()
	}},
	{"mongodb", func(t *testing.T) string {
		u := testenv.ParsedURL(t, testenv.Mongo)
		u.Path = fmt.Sprintf("/bhrace%d_%d", os.Getpid(), raceSeq.Add(1))
		return u.String()
	}},
}

func TestRacingFirstWriters(t *testing.T) {
	bin := bhctlBin(t)
	for _, d := range raceDrivers {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			// A few trials at a time, each on a store of its own (so that
			// verify --orphans sees only its assets): the processes
			// mostly wait on the store.
			sem := make(chan struct{}, raceAtOnce)
			var wg sync.WaitGroup
			for trial := range raceTrials {
				sem <- struct{}{}
				wg.Go(func() {
					defer func() { <-sem }()
					if err := raceTrial(t, bin, d.store(t), trial); err != nil {
						t.Errorf("trial %d: %v", trial, err)
					}
				})
			}
			wg.Wait()
		})
	}
}

// raceTrial runs one race on the default chain of a fresh home and store,
// which does not exist yet.
func raceTrial(t *testing.T, bin, storeURL string, trial int) error {
	var faults []error
	home := t.TempDir()
	const name = "default"
	bhctl := raceCommand(bin, home, storeURL, name)
	// The checks afterwards run the same CLI in this process, sparing the
	// start of three more processes a trial.
	check := func(args ...string) (stdout, stderr string, err error) {
		var o, e bytes.Buffer
		flags := []string{"bhctl", "--home", filepath.Join(home, "bh")}
		if storeURL != "" {
			flags = append(flags, "--block-store", storeURL, "--asset-store", storeURL, "--chain", name)
		}
		if code := run(append(flags, args...), strings.NewReader(""), &o, &e); code != 0 {
			err = fmt.Errorf("exit %d", code)
		}
		return o.String(), e.String(), err
	}

	type capture struct{ hash, note string }
	got := make([][]capture, raceProcs)
	errs := make([]error, raceProcs)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for p := range raceProcs {
		wg.Go(func() {
			<-start
			for i := range racePipes {
				out, stderr, err := bhctl(fmt.Sprintf("%d-%d\n", p, i), "pipe")
				if err != nil {
					errs[p] = fmt.Errorf("process %d pipe %d: %v: %s", p, i, err, stderr)
					return
				}
				got[p] = append(got[p], capture{strings.TrimSpace(out), strings.TrimSpace(stderr)})
			}
		})
	}
	close(start)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}

	out, stderr, err := check("walk", "--assets", "-o", "json")
	if err != nil {
		return fmt.Errorf("walk: %v: %s", err, stderr)
	}
	var root string
	onChain := map[string]int{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var a struct {
			Block  string `json:"block"`
			Height uint64 `json:"height"`
			Hash   string `json:"hash"`
			Type   string `json:"type"`
		}
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			return fmt.Errorf("walk line %q: %v", sc.Text(), err)
		}
		if a.Height == 0 {
			root = a.Block
			continue // the root's settings
		}
		onChain[a.Hash]++
	}
	printed := 0
	for p, caps := range got {
		for i, c := range caps {
			printed++
			if n := onChain[c.hash]; n != 1 {
				faults = append(faults, fmt.Errorf("process %d pipe %d printed %q; it is on the chain %d times, want 1", p, i, c.hash, n))
			}
			// The note a creator prints, the same from winner and losers.
			if c.note != "" && c.note != fmt.Sprintf("bhctl: created chain %q (%s)", name, root) {
				faults = append(faults, fmt.Errorf("process %d pipe %d said %q; the chain is %s", p, i, c.note, root))
			}
		}
	}
	if printed != raceProcs*racePipes || len(onChain) != printed {
		faults = append(faults, fmt.Errorf("%d hashes printed, %d distinct on the chain; want %d each", printed, len(onChain), raceProcs*racePipes))
	}
	// Every root a losing creator left is listed as lost to the chain.
	vout, stderr, err := check("verify", "--assets", "--orphans")
	if err != nil || !strings.Contains(stderr, "0 orphan asset(s)") {
		faults = append(faults, fmt.Errorf("verify --assets --orphans: %v: %s", err, stderr))
	}
	for line := range strings.Lines(vout) {
		if !strings.HasPrefix(line, "lost root ") || !strings.HasSuffix(strings.TrimSpace(line), fmt.Sprintf("chain %q is %s", name, root)) {
			faults = append(faults, fmt.Errorf("verify --orphans printed %q; want only lost roots of chain %s", line, root))
		}
	}
	out, stderr, err = check("chain", "list", "-o", "json")
	if err != nil {
		return fmt.Errorf("chain list: %v: %s", err, stderr)
	}
	var listed []string
	for line := range strings.Lines(out) {
		var c struct{ ID, Name string }
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			return fmt.Errorf("chain list line %q: %v", line, err)
		}
		if c.Name == name {
			listed = append(listed, c.ID)
		}
	}
	if len(listed) != 1 || listed[0] != root {
		faults = append(faults, fmt.Errorf("chain list shows chains %v named %s; want only %s", listed, name, root))
	}
	return errors.Join(faults...)
}

// raceCommand returns a function that runs bhctl as a process on home,
// storeURL ("": the home folder) and the chain name, with stdin.
func raceCommand(bin, home, storeURL, name string) func(stdin string, args ...string) (stdout, stderr string, err error) {
	var env []string
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); !strings.HasPrefix(k, "BH_") {
			env = append(env, kv)
		}
	}
	env = append(env, "BH_HOME="+filepath.Join(home, "bh"), "BH_CHAIN="+name)
	if storeURL != "" {
		env = append(env, "BH_BLOCK_STORE="+storeURL, "BH_ASSET_STORE="+storeURL)
	}
	return func(stdin string, args ...string) (stdout, stderr string, err error) {
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		cmd.Stdin = strings.NewReader(stdin)
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		err = cmd.Run()
		return o.String(), e.String(), err
	}
}

// TestRacingChainCreate: bhctl chain create NAME from 4 processes (hosts
// sharing a store) at once: exactly one succeeds and prints the chain's
// id, the others fail with one line saying it exists, and the name
// resolves to the winner's chain.
func TestRacingChainCreate(t *testing.T) {
	bin := bhctlBin(t)
	for _, d := range raceDrivers {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			storeURL := d.store(t)
			home := t.TempDir() // shared by the trials: one name each
			for trial := range raceCreateTrials {
				name := fmt.Sprintf("created-%d", trial)
				bhctl := raceCommand(bin, home, storeURL, name)
				outs := make([]string, raceProcs)
				errs := make([]string, raceProcs)
				codes := make([]error, raceProcs)
				start := make(chan struct{})
				var wg sync.WaitGroup
				for p := range raceProcs {
					wg.Go(func() {
						<-start
						outs[p], errs[p], codes[p] = bhctl("", "chain", "create", name)
					})
				}
				close(start)
				wg.Wait()
				var won []string
				for p := range raceProcs {
					switch {
					case codes[p] == nil:
						won = append(won, strings.TrimSpace(outs[p]))
					case !strings.Contains(errs[p], "exists") || strings.Count(errs[p], "\n") != 1 || outs[p] != "":
						t.Errorf("trial %d: process %d: %v, stdout %q, stderr %q; want one line saying it exists", trial, p, codes[p], outs[p], errs[p])
					}
				}
				if len(won) != 1 {
					t.Fatalf("trial %d: %d processes created chain %s (%v); want exactly 1", trial, len(won), name, won)
				}
				out, stderr, err := bhctl("", "walk", "-o", "json")
				if err != nil || !strings.Contains(out, `"id":"`+won[0]+`"`) {
					t.Fatalf("trial %d: walk of %s: %v, %s %s; want the winner's root %s", trial, name, err, out, stderr, won[0])
				}
			}
		})
	}
}

// bhctlBin returns a bhctl to run as a process: this test binary under
// that name, which testscript.Main in TestMain runs as bhctl.
func bhctlBin(t *testing.T) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "bhctl")
	if err := os.Symlink(exe, bin); err != nil {
		t.Fatal(err)
	}
	return bin
}

// raceSeq numbers the stores the race tests make.
var raceSeq atomic.Int64

// raceMySQL returns the test MariaDB's URL with a table prefix of its own;
// the tables are dropped when t ends.
func raceMySQL(t *testing.T) string {
	u := testenv.ParsedURL(t, testenv.MySQL)
	prefix := fmt.Sprintf("bhrace%d_%d_", os.Getpid(), raceSeq.Add(1))
	t.Cleanup(func() { dropPrefixed(t, u, prefix) })
	q := u.Query()
	q.Set("table_prefix", prefix)
	u.RawQuery = q.Encode()
	return u.String()
}

func dropPrefixed(t *testing.T, u *url.URL, prefix string) {
	base := *u
	base.RawQuery = ""
	cfg, err := mysqlconn.Config(&base, os.Getenv)
	if err != nil {
		t.Error(err)
		return
	}
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		t.Error(err)
		return
	}
	db := sql.OpenDB(conn)
	defer db.Close()
	rows, err := db.Query("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE ?", prefix+"%")
	if err != nil {
		t.Error(err)
		return
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err == nil {
			tables = append(tables, n)
		}
	}
	rows.Close()
	for _, n := range tables {
		if _, err := db.Exec("DROP TABLE IF EXISTS " + mysqlconn.Quote(n)); err != nil {
			t.Errorf("drop %s: %v", n, err)
		}
	}
}
