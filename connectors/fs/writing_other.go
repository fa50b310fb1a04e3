//go:build !linux

package fs

// openForWriting cannot tell on this system whether a file is open for
// writing: the settle time alone decides.
func openForWriting(string) bool { return false }
