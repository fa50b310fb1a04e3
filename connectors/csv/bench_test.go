package csv_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/connectors"
	"github.com/blockhub/blockhub/connectors/connectortest"
	"github.com/blockhub/blockhub/internal/emit"
)

var (
	benchOnce sync.Once
	benchDir  string
	benchFile string
)

// benchCSV is an emitted orders file of 64 MiB, made once per test binary.
func benchCSV(b *testing.B) string {
	benchOnce.Do(func() {
		dir, err := os.MkdirTemp("", "csvbench")
		if err != nil {
			b.Fatal(err)
		}
		benchDir = dir
		benchFile = filepath.Join(dir, "orders.csv")
		f, err := os.Create(benchFile)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		if err := emit.CSV(f, emit.Options{Kind: emit.Orders, Bytes: 64 << 20, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	})
	return benchFile
}

// BenchmarkCSVImport measures `bhctl import csv FILE --rows=1000` on a
// 64 MiB emitted file: the connector alone (Chunks), the runner without
// a store (DryRun: meta, hashing, no sensitive scan), and the whole
// import onto a chain in the folder store (Chain). Compare with
// bench/csv.sh, which times the CLI beside split and sha256sum.
func BenchmarkCSVImport(b *testing.B) {
	path := benchCSV(b)
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	common := connectors.Common{Rows: 1000, Sensitive: "off"}
	b.Run("Chunks", func(b *testing.B) {
		b.SetBytes(fi.Size())
		for b.Loop() {
			rows := 0
			for c, err := range connectortest.New(b, "csv", []string{path}, nil, common).Chunks(context.Background(), nil) {
				if err == nil {
					err = c.Complete()
				}
				if err != nil {
					b.Fatal(err)
				}
				rows += c.Records
			}
			b.ReportMetric(float64(rows), "rows/op")
		}
	})
	b.Run("DryRun", func(b *testing.B) {
		b.SetBytes(fi.Size())
		c := common
		c.DryRun = true
		for b.Loop() {
			_, err := connectors.Import(context.Background(), nil, chain.DefaultCrypt, connectortest.New(b, "csv", []string{path}, nil, c),
				connectors.ImportOptions{Connector: "csv", Common: c})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Chain", func(b *testing.B) {
		b.SetBytes(fi.Size())
		for b.Loop() {
			b.StopTimer()
			hub, root := connectortest.NewChain(b)
			b.StartTimer()
			connectortest.Import(b, hub, root, "csv", connectortest.New(b, "csv", []string{path}, nil, common), common)
		}
	})
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}
