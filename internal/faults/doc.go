// Package faults is BlockHub's fault suite, in the manner of Jepsen: its
// tests build the real bhctl binary once, run it against the real stores
// that scripts/testservers.sh starts (the folder store, MariaDB, MinIO,
// FerretDB), hurt it many times at random moments (kill -9, racing
// writers, a store server stopped mid-run, flipped bytes, bad homes) and
// check afterwards what a user relies on: every acknowledged hash is on
// its chain exactly once, every row of a re-run import is there exactly
// once, verify names what is wrong, and errors are one clear line.
//
// The package holds tests only (one file per scenario, over the harness
// in harness_test.go). The default run is short enough for the test
// command; -long (or BH_FAULTS_LONG=1) runs the long mode whose figures
// docs/RELIABILITY.md records:
//
//	go test -v -count=1 -timeout 3h ./internal/faults -long
//
// Each scenario prints one summary line, such as
// "kill9 pipe: 50 kills, 0 lost, 0 duplicated, verify clean".
// BH_FAULTS_SEED=N repeats a run's random timing.
package faults
