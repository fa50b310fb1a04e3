package faults

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var longMode = flag.Bool("long", false, "run the long mode of the fault suite (also BH_FAULTS_LONG=1)")

// bhctl is the binary under test, built once by TestMain.
var bhctl string

func TestMain(m *testing.M) {
	flag.Parse()
	if os.Getenv("BH_FAULTS_LONG") == "1" {
		*longMode = true
	}
	if testing.Short() {
		os.Exit(m.Run()) // every scenario skips
	}
	dir, err := os.MkdirTemp("", "bh-faults-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "faults:", err)
		os.Exit(1)
	}
	bhctl = filepath.Join(dir, "bhctl")
	build := exec.Command("go", "build", "-o", bhctl, "github.com/blockhub/blockhub/cmd/bhctl")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "faults: go build bhctl:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// needBinary skips under -short (no binary is built then).
func needBinary(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("the fault suite runs real bhctl processes; skipped under -short")
	}
}

// count is n in the default run and long in the long mode.
func count(n, long int) int {
	if *longMode {
		return long
	}
	return n
}

// newRand returns a random source for one scenario, seeded from
// BH_FAULTS_SEED when set (the seed is logged, so a run can be repeated).
func newRand(t *testing.T) *rand.Rand {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("BH_FAULTS_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("BH_FAULTS_SEED %q: %v", s, err)
		}
		seed = n
	}
	t.Logf("seed %d (BH_FAULTS_SEED=%d repeats it)", seed, seed)
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// between returns a random duration in [lo, hi).
func between(rng *rand.Rand, lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	return lo + time.Duration(rng.Int64N(int64(hi-lo)))
}

// summary prints a scenario's one-line result on stdout and in the log.
func summary(t *testing.T, format string, a ...any) {
	t.Helper()
	line := fmt.Sprintf(format, a...)
	t.Log(line)
	fmt.Println(line)
}

// rig is one set of stores under test, handed to bhctl as its
// environment: a home (for the folder store and the indexes), optional
// store URLs, and a private temp folder (TMPDIR) so that what a killed
// process leaves behind can be counted.
type rig struct {
	t    *testing.T
	work string // bhctl's working folder
	home string
	tmp  string
	env  []string
}

