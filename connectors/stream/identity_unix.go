//go:build unix

package stream

import (
	"os"
	"syscall"
)

// identityOf returns a file's device and inode.
func identityOf(fi os.FileInfo) identity {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return identity{Dev: uint64(st.Dev), Ino: uint64(st.Ino)}
	}
	return identity{}
}
