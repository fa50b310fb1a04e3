// Package bench holds the benchmarks behind docs/BENCHMARKS.md: Go
// benchmarks that drive the library the way bhctl does, so that they can
// be profiled, the helpers of the programs beside it (mkchain makes
// chains, livelat times walk --live, uilat times the chain browser in
// headless Chromium, formatexample prints the worked example of
// docs/FORMAT.md, which TestFormatExample keeps true), and the scripts
// (*.sh, sharing lib.sh).
//
// It imports the blockhub library; nothing imports it.
package bench
