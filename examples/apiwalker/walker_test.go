// Package apiwalker is an example in another language: walk.py walks a
// chain through the console's HTTP API (bhctl serve ui) and checks every
// block id itself, by the rules of docs/FORMAT.md. The test runs it
// against a real bhctl.
package apiwalker_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestPythonWalker(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Fatal("python3 not found: the walker example needs it")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "bhctl")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/blockhub/blockhub/cmd/bhctl").CombinedOutput(); err != nil {
		t.Fatalf("go build bhctl: %v\n%s", err, out)
	}
	home := filepath.Join(dir, "home")
	bh := func(stdin string, args ...string) string {
		t.Helper()
		c := exec.Command(bin, append([]string{"--home", home, "--chain", "walked", "-q"}, args...)...)
		c.Stdin = strings.NewReader(stdin)
		out, err := c.Output()
		if err != nil {
			t.Fatalf("bhctl %v: %v", args, err)
		}
		return string(out)
	}
	bh("id,name\n1,Åse \"quoted\" \\ /\n", "pipe", "--type", "text/csv", "--meta", "note=tab\there ünïcode <&>")
	bh("two\n", "pipe")
	bh("three\n", "pipe")
	var tail struct {
		ID     string `json:"id"`
		Height int    `json:"height"`
	}
	if err := json.Unmarshal([]byte(bh("", "tail", "-o", "json")), &tail); err != nil {
		t.Fatal(err)
	}

	srv := exec.Command(bin, "--home", home, "serve", "ui", "--addr", "127.0.0.1:0")
	stdout, _ := srv.StdoutPipe()
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Process.Kill(); srv.Wait() })
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			urls <- strings.TrimSpace(sc.Text())
		}
	}()
	var base string
	select {
	case base = <-urls:
	case <-time.After(30 * time.Second):
		t.Fatal("bhctl serve ui printed no URL")
	}

	walk := func() (string, string, error) {
		var out, errb bytes.Buffer
		c := exec.Command(py, "walk.py", base, "walked")
		c.Stdout, c.Stderr = &out, &errb
		err := c.Run()
		return out.String(), errb.String(), err
	}
	out, stderr, err := walk()
	if err != nil {
		t.Fatalf("walk.py: %v\n%s", err, stderr)
	}
	if !strings.Contains(out, "4 blocks checked") || !strings.Contains(out, "tail 3 "+tail.ID) {
		t.Errorf("walk.py printed %q; want 4 blocks and tail 3 %s", out, tail.ID)
	}

	// Change one byte of the block at height 2 on disk: the walker, not
	// the server (it asks for unverified blocks), finds it.
	var b2 struct{ ID string }
	if err := json.Unmarshal([]byte(bh("", "walk", "-o", "json", "--from", "2", "--to", "2")), &b2); err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(home, "blocks", b2.ID[:2], b2.ID+".block")
	doc, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(f, 0o644)
	if err := os.WriteFile(f, bytes.Replace(doc, []byte(`"time":"2`), []byte(`"time":"1`), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, err = walk()
	if err == nil || !strings.Contains(stderr, "block "+b2.ID+" at height 2: id does not match its content") {
		t.Errorf("walk.py on a tampered block: err %v, stderr %q", err, stderr)
	}
}
