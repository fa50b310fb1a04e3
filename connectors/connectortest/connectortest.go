// Package connectortest is the suite every source connector passes: its
// test calls Run with a harness that makes sources over a real fixture
// (files, a database, a server). It also holds what the connectors' own
// tests share: making a source from its spec (New, CheckNew, CheckError),
// running one (Collect, TryCollect, FailsEarly, RunsAlone), States
// without a chain (EmptyState, State), and a chain to import into
// (NewChain, Import, Assets, Read).
package connectortest

import (
	"context"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/blockhub/blockhub"
	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/connectors"
)

// Harness makes sources for the suite.
type Harness struct {
	// Name is the connector's registered name.
	Name string
	// New returns a source over the harness's fixture with the common
	// options c; each call reads the same, unchanged fixture.
	New func(t *testing.T, c connectors.Common) connectors.Source
	// Check asserts that the chunks of one full run hold the fixture's
	// records (the round trip).
	Check func(t *testing.T, chunks []connectors.Chunk)
}

// Run runs the suite.
func Run(t *testing.T, h Harness) {
	if _, err := connectors.Lookup(h.Name); err != nil {
		t.Fatalf("connector not registered: %v", err)
	}
	t.Run("EndOfInput", func(t *testing.T) {
		chunks := Collect(t, h.New(t, connectors.Common{}), nil)
		if len(chunks) == 0 {
			t.Fatal("no chunk from the fixture")
		}
		for i, c := range chunks {
			if c.Type == "" {
				t.Errorf("chunk %d has no content type", i)
			}
		}
	})
	t.Run("RoundTrip", func(t *testing.T) {
		h.Check(t, Collect(t, h.New(t, connectors.Common{}), nil))
	})
	t.Run("Cancel", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		done := make(chan struct{})
		go func() {
			defer close(done)
			for _, err := range h.New(t, connectors.Common{}).Chunks(ctx, nil) {
				if err != nil {
					return
				}
			}
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("a cancelled run did not end within 10s")
		}
	})
	t.Run("PreventDups", func(t *testing.T) {
		hub, root := NewChain(t)
		first := Import(t, hub, root, h.Name, h.New(t, connectors.Common{PreventDups: true}), connectors.Common{PreventDups: true})
		if first.Captured == 0 {
			t.Fatalf("first import captured nothing: %+v", first)
		}
		again := Import(t, hub, root, h.Name, h.New(t, connectors.Common{PreventDups: true}), connectors.Common{PreventDups: true})
		if again.Captured != 0 {
			t.Fatalf("re-import with --prevent-dups captured %d asset(s); want 0 (%+v)", again.Captured, again)
		}
	})
}

// Collect runs a source to its end and returns its chunks, failing t on
// an error.
func Collect(t testing.TB, src connectors.Source, st connectors.State) []connectors.Chunk {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out []connectors.Chunk
	for c, err := range src.Chunks(ctx, st) {
		if err == nil {
			err = c.Complete()
		}
		if err != nil {
			t.Fatalf("Chunks: %v", err)
		}
		out = append(out, c)
	}
	return out
}

// NewChain opens a hub on a fresh folder store and creates a chain.
func NewChain(t testing.TB) (*blockhub.Hub, chain.Block) {
	t.Helper()
	ctx := context.Background()
	h, err := blockhub.Open(ctx, blockhub.Config{Home: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	root, _, err := h.Chain(ctx, "test", nil)
	if err != nil {
		t.Fatal(err)
	}
	return h, root
}

// Import runs one import of src onto the chain, as bhctl import does, and
// returns its summary once every captured asset is linked.
func Import(t testing.TB, h *blockhub.Hub, root chain.Block, name string, src connectors.Source, c connectors.Common) connectors.Summary {
	t.Helper()
	sum, err := TryImport(h, root, name, src, c)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	return sum
}

// TryImport is Import returning the error instead of failing.
func TryImport(h *blockhub.Hub, root chain.Block, name string, src connectors.Source, c connectors.Common) (connectors.Summary, error) {
	return connectors.Capture(context.Background(), h, root, src, connectors.ImportOptions{Connector: name, Common: c})
}

// Assets returns the receipts on the chain after the root, in order.
func Assets(t testing.TB, h *blockhub.Hub, root chain.Block) []chain.Receipt {
	t.Helper()
	var out []chain.Receipt
	for b, err := range h.Walker(root).All(context.Background(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		if !b.IsRoot() {
			out = append(out, b.Assets...)
		}
	}
	return out
}

// TryCollect runs a source to its end or its first error and returns the
// chunks it yielded and that error.
func TryCollect(src connectors.Source, st connectors.State) ([]connectors.Chunk, error) {
	var out []connectors.Chunk
	for c, err := range src.Chunks(context.Background(), st) {
		if err == nil {
			err = c.Complete()
		}
		if err != nil {
			return out, err
		}
		out = append(out, c)
	}
	return out, nil
}

// FailsEarly runs src with a State that has nothing on the chain and
// checks that it fails before its first chunk, with one line that says
// want, starts with prefix (the connector's name and the source's URL
// scheme) and does not hold the password "hunter2" of the tests' URLs.
func FailsEarly(t testing.TB, src connectors.Source, prefix, want string) {
	t.Helper()
	chunks, err := TryCollect(src, EmptyState{})
	if err == nil {
		t.Fatal("no error")
	}
	if len(chunks) != 0 {
		t.Errorf("%d chunk(s) yielded before the error", len(chunks))
	}
	msg := err.Error()
	if !strings.Contains(msg, want) {
		t.Errorf("error %q; want it to say %q", msg, want)
	}
	if strings.Contains(msg, "hunter2") || strings.Contains(msg, "\n") {
		t.Errorf("error %q holds the password or several lines", msg)
	}
	if !strings.HasPrefix(msg, prefix) {
		t.Errorf("error %q does not name the source", msg)
	}
}

// EmptyState is a State with nothing on the chain.
type EmptyState struct{}

var _ connectors.State = EmptyState{}

// Has reports that no asset is on the chain.
func (EmptyState) Has(string) bool { return false }

// Last reports that nothing was captured under any key.
func (EmptyState) Last(string) ([]byte, bool) { return nil, false }

// Note drops the note.
func (EmptyState) Note(string, ...any) {}

// Seq returns the decimal numbers from to to, in order: the ids of a
// fixture's records.
func Seq(from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, strconv.Itoa(i))
	}
	return out
}

// Read returns the bytes of the asset that r names, failing t on an
// error.
func Read(t testing.TB, h *blockhub.Hub, r chain.Receipt) []byte {
	t.Helper()
	rc, err := h.Assets.Get(context.Background(), r.Hash)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
