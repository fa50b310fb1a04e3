package blockhub_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportArrows keeps the package graph pointing one way (see each
// package's doc.go): the model imports no other BlockHub package, stores
// know nothing of the core above them, connectors never import each other,
// and nothing but the CLI imports the CLI.
func TestImportArrows(t *testing.T) {
	const mod = "github.com/blockhub/blockhub"
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Deps " "}}`, "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	rules := []struct {
		pkg       string // prefix of the importing package
		forbidden []string
	}{
		{mod + "/chain", []string{mod + "/appender", mod + "/builder", mod + "/connectors", mod + "/oracle", mod + "/cmd", mod + "/index"}},
		{mod + "/builder", []string{mod + "/appender", mod + "/connectors", mod + "/oracle", mod + "/cmd"}},
		{mod + "/appender", []string{mod + "/connectors", mod + "/oracle", mod + "/cmd"}},
		{mod + "/index", []string{mod + "/connectors", mod + "/oracle", mod + "/cmd"}},
		{mod + "/connectors", []string{mod + "/oracle", mod + "/cmd"}},
		{mod + "/oracle", []string{mod + "/connectors", mod + "/cmd"}},
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg, deps := fields[0], fields[1:]
		for _, r := range rules {
			if pkg != r.pkg && !strings.HasPrefix(pkg, r.pkg+"/") {
				continue
			}
			for _, d := range deps {
				for _, f := range r.forbidden {
					if d == f || strings.HasPrefix(d, f+"/") {
						t.Errorf("%s imports %s", pkg, d)
					}
				}
			}
		}
		// Connectors never import each other (the shared parts live in
		// connectors itself and internal/).
		if rest, ok := strings.CutPrefix(pkg, mod+"/connectors/"); ok && !strings.Contains(rest, "/") && rest != "all" && rest != "connectortest" {
			for _, d := range deps {
				if other, ok := strings.CutPrefix(d, mod+"/connectors/"); ok && other != rest && !strings.HasPrefix(other, rest+"/") {
					t.Errorf("connector %s imports connector %s", pkg, d)
				}
			}
		}
	}
}
