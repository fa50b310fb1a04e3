package cluster_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store"
	"github.com/blockhub/blockhub/chain/store/cluster"
	"github.com/blockhub/blockhub/chain/store/storetest"
)

// minioServer is a MinIO process this test started.
type minioServer struct {
	t           *testing.T
	bin, dir    string
	addr, user  string
	secret, log string
	cmd         *exec.Cmd
	exited      chan struct{}
}

// startMinIO starts a MinIO on a free loopback port with its data in a
// fresh folder under BH_TEST_MINIO_DIR; ready waits for it.
func startMinIO(t *testing.T, base *url.URL) *minioServer {
	t.Helper()
	bin, parent := os.Getenv("BH_TEST_MINIO_BIN"), os.Getenv("BH_TEST_MINIO_DIR")
	if bin == "" || parent == "" {
		t.Fatal("BH_TEST_MINIO_BIN or BH_TEST_MINIO_DIR is not set: run the tests with scripts/test (scripts/testservers.sh exports them)")
	}
	dir, err := os.MkdirTemp(parent, "cluster-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	secret, _ := base.User.Password()
	s := &minioServer{t: t, bin: bin, dir: dir, addr: freeAddr(t), user: base.User.Username(), secret: secret, log: filepath.Join(dir, "minio.log")}
	s.start()
	t.Cleanup(s.kill)
	return s
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func (s *minioServer) start() {
	s.t.Helper()
	log, err := os.OpenFile(s.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		s.t.Fatal(err)
	}
	defer log.Close()
	s.cmd = exec.Command(s.bin, "server", filepath.Join(s.dir, "data"), "--address", s.addr, "--console-address", freeAddr(s.t))
	s.cmd.Env = append(os.Environ(), "MINIO_ROOT_USER="+s.user, "MINIO_ROOT_PASSWORD="+s.secret,
		"MINIO_CI_CD=1", "MINIO_UPDATE=off", "MINIO_BROWSER=off", "MINIO_CALLHOME_ENABLE=off")
	s.cmd.Stdout, s.cmd.Stderr = log, log
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	s.exited = make(chan struct{})
	go func() { s.cmd.Wait(); close(s.exited) }()
}

// ready waits until the server answers, or fails the test.
func (s *minioServer) ready() {
	s.t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; {
		resp, err := http.Get("http://" + s.addr + "/minio/health/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-s.exited:
			b, _ := os.ReadFile(s.log)
			s.t.Fatalf("minio on %s exited while starting:\n%s", s.addr, b)
		default:
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("minio on %s not ready after 30s; log %s", s.addr, s.log)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// kill stops the server by its pid, at once, as a crash would.
func (s *minioServer) kill() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	s.cmd.Process.Kill()
	<-s.exited // reaped by the goroutine in start
	s.cmd = nil
}

func (s *minioServer) url(prefix string) string {
	return fmt.Sprintf("s3://%s:%s@%s/bhtest-servers/%s?secure=false", s.user, s.secret, s.addr, prefix)
}

// TestQuorumOneServerDown runs a chain over three MinIO servers under
// quorum=2, kills one of them mid-run, keeps appending and reading, starts
// it again and repairs it back to full.
func TestQuorumOneServerDown(t *testing.T) {
	base := testS3(t)
	prefix := fmt.Sprintf("servers-%d", time.Now().UnixNano())
	s1, s2 := startMinIO(t, base), startMinIO(t, base)
	s1.ready()
	s2.ready()
	urls := []string{bucketURL(base, "bhtest-servers", prefix), s1.url(prefix), s2.url(prefix)}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	a, err := cluster.OpenAssets(ctx, urls, "quorum=2", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := cluster.OpenBlocks(ctx, urls, "quorum=2", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	mirror, err := cluster.OpenAssets(ctx, urls, "mirror", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer mirror.Close()

	root := storetest.Root(t, "servers")
	if err := b.Create(ctx, root); err != nil {
		t.Fatal(err)
	}
	blocks := []chain.Block{root}
	appendBlocks := func(n int, phase string) {
		t.Helper()
		for i := range n {
			tag := fmt.Sprintf("%s-%d", phase, i)
			if _, _, err := a.PutBytes(ctx, chain.SHA256, []byte(tag)); err != nil {
				t.Fatalf("%s: put asset %d: %v", phase, i, err)
			}
			prev := blocks[len(blocks)-1]
			blk := storetest.Child(t, prev, tag)
			if err := b.Create(ctx, blk); err != nil {
				t.Fatalf("%s: create block %d: %v", phase, i, err)
			}
			if err := b.SetNext(ctx, prev.ID, blk.ID); err != nil {
				t.Fatalf("%s: set next %d: %v", phase, i, err)
			}
			blocks = append(blocks, blk)
		}
	}
	// readAll walks the chain from the root through the cluster and reads
	// every asset back.
	readAll := func(phase string) {
		t.Helper()
		i := 0
		for id := root.ID; id != ""; i++ {
			blk, err := b.Get(ctx, id)
			if err != nil {
				t.Fatalf("%s: read block %d: %v", phase, i, err)
			}
			if blk.ID != blocks[i].ID {
				t.Fatalf("%s: block %d is %s; want %s", phase, i, blk.ID, blocks[i].ID)
			}
			for _, r := range blk.Assets {
				if err := a.Verify(ctx, r.Hash, r.Length); err != nil && i > 0 { // the root's settings were not stored as an asset
					t.Fatalf("%s: asset of block %d: %v", phase, i, err)
				}
			}
			id = blk.Next
		}
		if i != len(blocks) {
			t.Fatalf("%s: walked %d blocks; want %d", phase, i, len(blocks))
		}
		if tail, err := b.Tail(ctx, root.ID); err != nil || tail.ID != blocks[len(blocks)-1].ID {
			t.Fatalf("%s: Tail = %s, %v; want %s", phase, tail.ID, err, blocks[len(blocks)-1].ID)
		}
	}

	appendBlocks(5, "before")
	readAll("before")

	s2.kill()
	start := time.Now()
	appendBlocks(10, "down")
	readAll("down")
	t.Logf("10 blocks written and the chain read with a server down in %v", time.Since(start).Round(time.Millisecond))
	if _, _, err := mirror.PutBytes(ctx, chain.SHA256, []byte("mirror needs all")); err == nil || !strings.Contains(err.Error(), s2.addr) {
		t.Fatalf("mirror write with a server down: err = %v; want one naming %s", err, s2.addr)
	}

	s2.start()
	s2.ready()
	rep, err := cluster.Repair(ctx, a, b)
	if err != nil {
		t.Fatalf("Repair: %v (%s)", err, rep)
	}
	t.Logf("repair: %s", rep)
	// The 10 blocks and assets written while s2 was down, the asset of the
	// failed mirror write (it reached the other two), and the 10 nexts set
	// then (the last block "before" got its next while s2 was down).
	if rep.Assets != 11 || rep.Blocks != 10 || rep.Nexts != 10 || rep.Split != 0 || rep.Damaged != 0 {
		t.Fatalf("Repair = %s; want 11 assets, 10 blocks, 10 nexts", rep)
	}
	// Every member now holds every object, on its own.
	for _, u := range urls {
		ma, err := store.OpenAssets(ctx, u, nil)
		if err != nil {
			t.Fatal(err)
		}
		mb, err := store.OpenBlocks(ctx, u, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i, blk := range blocks {
			got, err := mb.Get(ctx, blk.ID)
			if err != nil {
				t.Fatalf("member %s: block %d: %v", store.Redact(u), i, err)
			}
			if want := nextOf(blocks, i); got.Next != want {
				t.Fatalf("member %s: block %d next = %q; want %q", store.Redact(u), i, got.Next, want)
			}
			for _, r := range blk.Assets {
				if err := ma.Verify(ctx, r.Hash, r.Length); err != nil && i > 0 {
					t.Fatalf("member %s: asset of block %d: %v", store.Redact(u), i, err)
				}
			}
		}
		roots := 0
		for r, err := range mb.Roots(ctx) {
			if err != nil || r.ID != root.ID {
				t.Fatalf("member %s: roots: %s, %v", store.Redact(u), r.ID, err)
			}
			roots++
		}
		if roots != 1 {
			t.Fatalf("member %s lists %d roots; want 1", store.Redact(u), roots)
		}
		ma.Close()
		mb.Close()
	}
	if rep, err := cluster.Repair(ctx, a, b); err != nil || rep != (cluster.Report{}) {
		t.Fatalf("second Repair = %s, %v; want nothing to do", rep, err)
	}
}

func nextOf(blocks []chain.Block, i int) string {
	if i+1 < len(blocks) {
		return blocks[i+1].ID
	}
	return ""
}
