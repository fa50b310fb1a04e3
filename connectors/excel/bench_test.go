//go:build unix

package excel_test

import (
	"context"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/blockhub/blockhub/connectors/excel"
	"github.com/blockhub/blockhub/internal/emit"
)

const benchRows = 20000

// cpuTime is the user and system time this process used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkSheet reads a 20,000-row sheet: with this connector (excelize's
// streaming row iterator with formatted values, chunks encoded as csv),
// with --formulas (excelize's GetCellFormula per cell), and with the bare
// iterator, raw and formatted: the gap between those two is what number
// formatting (of the date column, mostly) costs.
func BenchmarkSheet(b *testing.B) {
	path := filepath.Join(b.TempDir(), "bench.xlsx")
	if err := emit.Excel(path, emit.ExcelOptions{Seed: 1, Rows: benchRows}); err != nil {
		b.Fatal(err)
	}
	// rows per second of wall time, and per second of CPU time (steadier
	// on a busy machine; the garbage collector's work counts too).
	var cpu0 time.Duration
	report := func(b *testing.B, start time.Time) {
		rows := float64(benchRows) * float64(b.N)
		b.ReportMetric(rows/time.Since(start).Seconds(), "rows/s")
		b.ReportMetric(rows/(cpuTime()-cpu0).Seconds(), "rows/cpu-s")
	}
	b.Run("connector", func(b *testing.B) {
		start := time.Now()
		cpu0 = cpuTime()
		for b.Loop() {
			src, err := excel.New(path, nil)
			if err != nil {
				b.Fatal(err)
			}
			for _, err := range src.Chunks(context.Background(), nil) {
				if err != nil {
					b.Fatal(err)
				}
			}
		}
		report(b, start)
	})
	b.Run("connector-formulas", func(b *testing.B) {
		start := time.Now()
		cpu0 = cpuTime()
		for b.Loop() {
			src, _ := excel.New(path, &excel.Options{Formulas: true})
			for _, err := range src.Chunks(context.Background(), nil) {
				if err != nil {
					b.Fatal(err)
				}
			}
		}
		report(b, start)
	})
	for _, raw := range []bool{true, false} {
		name := "excelize-rows-formatted"
		if raw {
			name = "excelize-rows-raw"
		}
		b.Run(name, func(b *testing.B) {
			start := time.Now()
			cpu0 = cpuTime()
			for b.Loop() {
				f, err := excelize.OpenFile(path)
				if err != nil {
					b.Fatal(err)
				}
				rows, err := f.Rows("orders")
				if err != nil {
					b.Fatal(err)
				}
				for rows.Next() {
					if _, err := rows.Columns(excelize.Options{RawCellValue: raw}); err != nil {
						b.Fatal(err)
					}
				}
				rows.Close()
				f.Close()
			}
			report(b, start)
		})
	}
}
