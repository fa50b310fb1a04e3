package fs

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// openForWriting reports whether some process has the file at abs open
// for writing. Linux refuses a read lease (fcntl F_SETLEASE, F_RDLCK) on
// such a file with EAGAIN; the lease is let go at once. Where a lease
// cannot be taken for another reason (a file of another user without
// CAP_LEASE, a file system without leases), it cannot tell and says
// false: the settle time alone decides.
func openForWriting(abs string) bool {
	f, err := os.Open(abs)
	if err != nil {
		return false
	}
	defer f.Close()
	fd := int(f.Fd())
	_, err = unix.FcntlInt(uintptr(fd), unix.F_SETLEASE, unix.F_RDLCK)
	if err == nil {
		unix.FcntlInt(uintptr(fd), unix.F_SETLEASE, unix.F_UNLCK)
		return false
	}
	return errors.Is(err, unix.EAGAIN)
}
