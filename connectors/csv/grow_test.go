package csv_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/blockhub/blockhub"
	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/connectors"
	"github.com/blockhub/blockhub/connectors/connectortest"
)

// TestGrowingFile is issue 12 §2: a file written in steps, each step
// ending in the middle of a row (a plain field, a quoted field with a
// line break, between "\r" and "\n"), captured after each step with
// --prevent-dups. Every row is on the chain exactly once and whole; the
// row being written is captured once its line end is there.
func TestGrowingFile(t *testing.T) {
	var full bytes.Buffer
	full.WriteString("id,item,note\r\n")
	var want []string                      // the rows, as the chain must hold them
	ends := map[int]bool{full.Len(): true} // where records end
	for i := 1; i <= 40; i++ {
		row := fmt.Sprintf("%d,item %d,plain\r\n", i, i)
		if i%7 == 0 {
			row = fmt.Sprintf("%d,item %d,\"two\nlines, \"\"quoted\"\"\"\r\n", i, i)
		}
		full.WriteString(row)
		ends[full.Len()] = true
		want = append(want, row)
	}
	file := full.Bytes()
	// Cut points: inside row 3's text, inside row 7's quoted field,
	// between a "\r" and its "\n", on a line end, inside the header.
	cuts := []int{
		5,
		bytes.Index(file, []byte("3,it")) + 4,
		bytes.Index(file, []byte("two\nli")) + 4,
		bytes.Index(file, []byte("20,item 20,plain\r")) + 17,
		bytes.Index(file, []byte("30,")),
		len(file),
	}
	path := filepath.Join(t.TempDir(), "orders.csv")
	hub, root := connectortest.NewChain(t)
	c := connectors.Common{Rows: 4, PreventDups: true}
	var notes strings.Builder
	c.Notes = &notes
	for _, at := range cuts {
		if err := os.WriteFile(path, file[:at], 0o644); err != nil {
			t.Fatal(err)
		}
		notes.Reset()
		connectortest.Import(t, hub, root, "csv", connectortest.New(t, "csv", []string{path}, nil, c), c)
		torn := !ends[at]
		if got := strings.Contains(notes.String(), "left for a later run"); got != torn {
			t.Errorf("cut at %d: note %q; want one when the last line is cut", at, notes.String())
		}
	}
	got := chainRows(t, hub, root)
	if strings.Join(got, "") != strings.Join(want, "") {
		t.Fatalf("the chain holds rows\n%q\nwant each once, whole:\n%q", got, want)
	}
}

// TestFinal: with --final a last row without a line end is captured; a
// later run that finds the row grew reads the file again (the row is no
// longer what was captured) and captures only the chunk that changed.
func TestFinal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "orders.csv")
	os.WriteFile(path, []byte("id,v\n1,a\n2,b\n3,c"), 0o644)
	hub, root := connectortest.NewChain(t)
	c := connectors.Common{Rows: 2, PreventDups: true}
	final := connectors.Values{"final": {"true"}}
	if s := connectortest.Import(t, hub, root, "csv", connectortest.New(t, "csv", []string{path}, final, c), c); s.Records != 3 {
		t.Fatalf("--final: %+v, want the 3 rows", s)
	}
	assets := connectortest.Assets(t, hub, root)
	if data := connectortest.Read(t, hub, assets[len(assets)-1]); string(data) != "id,v\n3,c" {
		t.Fatalf("last asset %q, want the row as it is", data)
	}
	var m meta
	json.Unmarshal(assets[len(assets)-1].Meta, &m)
	if m.Hash == "" || m.Batch != [2]int{2, 2} {
		t.Errorf("last chunk: hash %q batch %v, want the file's hash and [2 2]", m.Hash, m.Batch)
	}
}

// chainRows returns the data rows of every csv asset on the chain, in
// order, each with its line end, as the file has them.
func chainRows(t *testing.T, h *blockhub.Hub, root chain.Block) []string {
	t.Helper()
	var rows []string
	for _, rc := range connectortest.Assets(t, h, root) {
		data := connectortest.Read(t, h, rc)
		pieces := splitRecords(t, data)
		for _, p := range pieces[1:] {
			rows = append(rows, string(p))
		}
	}
	return rows
}
