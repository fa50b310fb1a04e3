package filestore

import (
	"context"
	"io"
	"path/filepath"

	"github.com/blockhub/blockhub/chain/store/driver"
)

var _ driver.Replacer = (*AssetStore)(nil)

// Replace implements driver.Replacer: the bytes go to a new file renamed
// over the old one, then the file and its folder are synced.
func (s *AssetStore) Replace(_ context.Context, hash string, r io.Reader, _ int64) error {
	path := s.d.path(hash, ".blob")
	if err := s.d.replace(path, func(w io.Writer) error { return copyAll(w, r) }); err != nil {
		return err
	}
	return syncFiles([]string{path}, filepath.Dir(path))
}
