// Package stream is the stream connector: `bhctl import stream FILE|-`
// captures lines as they are written, --rows lines per asset or what came
// within --ttl, from a file followed like `tail -F` (rotation and
// truncation handled) or from standard input.
//
// A file's chunks carry its identity (device and inode), the byte offsets
// of their lines and a fingerprint of the file's first bytes, so that a
// later run (the runner hands a resuming source the chain's index on
// every run) starts right after the last line captured: in the same file when
// it is still the one it read, in the rotated file first when it was
// renamed away, from the start of a new or truncated file otherwise.
//
// It imports connectors and internal/records; no other connector.
package stream