// newRig makes a rig on the folder store in a fresh home.
func newRig(t *testing.T) *rig {
	t.Helper()
	dir := t.TempDir()
	r := &rig{t: t, work: dir, home: filepath.Join(dir, "home"), tmp: filepath.Join(dir, "tmp")}
	if err := os.MkdirAll(r.tmp, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, kv := range os.Environ() {
		// None of the caller's bhctl settings leak in; the servers' stay.
		if strings.HasPrefix(kv, "BH_") && !strings.HasPrefix(kv, "BH_TEST_") || strings.HasPrefix(kv, "TMPDIR=") {
			continue
		}
		r.env = append(r.env, kv)
	}
	r.env = append(r.env, "BH_HOME="+r.home, "TMPDIR="+r.tmp)
	return r
}

// withStores makes the rig keep blocks and assets at url (both).
func (r *rig) withStores(url string) *rig {
	r.env = append(r.env, "BH_BLOCK_STORE="+url, "BH_ASSET_STORE="+url)
	return r
}

// result is how a finished bhctl process ended.
type result struct {
	stdout, stderr string
	code           int // exit code; -1 when killed by a signal
	err            error
}

func (res result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", res.code, clip(res.stdout), clip(res.stderr))
}

func clip(s string) string {
	if len(s) > 4000 {
		return s[:2000] + "\n...\n" + s[len(s)-2000:]
	}
	return s
}

// run runs bhctl to its end (at most 10 minutes) with stdin (nil: none).
func (r *rig) run(stdin io.Reader, args ...string) result {
	r.t.Helper()
	p := r.start(stdin, args...)
	timer := time.AfterFunc(10*time.Minute, p.kill9)
	defer timer.Stop()
	return p.wait()
}

// must runs bhctl and fails the test unless it exits 0; it returns stdout.
func (r *rig) must(stdin io.Reader, args ...string) string {
	r.t.Helper()
	res := r.run(stdin, args...)
	if res.code != 0 {
		r.t.Fatalf("bhctl %s: %s", strings.Join(args, " "), res)
	}
	return res.stdout
}

// proc is a running bhctl.
type proc struct {
	cmd    *exec.Cmd
	stdout lockedBuffer
	stderr lockedBuffer
	done   chan struct{}
	res    result
}

// start starts bhctl in the background.
func (r *rig) start(stdin io.Reader, args ...string) *proc {
	r.t.Helper()
	p := &proc{done: make(chan struct{})}
	p.cmd = exec.Command(bhctl, args...)
	p.cmd.Env = r.env
	p.cmd.Stdin = stdin
	p.cmd.Stdout = &p.stdout
	p.cmd.Stderr = &p.stderr
	p.cmd.Dir = r.work
	if err := p.cmd.Start(); err != nil {
		r.t.Fatalf("start bhctl: %v", err)
	}
	go func() {
		err := p.cmd.Wait()
		p.res = result{stdout: p.stdout.String(), stderr: p.stderr.String(), code: p.cmd.ProcessState.ExitCode(), err: err}
		close(p.done)
	}()
	return p
}

// kill9 sends SIGKILL to the process (it is ours: we started it).
func (p *proc) kill9() { p.cmd.Process.Signal(syscall.SIGKILL) }

// signal sends sig to the process.
func (p *proc) signal(sig os.Signal) { p.cmd.Process.Signal(sig) }

// exited tells whether the process has ended.
func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// wait waits for the process to end.
func (p *proc) wait() result {
	<-p.done
	return p.res
}

// waitFor waits up to d; it reports whether the process ended.
func (p *proc) waitFor(d time.Duration) bool {
	select {
	case <-p.done:
		return true
	case <-time.After(d):
		return false
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

var hashLine = regexp.MustCompile(`^[0-9a-f]{64}$`)

// printedHashes returns the hashes bhctl pipe printed, one a line; a last
// line cut by a kill is not one.
func printedHashes(stdout string) []string {
	var out []string
	for line := range strings.Lines(stdout) {
		if l, ok := strings.CutSuffix(line, "\n"); ok && hashLine.MatchString(l) {
			out = append(out, l)
		}
	}
	return out
}

// block is the part of a block walk -o json prints that the checks read.
type block struct {
	ID     string `json:"id"`
	Height uint64 `json:"height"`
	Assets []struct {
		Hash string          `json:"hash"`
		Meta json.RawMessage `json:"meta"`
	} `json:"assets"`
}

// walk returns the blocks of chain (empty: the default), root first.
func (r *rig) walk(chainName string) []block {
	r.t.Helper()
	args := []string{"walk", "-o", "json"}
	if chainName != "" {
		args = append([]string{"--chain", chainName}, args...)
	}
	out := r.must(nil, args...)
	var blocks []block
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		var b block
		if err := json.Unmarshal(sc.Bytes(), &b); err != nil {
			r.t.Fatalf("walk -o json: %v: %.200s", err, sc.Text())
		}
		blocks = append(blocks, b)
	}
	return blocks
}

// onChain counts how many times each asset hash is listed by the chain's
// blocks above the root.
func (r *rig) onChain(chainName string) map[string]int {
	r.t.Helper()
	n := map[string]int{}
	for _, b := range r.walk(chainName) {
		if b.Height == 0 {
			continue
		}
		for _, a := range b.Assets {
			n[a.Hash]++
		}
	}
	return n
}

// tally compares acknowledged hashes with the chain: lost are
// acknowledged and absent, duplicated are listed more than once.
func tally(acked map[string]bool, chainCount map[string]int) (lost, duplicated []string) {
	for h := range acked {
		switch n := chainCount[h]; {
		case n == 0:
			lost = append(lost, h)
		case n > 1:
			duplicated = append(duplicated, h)
		}
	}
	return lost, duplicated
}

// fault is one line of verify -o json.
type fault struct {
	Block   string `json:"block"`
	Height  uint64 `json:"height"`
	Asset   string `json:"asset"`
	Problem string `json:"problem"`
	Error   string `json:"error"`
}

// verify runs bhctl verify -o json with extra args and returns the faults
// it printed and the whole result.
func (r *rig) verify(chainName string, extra ...string) ([]fault, result) {
	r.t.Helper()
	args := append([]string{"verify", "-o", "json"}, extra...)
	if chainName != "" {
		args = append([]string{"--chain", chainName}, args...)
	}
	res := r.run(nil, args...)
	var faults []fault
	for line := range strings.Lines(res.stdout) {
		var f fault
		if err := json.Unmarshal([]byte(line), &f); err == nil && f.Problem != "" {
			faults = append(faults, f)
		}
	}
	return faults, res
}

// leftovers lists the files under the rig's TMPDIR and the home's tmp/:
// what killed processes left behind.
func (r *rig) leftovers() []string {
	var out []string
	for _, dir := range []string{r.tmp, filepath.Join(r.home, "tmp")} {
		filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				out = append(out, path)
			}
			return nil
		})
	}
	return out
}

// oneClearLine checks a failed command's stderr: one line starting
// "bhctl: ", naming want, with no trace of a panic; and nothing claimed on
// stdout beyond what allowed accepts.
func oneClearLine(res result, want string) error {
	lines := strings.Split(strings.TrimRight(res.stderr, "\n"), "\n")
	var errs []string
	if res.code != 1 {
		errs = append(errs, fmt.Sprintf("exit code %d, want 1", res.code))
	}
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "bhctl: ") {
		errs = append(errs, fmt.Sprintf("stderr is %d line(s), want one starting \"bhctl: \"", len(lines)))
	}
	if strings.Contains(res.stderr, "goroutine ") || strings.Contains(res.stderr, "panic") {
		errs = append(errs, "stderr holds a panic or stack trace")
	}
	if !strings.Contains(res.stderr, want) {
		errs = append(errs, fmt.Sprintf("stderr does not name %q", want))
	}
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "; "))
	}
	return nil
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// waitPort waits up to d for something to accept on 127.0.0.1:port.
func waitPort(ctx context.Context, port int, d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("127.0.0.1:%d did not answer within %v: %w", port, d, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// randomBytes is an endless reader of pseudo-random bytes from seed, cut
// at n: an input as large as a scenario wants, with no file behind it.
func randomBytes(seed uint64, n int64) io.Reader {
	var key [32]byte
	for i := range 4 {
		for j := range 8 {
			key[i*8+j] = byte(seed >> (8 * j))
		}
		seed = seed*6364136223846793005 + 1442695040888963407
	}
	return io.LimitReader(rand.NewChaCha8(key), n)
}

// plural formats n and a noun.
func plural(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
