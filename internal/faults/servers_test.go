package faults

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// server is a store server of the test's own (never a shared one: other
// tests use those), which the test may kill and start again on the same
// port with the same data.
type server struct {
	t     *testing.T
	name  string // MariaDB, MinIO, FerretDB
	url   string // the store URL bhctl is given
	log   string
	args  func() *exec.Cmd
	ready func(ctx context.Context) error
	cmd   *exec.Cmd
	done  chan struct{}
}

// up starts the server and waits until it answers.
func (s *server) up() {
	s.t.Helper()
	s.cmd = s.args()
	f, err := os.OpenFile(s.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		s.t.Fatal(err)
	}
	defer f.Close()
	s.cmd.Stdout, s.cmd.Stderr = f, f
	if err := s.cmd.Start(); err != nil {
		s.t.Fatalf("start %s: %v", s.name, err)
	}
	s.done = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) { cmd.Wait(); close(done) }(s.cmd, s.done)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	for {
		err := s.ready(ctx)
		if err == nil {
			return
		}
		select {
		case <-s.done:
			b, _ := os.ReadFile(s.log)
			s.t.Fatalf("%s exited while starting: %s", s.name, clip(string(b)))
		case <-ctx.Done():
			b, _ := os.ReadFile(s.log)
			s.t.Fatalf("%s did not answer within 90s: %v\n%s", s.name, err, clip(string(b)))
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// kill stops the server with SIGKILL (by its pid: it is ours) and waits.
func (s *server) kill() {
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.done
	s.cmd = nil
}

func newServer(t *testing.T, name string) *server {
	s := &server{t: t, name: name, log: filepath.Join(t.TempDir(), name+".log")}
	t.Cleanup(s.kill)
	return s
}

// privateMariaDB makes a MariaDB with a fresh data folder on a free port.
func privateMariaDB(t *testing.T) *server {
	t.Helper()
	mariadbd, err := exec.LookPath("mariadbd")
	if err != nil {
		mariadbd = "/usr/sbin/mariadbd"
	}
	installDB, err := exec.LookPath("mariadb-install-db")
	if err != nil {
		t.Fatalf("mariadb-install-db: %v (the test needs MariaDB's server binaries)", err)
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	var user []string
	if os.Geteuid() == 0 {
		user = []string{"--user=root"}
	}
	install := append([]string{"--no-defaults", "--datadir=" + data, "--auth-root-authentication-method=normal", "--skip-test-db"}, user...)
	if out, err := exec.Command(installDB, install...).CombinedOutput(); err != nil {
		t.Fatalf("mariadb-install-db: %v\n%s", err, out)
	}
	port := freePort(t)
	s := newServer(t, "MariaDB")
	s.url = fmt.Sprintf("mysql://root@127.0.0.1:%d/bhtest", port)
	s.args = func() *exec.Cmd {
		return exec.Command(mariadbd, append([]string{"--no-defaults", "--datadir=" + data, "--bind-address=127.0.0.1",
			fmt.Sprint("--port=", port), "--socket=" + filepath.Join(dir, "mysqld.sock"), "--pid-file=" + filepath.Join(dir, "mysqld.pid"),
			"--skip-log-bin", "--innodb-buffer-pool-size=16M", "--innodb-log-file-size=8M"}, user...)...)
	}
	s.ready = func(ctx context.Context) error {
		db, err := sql.Open("mysql", fmt.Sprintf("root@tcp(127.0.0.1:%d)/", port))
		if err != nil {
			return err
		}
		defer db.Close()
		_, err = db.ExecContext(ctx, "CREATE DATABASE IF NOT EXISTS bhtest")
		return err
	}
	return s
}

// privateMinIO makes a MinIO ($BH_TEST_MINIO_BIN) with a fresh data
// folder on a free port.
func privateMinIO(t *testing.T) *server {
	t.Helper()
	bin := needEnv(t, "BH_TEST_MINIO_BIN")
	key, secret := "faultskey", "faultssecret1234"
	data := t.TempDir()
	port, console := freePort(t), freePort(t)
	s := newServer(t, "MinIO")
	s.url = fmt.Sprintf("s3://%s:%s@127.0.0.1:%d/faults?secure=false", key, secret, port)
	s.args = func() *exec.Cmd {
		cmd := exec.Command(bin, "server", data, "--address", fmt.Sprintf("127.0.0.1:%d", port),
			"--console-address", fmt.Sprintf("127.0.0.1:%d", console), "--quiet")
		cmd.Env = append(os.Environ(), "MINIO_ROOT_USER="+key, "MINIO_ROOT_PASSWORD="+secret,
			"MINIO_CI_CD=1", "MINIO_UPDATE=off", "MINIO_CALLHOME_ENABLE=off")
		return cmd
	}
	s.ready = func(ctx context.Context) error {
		req, _ := http.NewRequestWithContext(ctx, "GET", fmt.Sprintf("http://127.0.0.1:%d/minio/health/ready", port), nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("health: %s", resp.Status)
		}
		return nil
	}
	return s
}

// privateFerretDB makes a FerretDB ($BH_TEST_FERRETDB_BIN) with a fresh
// data folder on a free port.
func privateFerretDB(t *testing.T) *server {
	t.Helper()
	bin := needEnv(t, "BH_TEST_FERRETDB_BIN")
	data := t.TempDir()
	port := freePort(t)
	s := newServer(t, "FerretDB")
	s.url = fmt.Sprintf("mongodb://127.0.0.1:%d/faults", port)
	s.args = func() *exec.Cmd {
		return exec.Command(bin, "-listen", fmt.Sprintf("127.0.0.1:%d", port), "-dir", data)
	}
	s.ready = func(ctx context.Context) error { return waitPort(ctx, port, 0) }
	return s
}

// needEnv returns the variable, failing the test when it is unset (the
// test command sets it), as testenv does for server URLs.
func needEnv(t *testing.T, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		t.Fatal(name + " not set: run the tests with scripts/test, which starts the test servers and exports it (or go test -short to skip)")
	}
	return v
}
