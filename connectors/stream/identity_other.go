//go:build !unix

package stream

import "os"

// identityOf returns the zero identity where files have no inode: a file
// is then told from another by its first bytes alone.
func identityOf(os.FileInfo) identity { return identity{} }
