package csv

import (
	"bytes"
	"io"
	"testing"

	"github.com/blockhub/blockhub/internal/emit"
)

// BenchmarkScan measures the two scans of a file in memory (32 MiB of
// emitted orders, plain and with quoted fields): the splitter, which cuts
// and checks the records, and the counter, the first pass that counts
// them for batch [i, n].
func BenchmarkScan(b *testing.B) {
	for _, tricky := range []bool{false, true} {
		var buf bytes.Buffer
		if err := emit.CSV(&buf, emit.Options{Kind: emit.Orders, Bytes: 32 << 20, Seed: 1, Tricky: tricky}); err != nil {
			b.Fatal(err)
		}
		data := buf.Bytes()
		name := "plain"
		if tricky {
			name = "quoted"
		}
		b.Run(name+"/splitter", func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				s := newSplitter(bytes.NewReader(data), "b.csv", ',', 0, 1)
				for {
					if _, err := s.next(); err == io.EOF {
						break
					} else if err != nil {
						b.Fatal(err)
					}
				}
			}
		})
		b.Run(name+"/counter", func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				c := counter{comma: ','}
				for p := data; len(p) > 0; p = p[min(len(p), 256<<10):] {
					c.write(p[:min(len(p), 256<<10)])
				}
				if c.end(true) == 0 {
					b.Fatal("no records")
				}
			}
		})
	}
}
