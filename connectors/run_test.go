package connectors_test

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"strings"
	"testing"

	"github.com/blockhub/blockhub/connectors"
	"github.com/blockhub/blockhub/connectors/connectortest"
)

// lines is a small real Source: one chunk per string.
type lines []string

func (l lines) Chunks(ctx context.Context, _ connectors.State) iter.Seq2[connectors.Chunk, error] {
	return func(yield func(connectors.Chunk, error) bool) {
		for i, s := range l {
			if err := ctx.Err(); err != nil {
				yield(connectors.Chunk{}, err)
				return
			}
			c := connectors.Chunk{Data: []byte(s), Type: "text/plain", Key: "lines:test", Records: 1,
				Meta: map[string]any{"rows": []int{i + 1, i + 1}}}
			if !yield(c, nil) {
				return
			}
		}
	}
}

func TestImportCommonOptions(t *testing.T) {
	h, root := connectortest.NewChain(t)
	src := lines{"a\n", "b\n", "a\n", "c\n"}

	sum := connectortest.Import(t, h, root, "lines", src, connectors.Common{Meta: map[string]string{"team": "ops"}})
	if sum.Captured != 4 || sum.Skipped != 0 || sum.Records != 4 {
		t.Fatalf("plain import: %+v; want 4 captured", sum)
	}
	assets := connectortest.Assets(t, h, root)
	var meta map[string]any
	json.Unmarshal(assets[0].Meta, &meta)
	if meta["source"] != "lines" || meta["key"] != "lines:test" || meta["team"] != "ops" {
		t.Fatalf("meta = %v; want source, key and --meta", meta)
	}

	// --prevent-dups: everything is on the chain already.
	sum = connectortest.Import(t, h, root, "lines", src, connectors.Common{PreventDups: true})
	if sum.Captured != 0 || sum.Skipped != 4 {
		t.Fatalf("re-import: %+v; want 0 captured, 4 skipped", sum)
	}
	// New and repeated chunks in one run: each new content once.
	sum = connectortest.Import(t, h, root, "lines", lines{"d\n", "d\n", "a\n"}, connectors.Common{PreventDups: true})
	if sum.Captured != 1 || sum.Skipped != 2 {
		t.Fatalf("mixed import: %+v; want 1 captured, 2 skipped", sum)
	}

	// --dry-run writes nothing.
	before := len(connectortest.Assets(t, h, root))
	sum = connectortest.Import(t, h, root, "lines", lines{"e\n", "f\n"}, connectors.Common{DryRun: true})
	if sum.Captured != 2 || !sum.DryRun || len(connectortest.Assets(t, h, root)) != before {
		t.Fatalf("dry run: %+v, chain grew", sum)
	}
}

func TestImportSensitive(t *testing.T) {
	h, root := connectortest.NewChain(t)
	src := lines{"ok\n", "ssn 123-45-6789\n", "after\n"}

	var notes strings.Builder
	w, err := h.Writer(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := connectors.Import(context.Background(), w.Appender, root.Crypt, src, connectors.ImportOptions{Connector: "lines", Notes: &notes})
	w.Close()
	if err != nil || sum.Sensitive != 1 || sum.Captured != 3 {
		t.Fatalf("warn: %+v, %v", sum, err)
	}
	if !strings.Contains(notes.String(), "sensitive data (ssn on line 1 of the chunk)") {
		t.Fatalf("notes = %q", notes.String())
	}
	assets := connectortest.Assets(t, h, root)
	if !strings.Contains(string(assets[1].Meta), `"sensitive":[{"kind":"ssn","line":1}]`) {
		t.Fatalf("flagged asset meta = %s", assets[1].Meta)
	}

	h2, root2 := connectortest.NewChain(t)
	sum, err = connectortest.TryImport(h2, root2, "lines", src, connectors.Common{Sensitive: "block"})
	if err == nil || !strings.Contains(err.Error(), "refused by --sensitive=block") {
		t.Fatalf("block: err = %v", err)
	}
	if got := len(connectortest.Assets(t, h2, root2)); got != 1 || sum.Captured != 1 {
		t.Fatalf("block kept %d asset(s) (summary %+v); want the 1 before the sensitive chunk", got, sum)
	}

	h3, root3 := connectortest.NewChain(t)
	sum = connectortest.Import(t, h3, root3, "lines", src, connectors.Common{Sensitive: "off"})
	if sum.Sensitive != 0 || sum.Captured != 3 {
		t.Fatalf("off: %+v", sum)
	}
}

func TestCommonCheck(t *testing.T) {
	tests := []struct {
		c   connectors.Common
		err string
	}{
		{connectors.Common{}, ""},
		{connectors.Common{Rows: -1}, "--rows -1"},
		{connectors.Common{Sensitive: "loud"}, `--sensitive "loud"`},
		{connectors.Common{Format: "toml"}, `--format "toml"`},
	}
	for _, tt := range tests {
		err := tt.c.Check()
		if got := fmt.Sprint(err); (tt.err == "" && err != nil) || (tt.err != "" && !strings.Contains(got, tt.err)) {
			t.Errorf("Check(%+v) = %v; want %q", tt.c, err, tt.err)
		}
	}
}

// resuming is a Source that resumes: it notes whether it was handed the
// chain's State.
type resuming struct {
	lines
	gotState *bool
}

func (r resuming) Resumes() string { return "lines:test" }

func (r resuming) Chunks(ctx context.Context, st connectors.State) iter.Seq2[connectors.Chunk, error] {
	*r.gotState = st != nil
	return r.lines.Chunks(ctx, st)
}

// TestResumerRunsAlone: a resuming source is handed the State without
// --prevent-dups, and while another run holds its resume on the chain a
// run captures nothing, says why and does not fail (cron-safe).
func TestResumerRunsAlone(t *testing.T) {
	h, root := connectortest.NewChain(t)
	var got bool
	src := resuming{lines{"a\n", "b\n"}, &got}

	unlock, err := connectors.LockResume(h.Home, root.ID, "lines:test")
	if err != nil {
		t.Fatal(err)
	}
	var notes strings.Builder
	sum, err := connectors.Capture(context.Background(), h, root, src, connectors.ImportOptions{Connector: "lines", Notes: &notes})
	if err != nil || sum.Captured != 0 || got {
		t.Fatalf("run while another holds the resume: %+v, %v; want nothing captured, no error", sum, err)
	}
	if !strings.Contains(notes.String(), "another run is capturing lines:test into this chain") {
		t.Errorf("notes %q; want a line saying another run is capturing", notes.String())
	}
	other, err := connectors.LockResume(h.Home, root.ID, "lines:other")
	if err != nil {
		t.Fatalf("another resume on the same chain: %v; want it free", err)
	}
	other()

	unlock()
	sum = connectortest.Import(t, h, root, "lines", src, connectors.Common{})
	if sum.Captured != 2 || !got {
		t.Fatalf("run after the lock is released: %+v, State handed: %t; want 2 captured, with the State", sum, got)
	}
}
