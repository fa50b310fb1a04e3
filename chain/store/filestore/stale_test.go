package filestore

import (
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Opening a store folder removes the named temporary files that a writer
// killed before its rename left in tmp/, and only those: a live writer's,
// another host's and other files stay.
func TestRemoveStale(t *testing.T) {
	root := t.TempDir()
	tmp := filepath.Join(root, "tmp")
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		t.Fatal(err)
	}
	// A pid that ran and is gone.
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	dead := strconv.Itoa(cmd.Process.Pid)
	_, host, _ := strings.Cut(tempOwner, "@")
	files := map[string]bool{ // name: removed
		"tile-" + dead + "@" + host + "-123": true,
		"w-" + dead + "@" + host + "-7":      true,
		"tile-" + tempOwner + "-9":           false, // this process: live
		"tile-" + dead + "@otherhost-5":      false, // another host's
		"spool-123":                          false, // CleanSpools' business
		"tile-junk":                          false,
	}
	for name := range files {
		if err := os.WriteFile(filepath.Join(tmp, name), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := open(&url.URL{Path: root}, "blocks"); err != nil {
		t.Fatal(err)
	}
	for name, removed := range files {
		_, err := os.Stat(filepath.Join(tmp, name))
		if gone := os.IsNotExist(err); gone != removed {
			t.Errorf("%s: removed %v; want %v", name, gone, removed)
		}
	}
}
