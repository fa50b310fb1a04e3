// Package fs is the fs connector: it captures the files of a folder, one
// asset per file, big files in --chunk-size parts read one at a time
// (bhctl import fs DIR).
//
// Files are filtered by globs, a regular expression on their folder, size
// and modification time. With --prevent-dups a file whose size and mtime
// are those of its last complete capture (State.Last of "fs:"+its absolute
// path) is skipped without being read. With --watch (fsnotify) the source
// keeps running and captures files as they appear or change, once they
// have settled.
//
// It imports connectors.
package fs
