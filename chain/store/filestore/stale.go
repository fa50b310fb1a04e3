package filestore

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// The named temporary files of a store folder (tiles, and the files of a
// file system without O_TMPFILE) carry their writer in their name,
// "<prefix><pid>@<host>-<unique>", so that a process opening the folder
// can tell a file a killed writer left (its pid no longer running on this
// host) from one a live writer is still renaming, and remove it. A kill
// -9 between a file's creation and its rename or link would otherwise
// leave it in tmp/ for good. Files of other hosts (a folder shared over
// the network, another container's pid space) are left alone.
var tempOwner = func() string {
	host, _ := os.Hostname()
	host = strings.Map(func(r rune) rune {
		if r == '/' || r == '-' || r == '@' {
			return '_'
		}
		return r
	}, host)
	return strconv.Itoa(os.Getpid()) + "@" + host
}()

// namedTempPrefixes are the prefixes of the named temporary files.
var namedTempPrefixes = []string{"tile-", "w-"}

// removeStale removes the named temporary files in tmp whose writer, a
// process of this host, is no longer running.
func removeStale(tmp string) {
	entries, err := os.ReadDir(tmp)
	if err != nil {
		return
	}
	_, host, _ := strings.Cut(tempOwner, "@")
	for _, e := range entries {
		if pid, h, ok := tempWriter(e.Name()); ok && h == host && !running(pid) {
			os.Remove(filepath.Join(tmp, e.Name()))
		}
	}
}

// tempWriter returns the pid and host in a named temporary file's name.
func tempWriter(name string) (pid int, host string, ok bool) {
	for _, p := range namedTempPrefixes {
		if rest, found := strings.CutPrefix(name, p); found {
			owner, _, found := strings.Cut(rest, "-")
			ps, h, at := strings.Cut(owner, "@")
			n, err := strconv.Atoi(ps)
			return n, h, found && at && err == nil && n > 0
		}
	}
	return 0, "", false
}

// running reports whether process pid exists (or may: a process of
// another user answers EPERM).
func running(pid int) bool {
	return pid == os.Getpid() || unix.Kill(pid, 0) != unix.ESRCH
}
