package faults

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestBadHomes points BH_HOME at a read-only folder, at a file, and at a
// folder whose parents do not exist. The last is made (mode 0700) and
// used; the others refuse a write in one clear line and print no hash,
// and a read-only home that holds a chain can still be walked and
// verified.
func TestBadHomes(t *testing.T) {
	needBinary(t)
	var lines []string

	t.Run("missing_parents", func(t *testing.T) {
		r := newRig(t)
		r.home = filepath.Join(t.TempDir(), "a", "b", "home")
		r.env = append(r.env, "BH_HOME="+r.home)
		out := r.must(strings.NewReader("first\n"), "-q", "pipe")
		if len(printedHashes(out)) != 1 {
			t.Fatalf("pipe printed %q, want one hash", out)
		}
		for _, dir := range []string{filepath.Dir(filepath.Dir(r.home)), filepath.Dir(r.home), r.home} {
			fi, err := os.Stat(dir)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != 0o700 {
				t.Errorf("%s: mode %v, want 0700", dir, fi.Mode().Perm())
			}
		}
		if _, res := r.verify("", "--assets"); res.code != 0 {
			t.Errorf("verify: %s", res)
		}
		lines = append(lines, "missing parents: created (0700) and used")
	})

	t.Run("file", func(t *testing.T) {
		r := newRig(t)
		file := filepath.Join(t.TempDir(), "home")
		if err := os.WriteFile(file, []byte("not a folder\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, home := range []string{file, filepath.Join(file, "sub")} {
			r.env = append(r.env, "BH_HOME="+home)
			res := r.run(strings.NewReader("data\n"), "pipe")
			if err := oneClearLine(res, "pick another --home"); err != nil || res.stdout != "" {
				t.Errorf("BH_HOME=%s: %v: %s", home, err, res)
			}
			t.Logf("BH_HOME=%s: %s", home, strings.TrimSpace(res.stderr))
		}
		lines = append(lines, "a file (or under one): refused in one line")
	})

	t.Run("read_only", func(t *testing.T) {
		r := newRig(t)
		r.must(strings.NewReader("before\n"), "-q", "pipe")
		how := readOnly(t, r.home)
		res := r.run(strings.NewReader("data\n"), "pipe")
		if err := oneClearLine(res, r.home); err != nil || res.stdout != "" {
			t.Errorf("pipe into a read-only home (%s): %v: %s", how, err, res)
		}
		t.Logf("read-only home: %s", strings.TrimSpace(res.stderr))
		if _, res := r.verify("", "--assets"); res.code != 0 {
			t.Errorf("verify of a read-only home: %s", res)
		}
		if n := len(r.walk("")); n != 2 {
			t.Errorf("walk of a read-only home: %d blocks, want 2", n)
		}
		lines = append(lines, "read-only ("+how+"): writes refused in one line, walk and verify work")
	})
	summary(t, "bad homes: %s", strings.Join(lines, "; "))
}

// readOnly makes dir read-only for this process: a read-only bind mount
// onto itself where the process may mount (root, where modes do not stop
// writes), else mode 0555 on the folder and its subfolders.
func readOnly(t *testing.T, dir string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				os.Chmod(p, 0o555)
			}
			return nil
		})
		t.Cleanup(func() {
			filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
				if err == nil && d.IsDir() {
					os.Chmod(p, 0o755)
				}
				return nil
			})
		})
		return "mode 0555"
	}
	if err := syscall.Mount(dir, dir, "", syscall.MS_BIND, ""); err != nil {
		t.Skipf("root, and no bind mount (%v): a read-only home cannot be made here", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			// Lazily, so the temp folder can still be removed.
			exec.Command("umount", "-l", dir).Run()
		}
	})
	if err := syscall.Mount(dir, dir, "", syscall.MS_BIND|syscall.MS_REMOUNT|syscall.MS_RDONLY, ""); err != nil {
		t.Skipf("root, and no read-only remount (%v): a read-only home cannot be made here", err)
	}
	return "read-only bind mount"
}
