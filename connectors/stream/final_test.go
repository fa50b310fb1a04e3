package stream_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/blockhub/blockhub"
	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/connectors"
	"github.com/blockhub/blockhub/connectors/connectortest"
)

// chainText is the bytes of every text asset on the chain, in order.
func chainText(t *testing.T, h *blockhub.Hub, root chain.Block) string {
	t.Helper()
	var b strings.Builder
	for _, rc := range connectortest.Assets(t, h, root) {
		if rc.Type == "text/plain" {
			b.Write(connectortest.Read(t, h, rc))
		}
	}
	return b.String()
}

// A file still being written, captured on a real chain run after run
// (as cron does), with and without --prevent-dups: the torn last line is
// never captured torn, and once its line end comes it is captured once.
func TestTornLastLine(t *testing.T) {
	for _, dups := range []bool{false, true} {
		name := "resume"
		if dups {
			name = "prevent-dups"
		}
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "app.log")
			h, root := connectortest.NewChain(t)
			c := connectors.Common{Rows: 2, PreventDups: dups}
			run := func(v connectors.Values) connectors.Summary {
				t.Helper()
				return connectortest.Import(t, h, root, "stream", connectortest.New(t, "stream", []string{path}, v, c), c)
			}
			write(t, path, "one\ntwo\nthr")
			if s := run(nil); s.Records != 2 {
				t.Fatalf("first run: %d records; want 2 (the torn line waits)", s.Records)
			}
			if s := run(nil); s.Records != 0 {
				t.Fatalf("run with the line still torn: %d records; want 0", s.Records)
			}
			appendTo(t, path, "ee\nfou")
			if s := run(nil); s.Records != 1 {
				t.Fatalf("run after the line end came: %d records; want 1", s.Records)
			}
			// The writer is done without a last line end: --final takes it.
			if s := run(connectors.Values{"final": {"true"}}); s.Records != 1 {
				t.Fatalf("--final run: %d records; want 1", s.Records)
			}
			if s := run(connectors.Values{"final": {"true"}}); s.Records != 0 {
				t.Fatalf("--final run with nothing new: %d records; want 0", s.Records)
			}
			if got, want := chainText(t, h, root), "one\ntwo\nthree\nfou\n"; got != want {
				t.Fatalf("chain holds %q; want %q", got, want)
			}
		})
	}
}

func TestFinalWithFollowRefused(t *testing.T) {
	connectortest.CheckNew(t, "stream", []string{"app.log"}, connectors.Values{"final": {"true"}, "follow": {"true"}}, connectors.Common{}, "--final says the file is complete")
}
