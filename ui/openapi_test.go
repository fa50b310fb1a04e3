package ui_test

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/blockhub/blockhub/ui"
)

// TestOpenAPIDocumentsEveryRoute holds docs/api.openapi.yaml and the
// server's routes together: every route is documented, nothing else is,
// each path parameter is declared, and every $ref resolves.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	raw, err := os.ReadFile("../docs/api.openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("docs/api.openapi.yaml: %v", err)
	}
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.") {
		t.Errorf("openapi: %q, want 3.x", v)
	}
	paths, _ := doc["paths"].(map[string]any)
	var documented []string
	for path, item := range paths {
		ops, _ := item.(map[string]any)
		for method, op := range ops {
			if !slices.Contains([]string{"get", "put", "post", "delete", "patch", "head", "options"}, method) {
				continue
			}
			documented = append(documented, strings.ToUpper(method)+" "+path)
			declared := map[string]bool{}
			o, _ := op.(map[string]any)
			params, _ := o["parameters"].([]any)
			for _, p := range params {
				pm, _ := p.(map[string]any)
				if ref, ok := pm["$ref"].(string); ok {
					pm = resolve(t, doc, ref)
				}
				if pm["in"] == "path" {
					declared[pm["name"].(string)] = true
				}
			}
			for _, m := range regexp.MustCompile(`\{([^}]+)\}`).FindAllStringSubmatch(path, -1) {
				if !declared[m[1]] {
					t.Errorf("%s %s: path parameter %s not declared", method, path, m[1])
				}
			}
			if _, ok := o["responses"].(map[string]any)["200"]; !ok && method == "get" {
				t.Errorf("%s %s: no 200 response", method, path)
			}
		}
	}
	routes := ui.Routes()
	slices.Sort(routes)
	slices.Sort(documented)
	for _, r := range routes {
		if !slices.Contains(documented, r) {
			t.Errorf("route %q is not in docs/api.openapi.yaml", r)
		}
	}
	for _, d := range documented {
		if !slices.Contains(routes, d) {
			t.Errorf("docs/api.openapi.yaml documents %q, which the server does not route", d)
		}
	}
	// Every $ref points at something.
	for _, ref := range regexp.MustCompile(`\$ref: "([^"]+)"`).FindAllStringSubmatch(string(raw), -1) {
		resolve(t, doc, ref[1])
	}
}

func resolve(t *testing.T, doc map[string]any, ref string) map[string]any {
	t.Helper()
	var cur any = doc
	for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		m, _ := cur.(map[string]any)
		cur = m[part]
	}
	m, ok := cur.(map[string]any)
	if !ok {
		t.Errorf("$ref %s does not resolve", ref)
	}
	return m
}
