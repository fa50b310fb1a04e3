package connectortest

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/blockhub/blockhub/connectors"
)

// State is a connectors.State kept in memory, for tests that need no
// chain: no asset is on it, Last returns the meta that Record kept, and
// Notes holds what runs noted. The zero value is ready to use.
type State struct {
	// Notes are the lines runs noted, in order.
	Notes []string
	// Skipped counts the assets runs passed over (connectors.Skip).
	Skipped int
	last    map[string][]byte
}

var (
	_ connectors.State   = (*State)(nil)
	_ connectors.Skipper = (*State)(nil)
)

// Skip adds n to Skipped.
func (s *State) Skip(n int) { s.Skipped += n }

// Has reports that no asset is on the chain.
func (s *State) Has(string) bool { return false }

// Last returns the meta Record kept for key.
func (s *State) Last(key string) ([]byte, bool) {
	b, ok := s.last[key]
	return b, ok
}

// Note appends the line to Notes.
func (s *State) Note(format string, a ...any) { s.Notes = append(s.Notes, fmt.Sprintf(format, a...)) }

// Record keeps the meta of chunks under their keys, as the chain's index
// would once they are captured.
func (s *State) Record(t testing.TB, chunks []connectors.Chunk) {
	t.Helper()
	for _, c := range chunks {
		b, err := json.Marshal(c.Meta)
		if err != nil {
			t.Fatal(err)
		}
		if s.last == nil {
			s.last = map[string][]byte{}
		}
		s.last[c.Key] = b
	}
}
