package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/blockhub/blockhub"
)

// freePort returns a loopback port free at the time of the call.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// server is a real `bhctl serve http` process (the test binary runs as
// bhctl: testscript.Main puts it in PATH).
type server struct {
	cmd    *exec.Cmd
	stderr *bytes.Buffer
	addr   string
}

func startServer(t *testing.T, home, addr string, args ...string) *server {
	t.Helper()
	s := &server{addr: addr, stderr: &bytes.Buffer{}}
	s.cmd = exec.Command("bhctl", append([]string{"--home", home, "serve", "http", "--listen", addr}, args...)...)
	s.cmd.Stdout = io.Discard
	s.cmd.Stderr = s.stderr
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if s.cmd.ProcessState == nil {
			s.cmd.Process.Kill()
			s.cmd.Wait()
		}
	})
	return s
}

// ready waits until the server accepts connections.
func (s *server) ready(t *testing.T) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", s.addr); err == nil {
			c.Close()
			return
		}
	}
	t.Fatalf("server on %s never listened; stderr:\n%s", s.addr, s.stderr)
}

func (s *server) kill9(t *testing.T) {
	t.Helper()
	s.cmd.Process.Kill()
	s.cmd.Wait()
}

func (s *server) stop(t *testing.T) {
	t.Helper()
	s.cmd.Process.Signal(syscall.SIGTERM)
	if err := s.cmd.Wait(); err != nil {
		t.Fatalf("server stop: %v; stderr:\n%s", err, s.stderr)
	}
}

// acked is a request answered 201, with the receipt's two hashes.
type acked struct {
	Body string `json:"body"`
	Info string `json:"info"`
}

// TestServeHTTPKill9 kills `bhctl serve http` with SIGKILL at random
// moments under a bounded load of concurrent clients, restarts it each
// time, and checks that every request answered 201 has both receipts on
// the chain exactly once (the journal links on restart what the killed
// server had acknowledged) and that the chain and its assets verify.
func TestServeHTTPKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("kills real server processes; skipped with -short")
	}
	const clients, kills = 32, 5
	home := filepath.Join(t.TempDir(), "home")
	addr := freePort(t)
	var (
		mu   sync.Mutex
		acks []acked
	)
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	for k := range kills {
		srv := startServer(t, home, addr)
		srv.ready(t)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for c := range clients {
			wg.Go(func() {
				// Each client stops at the kill or after 2,000 requests.
				for i := 0; i < 2000; i++ {
					select {
					case <-stop:
						return
					default:
					}
					body := fmt.Sprintf("run %d client %d request %d %x\n", k, c, i, rand.Uint64())
					resp, err := client.Post("http://"+addr+"/load", "text/plain", strings.NewReader(body))
					if err != nil {
						continue // the server was killed mid-request: not acknowledged
					}
					b, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusCreated {
						continue
					}
					var a acked
					if err := json.Unmarshal(b, &a); err != nil || a.Body == "" || a.Info == "" {
						t.Errorf("201 with a bad receipt %q", b)
						return
					}
					mu.Lock()
					acks = append(acks, a)
					mu.Unlock()
				}
			})
		}
		time.Sleep(time.Duration(200+rand.IntN(1300)) * time.Millisecond)
		srv.kill9(t)
		close(stop)
		wg.Wait()
		client.CloseIdleConnections()
	}
	// The last start recovers what the last kill left; a graceful stop
	// then links the rest and leaves no journal.
	srv := startServer(t, home, addr)
	srv.ready(t)
	srv.stop(t)
	if !strings.Contains(srv.stderr.String(), "recovered") {
		t.Errorf("the restart after a kill recovered nothing; stderr:\n%s", srv.stderr)
	}
	if left, _ := filepath.Glob(filepath.Join(home, "journal", "*")); len(left) > 0 {
		t.Errorf("journal files left after a graceful stop: %v", left)
	}
	if len(acks) < kills*clients {
		t.Fatalf("only %d request(s) acknowledged in %d runs; the load did not run", len(acks), kills)
	}

	// Count every http receipt on the chain.
	ctx := context.Background()
	h, err := blockhub.Open(ctx, blockhub.Config{Home: home})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	root, err := h.Resolve(ctx, "default")
	if err != nil {
		t.Fatal(err)
	}
	bodies, infos := map[string]int{}, map[string]int{}
	for b, err := range h.Walker(root).All(ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range b.Assets {
			var m struct{ Role, Info string }
			json.Unmarshal(r.Meta, &m)
			switch m.Role {
			case "body":
				bodies[r.Hash+" "+m.Info]++
			case "request":
				infos[r.Hash]++
			}
		}
	}
	lost, doubled := 0, 0
	for _, a := range acks {
		for _, n := range []int{bodies[a.Body+" "+a.Info], infos[a.Info]} {
			switch {
			case n == 0:
				lost++
			case n > 1:
				doubled++
			}
		}
	}
	t.Logf("%d kills, %d clients: %d requests acknowledged, %d receipts lost, %d doubled", kills, clients, len(acks), lost, doubled)
	if lost > 0 || doubled > 0 {
		t.Errorf("of %d acknowledged requests: %d receipt(s) lost, %d on the chain more than once", len(acks), lost, doubled)
	}
	out, err := exec.Command("bhctl", "--home", home, "verify", "--assets").CombinedOutput()
	if err != nil {
		t.Errorf("verify --assets: %v\n%s", err, out)
	}
}

// TestServeHTTPSlowBody sends a body one byte every half second: the
// server's read timeout closes the connection instead of holding it.
func TestServeHTTPSlowBody(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a real server; skipped with -short")
	}
	home := filepath.Join(t.TempDir(), "home")
	srv := startServer(t, home, freePort(t), "--read-timeout", "2s")
	srv.ready(t)
	c, err := net.Dial("tcp", srv.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	fmt.Fprintf(c, "POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n")
	closed := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(c) // until the server closes
		closed <- string(b)
	}()
	for i := 0; ; i++ {
		select {
		case answer := <-closed:
			took := time.Since(start)
			if took > 6*time.Second {
				t.Errorf("connection closed after %s; want about the 2s read timeout", took)
			}
			if answer != "" && !strings.Contains(answer, "408") {
				t.Errorf("answer %q; want a 408 or none", answer)
			}
			srv.stop(t)
			return
		case <-time.After(500 * time.Millisecond):
		}
		if i > 40 { // 20 s
			t.Fatal("a body sent one byte every 0.5 s held the connection for 20 s")
		}
		c.Write([]byte("x"))
	}
}

// TestServeHTTPIdle keeps a keep-alive connection idle after one request:
// the server closes it after the idle timeout.
func TestServeHTTPIdle(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a real server; skipped with -short")
	}
	home := filepath.Join(t.TempDir(), "home")
	srv := startServer(t, home, freePort(t), "--idle-timeout", "1s")
	srv.ready(t)
	c, err := net.Dial("tcp", srv.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "POST /hook HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("status %d; want 201", resp.StatusCode)
	}
	start := time.Now()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := br.ReadByte(); err != io.EOF {
		t.Fatalf("idle connection: read %v; want EOF (closed by the server)", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("idle connection closed after %s; want about the 1s idle timeout", took)
	}
	srv.stop(t)
}
