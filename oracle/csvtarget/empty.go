package csvtarget

import (
	"context"

	"github.com/blockhub/blockhub/oracle"
)

var _ oracle.Emptier = (*Target)(nil)

// Empty reports whether the table holds no rows (the file was missing or
// emptied when it was opened, or every row was deleted).
func (t *Target) Empty(context.Context) (bool, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, r := range t.rows {
		if r != nil {
			return false, nil
		}
	}
	return true, nil
}
