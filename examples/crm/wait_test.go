package main

import (
	"bytes"
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// bhctlIn runs bhctl with home and the default chain, stdin in, and
// returns its stdout and stderr; it fails t when bhctl does.
func bhctlIn(t *testing.T, bin, home, in string, args ...string) (string, string) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"--home", home}, args...)...)
	cmd.Stdin = strings.NewReader(in)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("bhctl %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return out.String(), errb.String()
}

// A live oracle started before its chain exists (a fresh home: the
// default chain is made by the first write) waits for it, then follows
// it: the orders piped in afterwards show up in MariaDB.
func TestLiveWaitsForChain(t *testing.T) {
	target := serverURL(t)
	bin, home := bhctl(t), t.TempDir()
	db, table := liveTable(t, target, "wait")
	var errb bytes.Buffer
	live := exec.Command(bin, "--home", home, "oracle", "--target", target, "--table", table,
		"--key", "order_id", "--create", "--live")
	live.Stderr = &errb
	if err := live.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- live.Wait() }()
	var exitErr error
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			live.Process.Signal(syscall.SIGTERM)
			exitErr = <-exited
		}
	}
	defer stop()
	// It must still run: it exited with status 1 when the chain was
	// missing.
	select {
	case err := <-exited:
		stopped = true
		t.Fatalf("oracle --live exited before the chain was made (%v): %s", err, errb.String())
	case <-time.After(500 * time.Millisecond):
	}
	for i := 0; i < 3; i++ {
		bhctlIn(t, bin, home, newOrders(1+10*i, 10), "-q", "pipe", "--type", "text/csv")
		want := 10 * (i + 1)
		start := time.Now()
		for count(t, db, fmt.Sprintf("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = '%s'", table)) == 0 ||
			count(t, db, "SELECT COUNT(*) FROM `"+table+"`") < want {
			if time.Since(start) > 15*time.Second {
				t.Fatalf("the table never had %d rows; oracle said: %s", want, errb.String())
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	stop()
	if exitErr != nil {
		t.Errorf("oracle --live stopped by SIGTERM: %v; want exit 0", exitErr)
	}
	if n := count(t, db, "SELECT COUNT(DISTINCT order_id) FROM `"+table+"`"); n != 30 {
		t.Errorf("%d orders; want 30", n)
	}
	if !strings.Contains(errb.String(), `chain "default" does not exist yet: waiting for its first write`) {
		t.Errorf("stderr %q; want the note that it waits", errb.String())
	}
}

// bhctl oracle --create after its table was dropped (or emptied) rebuilds
// the table from the root, where it once said "applied 0 records" and
// left no table.
func TestCreateAfterDropRebuilds(t *testing.T) {
	target := serverURL(t)
	bin, home := bhctl(t), t.TempDir()
	db, table := liveTable(t, target, "drop")
	bhctlIn(t, bin, home, newOrders(1, 7), "-q", "pipe", "--type", "text/csv")
	replay := func() (string, string) {
		return bhctlIn(t, bin, home, "", "oracle", "--target", target, "--table", table, "--key", "order_id", "--create")
	}
	if out, _ := replay(); !strings.HasPrefix(out, "applied 7 records") {
		t.Fatalf("first replay: %q", out)
	}
	for _, damage := range []string{"DROP TABLE `" + table + "`", "DELETE FROM `" + table + "`"} {
		if _, err := db.Exec(damage); err != nil {
			t.Fatal(err)
		}
		out, stderr := replay()
		if !strings.HasPrefix(out, "applied 7 records") || !strings.Contains(stderr, "replayed from the root") {
			t.Fatalf("replay after %s: stdout %q, stderr %q; want 7 records rebuilt from the root", damage, out, stderr)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM `"+table+"`"); n != 7 {
			t.Fatalf("after %s and a replay: %d rows; want 7", damage, n)
		}
	}
	if out, _ := replay(); !strings.HasPrefix(out, "applied 0 records") {
		t.Fatalf("replay with nothing new: %q", out)
	}
}
