package blockhub

import (
	"os"
	"path/filepath"
)

// HomeName is the folder name of a home found in the working folder or
// above it.
const HomeName = ".bh"

// FindHome looks for a folder named .bh in dir and in each folder above
// it, as git looks for .git, and returns the nearest; ok is false when
// there is none up to the file system's root. bhctl uses it when neither
// --home nor BH_HOME is given, so a command run from a subfolder uses the
// home of the project it is in instead of making a second one.
func FindHome(dir string) (home string, ok bool) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", false
	}
	for {
		p := filepath.Join(dir, HomeName)
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			return p, true
		}
		up := filepath.Dir(dir)
		if up == dir {
			return "", false
		}
		dir = up
	}
}
