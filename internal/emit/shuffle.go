package emit

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
)

// Shuffle reads CSV from r and writes its header and then its records in an
// order the seed selects. Quoted fields, embedded newlines included, stay
// whole. It holds every record in memory. Empty input gives empty output.
func Shuffle(w io.Writer, r io.Reader, seed uint64) error {
	cr := csv.NewReader(r)
	records, err := cr.ReadAll()
	if err != nil {
		return fmt.Errorf("shuffle: %w", err)
	}
	if len(records) > 1 {
		rows := records[1:]
		src := newSource(seed, streamShuffle)
		for i := len(rows) - 1; i > 0; i-- {
			j := src.intn(i + 1)
			rows[i], rows[j] = rows[j], rows[i]
		}
	}
	bw := bufio.NewWriter(w)
	var line []byte
	for _, rec := range records {
		line = appendCSVRecord(line[:0], rec)
		if _, err := bw.Write(line); err != nil {
			return fmt.Errorf("shuffle: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("shuffle: %w", err)
	}
	return nil
}

// appendCSVRecord appends rec as a line of CSV. Unlike csv.Writer, it
// quotes a record made of one empty field, which would otherwise be an
// empty line that readers skip.
func appendCSVRecord(b []byte, rec []string) []byte {
	if len(rec) == 1 && rec[0] == "" {
		return append(b, '"', '"', '\n')
	}
	for i, f := range rec {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendCSVField(b, []byte(f))
	}
	return append(b, '\n')
}
