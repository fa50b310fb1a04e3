package connectortest

import (
	"context"
	"iter"
	"strings"
	"testing"

	"github.com/blockhub/blockhub/connectors"
)

// RunsAlone checks the rule of resuming sources (connectors.Resumer):
// while one run is capturing into a chain, another over the same input (a
// cron run overlapping a slow one) captures nothing, says why and does not
// fail; the first then captures its wantRecords records, and a later run
// finds nothing new. newSource returns a fresh source over the same input,
// one that resumes.
func RunsAlone(t *testing.T, name string, newSource func() connectors.Source, wantRecords int) {
	t.Helper()
	hub, root := NewChain(t)
	slow := held{newSource(), make(chan struct{}), make(chan struct{})}
	if slow.Resumes() == "" {
		t.Fatalf("%s: the source resumes nothing", name)
	}
	first := make(chan connectors.Summary, 1)
	go func() {
		sum, err := TryImport(hub, root, name, slow, connectors.Common{})
		if err != nil {
			t.Errorf("first run: %v", err)
		}
		first <- sum
	}()
	<-slow.started
	var notes strings.Builder
	sum, err := connectors.Capture(context.Background(), hub, root, newSource(), connectors.ImportOptions{Connector: name, Notes: &notes})
	if err != nil || sum.Captured != 0 {
		t.Errorf("overlapping run: %+v, %v; want nothing captured, no error", sum, err)
	}
	if want := "another run is capturing " + slow.Resumes() + " into this chain"; !strings.Contains(notes.String(), want) {
		t.Errorf("notes %q; want a line saying %q", notes.String(), want)
	}
	close(slow.release)
	if sum := <-first; sum.Records != wantRecords {
		t.Errorf("first run: %+v; want %d records", sum, wantRecords)
	}
	if sum := Import(t, hub, root, name, newSource(), connectors.Common{}); sum.Captured != 0 {
		t.Errorf("a later run: %+v; want nothing new", sum)
	}
}

// held is a source whose run, once started, waits until release is
// closed.
type held struct {
	connectors.Source
	started, release chan struct{}
}

// Resumes is the held source's (embedding an interface promotes only its
// own methods).
func (h held) Resumes() string {
	if r, ok := h.Source.(connectors.Resumer); ok {
		return r.Resumes()
	}
	return ""
}

func (h held) Chunks(ctx context.Context, st connectors.State) iter.Seq2[connectors.Chunk, error] {
	return func(yield func(connectors.Chunk, error) bool) {
		close(h.started)
		<-h.release
		for c, err := range h.Source.Chunks(ctx, st) {
			if !yield(c, err) {
				return
			}
		}
	}
}
