package emit

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImports keeps emit free of BlockHub packages, so that every package's
// tests may import it without a cycle.
func TestImports(t *testing.T) {
	const self = "github.com/blockhub/blockhub/internal/emit"
	out, err := exec.Command("go", "list", "-deps", self).Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasPrefix(pkg, "github.com/blockhub/blockhub/") && pkg != self {
			t.Errorf("emit imports %s; it may import only the standard library and excelize", pkg)
		}
	}
}
