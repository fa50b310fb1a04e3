// Package connectortest is the suite every source connector passes: its
// test calls Run with a harness that makes sources over a real fixture
// (files, a database, a server).
package connectortest

import (
	"context"
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
