package emit

import (
	"io"
	"testing"
)

// BenchmarkCSVBytes measures --bytes generation of orders, the path that
// makes the 1 GiB benchmark file; MB/s is the figure to watch.
func BenchmarkCSVBytes(b *testing.B) {
	const size = 64 << 20
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		if err := CSV(io.Discard, Options{Bytes: size, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkJSONBytes(b *testing.B) {
	const size = 16 << 20
	b.SetBytes(size)
	for b.Loop() {
		if err := JSON(io.Discard, Options{Bytes: size, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}
