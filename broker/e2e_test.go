package broker_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/blockhub/blockhub/internal/testenv"
)

// These tests run the real bhctl: capture processes publishing through
// RabbitMQ, builder daemons linking, one of them killed with SIGKILL, the
// broker connection cut; then check that every hash a capture printed is
// on the chain exactly once.

var (
	bhctlOnce sync.Once
	bhctlPath string
	bhctlErr  error
)

// bhctl builds the command once per test binary.
func bhctl(t *testing.T) string {
	t.Helper()
	bhctlOnce.Do(func() {
		dir, err := os.MkdirTemp("", "bh-broker-e2e-")
		if err != nil {
			bhctlErr = err
			return
		}
		bhctlPath = filepath.Join(dir, "bhctl")
		out, err := exec.Command("go", "build", "-o", bhctlPath, "github.com/blockhub/blockhub/cmd/bhctl").CombinedOutput()
		if err != nil {
			bhctlErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if bhctlErr != nil {
		t.Fatal(bhctlErr)
	}
	return bhctlPath
}

// e2e is a home shared by the processes of one test.
type e2e struct {
	t      *testing.T
	bin    string
	home   string
	broker string
	env    []string // more environment for every process
}

func newE2E(t *testing.T) *e2e {
	if testing.Short() {
		t.Skip("runs bhctl processes against RabbitMQ; skipped under -short")
	}
	return &e2e{t: t, bin: bhctl(t), home: t.TempDir(), broker: brokerURL(t)}
}

func (e *e2e) cmd(ctx context.Context, broker string, args ...string) *exec.Cmd {
	c := exec.CommandContext(ctx, e.bin, args...)
	c.Env = append(os.Environ(), "BH_HOME="+e.home, "BH_BROKER="+broker, "BH_CHAIN=e2e")
	c.Env = append(c.Env, e.env...)
	return c
}

// run runs bhctl to its end and returns its stdout; a failure fails the
// test with stderr.
func (e *e2e) run(broker string, stdin string, args ...string) string {
	e.t.Helper()
	c := e.cmd(context.Background(), broker, args...)
	c.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	if err := c.Run(); err != nil {
		e.t.Errorf("bhctl %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return out.String()
}

// daemon is a running `bhctl serve builder`.
type daemon struct {
	cmd    *exec.Cmd
	stderr *bytes.Buffer
	mu     *sync.Mutex
}

// startBuilder starts a builder daemon with env added to the e2e's.
func (e *e2e) startBuilder(broker string, env ...string) *daemon {
	e.t.Helper()
	return e.startDaemon(broker, "serve builder: ready", env, "serve", "builder", "--chains", "e2e", "--heartbeat", "500ms")
}

// startDaemon starts a long-running bhctl (env added to the e2e's) and
// waits until its stderr says ready.
func (e *e2e) startDaemon(broker, ready string, env []string, args ...string) *daemon {
	e.t.Helper()
	c := e.cmd(context.Background(), broker, args...)
	c.Env = append(c.Env, env...)
	var mu sync.Mutex
	buf := &bytes.Buffer{}
	c.Stderr = lockedWriter{&mu, buf}
	if err := c.Start(); err != nil {
		e.t.Fatal(err)
	}
	d := &daemon{cmd: c, stderr: buf, mu: &mu}
	e.t.Cleanup(func() { d.cmd.Process.Kill(); d.cmd.Wait() })
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(d.log(), ready) {
		if time.Now().After(deadline) {
			e.t.Fatalf("bhctl %s not ready:\n%s", strings.Join(args, " "), d.log())
		}
		time.Sleep(50 * time.Millisecond)
	}
	return d
}

func (d *daemon) log() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.stderr.String()
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// chainHashes walks the chain with bhctl and counts each asset hash.
func (e *e2e) chainHashes() map[string]int {
	e.t.Helper()
	out := e.run("", "", "walk", "--assets", "-o", "json")
	got := map[string]int{}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var a struct {
			Hash   string `json:"hash"`
			Height uint64 `json:"height"`
		}
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			e.t.Fatalf("walk output %q: %v", sc.Text(), err)
		}
		if a.Height > 0 {
			got[a.Hash]++
		}
	}
	return got
}

// waitLinked waits until every hash in want is on the chain.
func (e *e2e) waitLinked(want []string, d time.Duration) map[string]int {
	e.t.Helper()
	deadline := time.Now().Add(d)
	for {
		got := e.chainHashes()
		missing := 0
		for _, h := range want {
			if got[h] == 0 {
				missing++
			}
		}
		if missing == 0 {
			return got
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("%d of %d printed hashes still not on the chain after %s", missing, len(want), d)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// captures runs procs processes of n pipes each, and one csv import of
// rows rows per csv file, all with the given broker URL; it returns every
// hash they printed.
func (e *e2e) captures(broker string, procs, n int, csvs []string, extra ...string) []string {
	var mu sync.Mutex
	var printed []string
	var wg sync.WaitGroup
	add := func(out string) {
		mu.Lock()
		defer mu.Unlock()
		for _, l := range strings.Fields(out) {
			printed = append(printed, l)
		}
	}
	for p := range procs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range n {
				add(e.run(broker, fmt.Sprintf("capture %d-%d\n", p, i), append(extra, "pipe")...))
			}
		}()
	}
	for _, f := range csvs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			add(e.run(broker, "", append(extra, "import", "csv", f, "--rows", "50")...))
		}()
	}
	wg.Wait()
	return printed
}

func writeCSV(t *testing.T, path, tag string, rows int) {
	var b strings.Builder
	b.WriteString("id,tag,amount\n")
	for i := range rows {
		fmt.Fprintf(&b, "%d,%s,%d.%02d\n", i, tag, i*7, i%100)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// checkOnce asserts every printed hash is on the chain exactly once and
// the chain verifies.
func (e *e2e) checkOnce(printed []string, got map[string]int) {
	e.t.Helper()
	for _, h := range printed {
		if got[h] != 1 {
			e.t.Errorf("printed hash %s is on the chain %d times, want 1", h, got[h])
		}
	}
	e.run("", "", "verify", "--assets")
}

// orphanReceipts returns the receipts of blocks in the folder store that
// are not on the chain and that no linked block holds: receipts that an
// unlinked block alone would keep (there must be none).
func (e *e2e) orphanReceipts(onChain map[string]int) (orphanBlocks, stranded int) {
	e.t.Helper()
	linked := map[string]bool{}
	out := e.run("", "", "walk", "-o", "json")
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var b struct {
			ID string `json:"id"`
		}
		json.Unmarshal([]byte(l), &b)
		linked[b.ID] = true
	}
	files, _ := filepath.Glob(filepath.Join(e.home, "blocks", "*", "*.block"))
	for _, f := range files {
		id := strings.TrimSuffix(filepath.Base(f), ".block")
		if linked[id] {
			continue
		}
		doc, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		var b struct {
			Height uint64 `json:"height"`
			Assets []struct {
				Hash string `json:"hash"`
			} `json:"assets"`
		}
		if json.Unmarshal(doc, &b) != nil || b.Height == 0 {
			continue // another chain's root
		}
		orphanBlocks++
		for _, a := range b.Assets {
			if onChain[a.Hash] == 0 {
				stranded++
			}
		}
	}
	return orphanBlocks, stranded
}

// 4 capture processes x 50 pipes and 2 csv imports against 2 builder
// daemons; one daemon is killed with SIGKILL at a random moment and
// started again.
func TestE2EKillBuilder(t *testing.T) {
	e := newE2E(t)
	e.run("", "", "chain", "create", "e2e", "--max", "50", "--ttl", "50ms")
	a := e.startBuilder(e.broker)
	e.startBuilder(e.broker)
	dir := t.TempDir()
	csvs := []string{filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.csv")}
	writeCSV(t, csvs[0], "a", 2000)
	writeCSV(t, csvs[1], "b", 2000)

	killed := make(chan struct{})
	go func() {
		defer close(killed)
		time.Sleep(time.Duration(300+rand.IntN(2500)) * time.Millisecond)
		a.cmd.Process.Signal(syscall.SIGKILL)
		a.cmd.Wait()
		time.Sleep(300 * time.Millisecond)
		e.startBuilder(e.broker)
	}()
	printed := e.captures(e.broker, 4, 50, csvs)
	<-killed
	if want := 4*50 + 2*40; len(printed) != want {
		t.Fatalf("captures printed %d hashes, want %d", len(printed), want)
	}
	got := e.waitLinked(printed, 90*time.Second)
	e.checkOnce(printed, got)
	blocks, stranded := e.orphanReceipts(got)
	t.Logf("kill -9 builder: %d receipts, each linked once; %d unlinked blocks (lost races), %d receipts only in them", len(printed), blocks, stranded)
	if stranded != 0 {
		t.Errorf("%d receipts only in unlinked blocks", stranded)
	}
	// Every row of both files exactly once.
	rows := map[string]int{}
	for h := range got {
		body := e.run("", "", "asset", h)
		if !strings.Contains(body, ",a,") && !strings.Contains(body, ",b,") {
			continue
		}
		for _, l := range strings.Split(strings.TrimSpace(body), "\n") {
			if !strings.HasPrefix(l, "id,") {
				rows[l]++
			}
		}
	}
	if len(rows) != 4000 {
		t.Errorf("%d distinct csv rows on the chain, want 4000", len(rows))
	}
	for r, n := range rows {
		if n != 1 {
			t.Errorf("row %q on the chain %d times", r, n)
		}
	}
}

// The broker connection of captures and of the builder is cut for 10
// seconds in the middle of a run: they reconnect by themselves, each warns
// once, and the run completes exactly once.
func TestE2EBrokerOutage(t *testing.T) {
	e := newE2E(t)
	p := newProxy(t, testenv.ParsedURL(t, testenv.AMQP).Host)
	via := viaProxy(t, e.broker, p)
	e.run("", "", "chain", "create", "e2e", "--max", "50", "--ttl", "50ms")
	d := e.startBuilder(via)

	done := make(chan struct{})
	go func() {
		defer close(done)
		time.Sleep(time.Duration(500+rand.IntN(1000)) * time.Millisecond)
		p.cut()
		time.Sleep(10 * time.Second)
		p.restore()
	}()
	printed := e.captures(via, 2, 25, nil, "--broker-timeout", "60s")
	<-done
	got := e.waitLinked(printed, 60*time.Second)
	e.checkOnce(printed, got)
	lost := strings.Count(d.log(), "broker connection lost")
	if lost != 1 {
		t.Errorf("the builder warned of %d lost connections, want 1:\n%s", lost, d.log())
	}
	if n := strings.Count(d.log(), "level=WARN"); n != 1 {
		t.Errorf("the builder logged %d warnings for one outage, want 1:\n%s", n, d.log())
	}
	t.Logf("broker outage 10s: %d receipts, each linked once", len(printed))
}

// A capture whose broker never comes back prints nothing and fails with
// one line.
func TestE2EUnconfirmedIsNotPrinted(t *testing.T) {
	e := newE2E(t)
	p := newProxy(t, testenv.ParsedURL(t, testenv.AMQP).Host)
	p.cut()
	e.run("", "", "chain", "create", "e2e")
	c := e.cmd(context.Background(), viaProxy(t, e.broker, p), "--broker-timeout", "2s", "pipe")
	c.Stdin = strings.NewReader("never confirmed\n")
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	err := c.Run()
	if err == nil || out.Len() != 0 {
		t.Fatalf("pipe with no broker: err %v, stdout %q", err, out.String())
	}
	lines := strings.Split(strings.TrimSpace(errb.String()), "\n")
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, "bhctl: broker amqp://guest:xxxxx@") || !strings.Contains(last, "unreachable") {
		t.Fatalf("stderr: %q", errb.String())
	}
}

// The builder's asset store (MinIO, through a proxy) is unreachable for 5
// seconds while captures publish: it decides nothing meanwhile (no dead
// letter), warns, and links every receipt once when the store is back. A
// capture whose own asset store is unreachable prints no hash and fails.
func TestE2EAssetStoreOutage(t *testing.T) {
	e := newE2E(t)
	s3 := testenv.URL(t, testenv.S3)
	p := newProxy(t, testenv.ParsedURL(t, testenv.S3).Host)
	e.env = []string{"BH_ASSET_STORE=" + s3}
	e.run("", "", "chain", "create", "e2e", "--max", "20", "--ttl", "50ms")
	d := e.startBuilder(e.broker, "BH_ASSET_STORE="+viaProxy(t, s3, p))

	p.cut()
	restored := time.AfterFunc(5*time.Second, p.restore)
	defer restored.Stop()
	printed := e.captures(e.broker, 2, 10, nil)
	got := e.waitLinked(printed, 60*time.Second)
	e.checkOnce(printed, got)
	if strings.Contains(d.log(), "dead-lettering") {
		t.Errorf("the builder dead-lettered receipts while its asset store was down:\n%s", d.log())
	}
	if n := strings.Count(d.log(), "cannot link; retrying"); n != 1 {
		t.Errorf("the builder warned %d times of its asset store being down, want once:\n%s", n, d.log())
	}
	t.Logf("asset store outage 5s: %d receipts, each linked once", len(printed))

	// A capture that cannot store its asset claims nothing.
	p.cut()
	c := e.cmd(context.Background(), e.broker, "pipe")
	c.Env = append(c.Env, "BH_ASSET_STORE="+viaProxy(t, s3, p))
	c.Stdin = strings.NewReader("never stored\n")
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	start := time.Now()
	err := c.Run()
	if err == nil || out.Len() != 0 {
		t.Fatalf("pipe with its asset store down: err %v, stdout %q", err, out.String())
	}
	lines := strings.Split(strings.TrimSpace(errb.String()), "\n")
	if last := lines[len(lines)-1]; !strings.Contains(last, p.addr()) {
		t.Errorf("the error does not name the asset store: %q", errb.String())
	}
	t.Logf("pipe with its asset store down failed after %s: %s", time.Since(start).Round(time.Millisecond), lines[len(lines)-1])
}

// serve http with --broker says what it waited for, a line each, then
// captures through the builder; with the broker down it fails with one
// line after --startup-timeout.
func TestE2EServeHTTPChecklist(t *testing.T) {
	e := newE2E(t)
	e.run("", "", "chain", "create", "e2e", "--max", "20", "--ttl", "50ms")
	e.startBuilder(e.broker)

	addr := freeAddr(t)
	srv := e.startDaemon(e.broker, "serving http on", nil, "serve", "http", "--listen", addr)
	steps := []string{"block store", "asset store", "broker amqp://guest:xxxxx@", "queue ", "HTTP port " + addr + " open"}
	at := 0
	for _, line := range strings.Split(srv.log(), "\n") {
		for at < len(steps) && strings.Contains(line, steps[at]) {
			at++
		}
	}
	if at != len(steps) {
		t.Fatalf("checklist: step %q missing or out of order:\n%s", steps[at], srv.log())
	}

	resp, err := http.Post("http://"+addr+"/hook", "application/json", strings.NewReader(`{"event":"checklist"}`))
	if err != nil {
		t.Fatal(err)
	}
	var rc struct {
		Body string `json:"body"`
	}
	json.NewDecoder(resp.Body).Decode(&rc)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || rc.Body == "" {
		t.Fatalf("POST: %s, receipt %+v", resp.Status, rc)
	}
	e.checkOnce([]string{rc.Body}, e.waitLinked([]string{rc.Body}, 30*time.Second))

	// The broker down: one clear line after the start-up timeout.
	p := newProxy(t, testenv.ParsedURL(t, testenv.AMQP).Host)
	p.cut()
	bad := e.cmd(context.Background(), viaProxy(t, e.broker, p), "serve", "http", "--listen", freeAddr(t), "--startup-timeout", "2s")
	var errb bytes.Buffer
	bad.Stderr = &errb
	if err := bad.Run(); err == nil {
		t.Fatalf("serve http with the broker down exited 0:\n%s", errb.String())
	}
	lines := strings.Split(strings.TrimSpace(errb.String()), "\n")
	if last := lines[len(lines)-1]; !strings.Contains(last, "serve http: not ready after 2s: broker") || !strings.Contains(last, "last try") {
		t.Fatalf("last line %q of:\n%s", last, errb.String())
	}
}

// freeAddr is a loopback address with a port free right now.
func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
