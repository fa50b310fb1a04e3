// Package bench holds the benchmarks of the core's figures (see
// docs/BENCHMARKS.md): Go benchmarks that drive the library the way bhctl
// does, so they can be profiled, and helpers for the programs and scripts
// beside it (mkchain, livelat, pipe.sh, verify.sh, live.sh).
//
// It imports the blockhub library only; nothing imports it.
package bench
