package csvtarget

import (
	"context"
	"fmt"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/oracle"
)

var (
	_ oracle.ProvenanceStyler = (*Target)(nil)
	_ oracle.RowReader        = (*Target)(nil)
)

// ProvenanceStyle implements oracle.ProvenanceStyler: one column, _bh,
// holding "asset:height:record".
func (t *Target) ProvenanceStyle() oracle.ProvenanceStyle { return oracle.ProvenanceText }

// ReadRow implements oracle.RowReader: the row with the key, as the file
// holds it.
func (t *Target) ReadRow(_ context.Context, key map[string]string) (map[string]any, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.key) == 0 {
		return nil, fmt.Errorf("csv target %s: reading a row needs the key fields", t.path)
	}
	row := make([]string, len(t.header))
	for _, k := range t.key {
		v, ok := key[k]
		if !ok {
			return nil, fmt.Errorf("csv target %s: want the key field %s", t.path, k)
		}
		i, ok := t.col[k]
		if !ok {
			return nil, fmt.Errorf("csv target %s: no column %s", t.path, k)
		}
		row[i] = v
	}
	k, _ := t.keyOf(row)
	i, ok := t.byKey[k]
	if !ok || t.rows[i] == nil {
		return nil, fmt.Errorf("csv target %s: %w: no row with key %v", t.path, chain.ErrNotFound, key)
	}
	out := make(map[string]any, len(t.header))
	for j, h := range t.header {
		if j < len(t.rows[i]) {
			out[h] = t.rows[i][j]
		} else {
			out[h] = ""
		}
	}
	return out, nil
}
