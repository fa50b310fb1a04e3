package csv_test

import (
	"bytes"
	"crypto/sha256"
	stdcsv "encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/blockhub/blockhub/connectors"
	"github.com/blockhub/blockhub/connectors/connectortest"
	csvconn "github.com/blockhub/blockhub/connectors/csv"
	"github.com/blockhub/blockhub/internal/emit"
)

// writeOrders writes an emitted orders CSV of n rows, with quotes,
// delimiters and line breaks in some fields, and returns its path.
func writeOrders(t testing.TB, dir string, n int64, seed uint64) string {
	t.Helper()
	var b bytes.Buffer
	if err := emit.CSV(&b, emit.Options{Kind: emit.Orders, Rows: n, Seed: seed, Tricky: true}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "orders.csv")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func appendFile(t testing.TB, path string, data []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(data); err != nil {
		t.Fatal(err)
	}
}

// readAll reads a CSV document with encoding/csv.
func readAll(t testing.TB, data []byte) [][]string {
	t.Helper()
	recs, err := stdcsv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatalf("chunk does not read back as CSV: %v\n%s", err, data)
	}
	return recs
}

func TestConnector(t *testing.T) {
	path := writeOrders(t, t.TempDir(), 2500, 1)
	file, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := readAll(t, file)
	connectortest.Run(t, connectortest.Harness{
		Name: "csv",
		New: func(t *testing.T, c connectors.Common) connectors.Source {
			return connectortest.New(t, "csv", []string{path}, nil, c)
		},
		Check: func(t *testing.T, chunks []connectors.Chunk) {
			if len(chunks) != 3 {
				t.Fatalf("%d chunks of 2,500 rows by 1,000, want 3", len(chunks))
			}
			got := [][]string{want[0]}
			for i, c := range chunks {
				recs := readAll(t, c.Data)
				if !slices.Equal(recs[0], want[0]) {
					t.Fatalf("chunk %d starts with %q, want the header %q", i, recs[0], want[0])
				}
				if c.Records != len(recs)-1 {
					t.Errorf("chunk %d: Records %d, holds %d rows", i, c.Records, len(recs)-1)
				}
				got = append(got, recs[1:]...)
			}
			if !slices.EqualFunc(got, want, slices.Equal) {
				t.Fatalf("the chunks' rows differ from the file's")
			}
		},
	})
}

// meta decodes a chunk's meta into the fields the tests look at.
type meta struct {
	Path   string   `json:"path"`
	Size   int64    `json:"size"`
	Prefix string   `json:"prefix"`
	Hash   string   `json:"hash"`
	Rows   [2]int   `json:"rows"`
	Span   [2]int   `json:"span"`
	Batch  [2]int   `json:"batch"`
	Offset [2]int64 `json:"offset"`
	Key    string   `json:"key"`
}

func metaOf(t testing.TB, m any) meta {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var out meta
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestMeta(t *testing.T) {
	path := writeOrders(t, t.TempDir(), 250, 2)
	appendFile(t, path, []byte("\n\n")) // blank lines at the end belong to the last chunk
	file, _ := os.ReadFile(path)
	chunks := connectortest.Collect(t, connectortest.New(t, "csv", []string{path}, nil, connectors.Common{Rows: 100}), nil)
	if len(chunks) != 3 {
		t.Fatalf("%d chunks, want 3", len(chunks))
	}
	header := file[:bytes.IndexByte(file, '\n')+1]
	var next int64 = int64(len(header))
	for i, c := range chunks {
		m := metaOf(t, c.Meta)
		wantBatch := [2]int{i + 1, 3} // counted before the first chunk
		if m.Batch != wantBatch {
			t.Errorf("chunk %d: batch %v, want %v", i, m.Batch, wantBatch)
		}
		if want := [2]int{100*i + 1, min(100*i+100, 250)}; m.Rows != want {
			t.Errorf("chunk %d: rows %v, want %v", i, m.Rows, want)
		}
		if m.Offset[0] != next {
			t.Errorf("chunk %d starts at byte %d, want %d (chunks tile the file)", i, m.Offset[0], next)
		}
		next = m.Offset[1]
		if !bytes.Equal(c.Data, append(slices.Clip(header), file[m.Offset[0]:m.Offset[1]]...)) {
			t.Errorf("chunk %d is not the header and the file's bytes %v", i, m.Offset)
		}
		if m.Prefix != sum(file[:m.Offset[1]]) {
			t.Errorf("chunk %d: prefix is not the hash of the file's first %d bytes", i, m.Offset[1])
		}
		if abs, _ := filepath.Abs(path); m.Path != abs || c.Key != "csv:"+abs || m.Size != int64(len(file)) {
			t.Errorf("chunk %d: path %s, key %s, size %d", i, m.Path, c.Key, m.Size)
		}
		if (m.Hash != "") != (i == 2) {
			t.Errorf("chunk %d: hash %q; only the last chunk has it", i, m.Hash)
		}
	}
	if next != int64(len(file)) {
		t.Errorf("the last chunk ends at byte %d, want the end of the file (%d)", next, len(file))
	}
	if m := metaOf(t, chunks[2].Meta); m.Hash != sum(file) {
		t.Errorf("hash %s, want the file's %s", m.Hash, sum(file))
	}
}

// TestGrownFile is the issue's --prevent-dups story: 1,000 rows in 10
// chunks of 100, then 50 rows appended give one asset of exactly those
// 50, then 60 more one asset of exactly those 60.
func TestGrownFile(t *testing.T) {
	dir := t.TempDir()
	var all bytes.Buffer
	if err := emit.CSV(&all, emit.Options{Kind: emit.Orders, Rows: 1110, Seed: 3, Tricky: true}); err != nil {
		t.Fatal(err)
	}
	lines := splitRecords(t, all.Bytes()) // header, then one entry per row
	path := filepath.Join(dir, "orders.csv")
	os.WriteFile(path, bytes.Join(lines[:1001], nil), 0o644)

	hub, root := connectortest.NewChain(t)
	c := connectors.Common{Rows: 100, PreventDups: true}
	run := func() connectors.Summary {
		return connectortest.Import(t, hub, root, "csv", connectortest.New(t, "csv", []string{path}, nil, c), c)
	}
	if s := run(); s.Captured != 10 || s.Records != 1000 {
		t.Fatalf("first import: %+v, want 10 assets of 1,000 rows", s)
	}
	if s := run(); s.Captured != 0 || s.Skipped != 0 {
		t.Fatalf("re-import: %+v, want nothing read again", s)
	}
	for _, step := range []struct{ from, to int }{{1001, 1050}, {1051, 1110}} {
		appendFile(t, path, bytes.Join(lines[step.from:step.to+1], nil))
		if s := run(); s.Captured != 1 || s.Records != step.to-step.from+1 {
			t.Fatalf("after appending rows %d-%d: %+v, want one asset of them", step.from, step.to, s)
		}
		assets := connectortest.Assets(t, hub, root)
		last := assets[len(assets)-1]
		data, err := hub.Assets.ReadAll(t.Context(), last.Hash)
		if err != nil {
			t.Fatal(err)
		}
		want := append(slices.Clip(lines[0]), bytes.Join(lines[step.from:step.to+1], nil)...)
		if !bytes.Equal(data, want) {
			t.Fatalf("the new asset is not the header and rows %d-%d:\n%s", step.from, step.to, data)
		}
		var m meta
		json.Unmarshal(last.Meta, &m)
		if m.Rows != [2]int{step.from, step.to} || m.Span != [2]int{1, step.to} {
			t.Errorf("new asset: rows %v span %v, want rows [%d %d]", m.Rows, m.Span, step.from, step.to)
		}
	}
}

// splitRecords cuts a CSV document into its records, raw.
func splitRecords(t testing.TB, data []byte) [][]byte {
	t.Helper()
	r := stdcsv.NewReader(bytes.NewReader(data))
	var out [][]byte
	var last int64
	for {
		if _, err := r.Read(); err != nil {
			break
		}
		off := r.InputOffset()
		out = append(out, data[last:off])
		last = off
	}
	return out
}

func TestRewrittenFile(t *testing.T) {
	path := writeOrders(t, t.TempDir(), 300, 4)
	st := &connectortest.State{}
	c := connectors.Common{Rows: 100}
	first := connectortest.Collect(t, connectortest.New(t, "csv", []string{path}, nil, c), st)
	st.Record(t, first)
	file, _ := os.ReadFile(path)
	// Change one byte of row 150's order id: the file is rewritten in the
	// middle, not grown.
	m := metaOf(t, first[1].Meta)
	at := m.Offset[0] + 10
	for file[at] < '0' || file[at] > '9' {
		at++
	}
	file[at] = '0' + (file[at]-'0'+1)%10
	os.WriteFile(path, file, 0o644)
	again := connectortest.Collect(t, connectortest.New(t, "csv", []string{path}, nil, c), st)
	if len(again) != 3 {
		t.Fatalf("%d chunks after a rewrite, want all 3 again (the runner skips those on the chain)", len(again))
	}
	if len(st.Notes) != 1 || !strings.Contains(st.Notes[0], "changed in its first") {
		t.Fatalf("notes %q, want one saying the file changed", st.Notes)
	}
	for i := range 3 {
		if same := bytes.Equal(first[i].Data, again[i].Data); same != (i != 1) {
			t.Errorf("chunk %d: unchanged %t", i, same)
		}
	}
}

func TestMalformedThenFixed(t *testing.T) {
	dir := t.TempDir()
	var b bytes.Buffer
	b.WriteString("id,name,note\n")
	for i := 1; i <= 300; i++ {
		note := "ok"
		if i == 250 {
			note = `bad " quote`
		}
		fmt.Fprintf(&b, "%d,name %d,%s\n", i, i, note)
	}
	path := filepath.Join(dir, "orders.csv")
	os.WriteFile(path, b.Bytes(), 0o644)

	hub, root := connectortest.NewChain(t)
	c := connectors.Common{Rows: 100, PreventDups: true}
	strict := connectors.Values{"strict-quotes": {"true"}}
	src := connectortest.New(t, "csv", []string{path}, strict, c)
	sum, err := connectortest.TryImport(hub, root, "csv", src, c)
	var se *csvconn.SyntaxError
	if !errors.As(err, &se) || se.Line != 251 || !errors.Is(err, csvconn.ErrBareQuote) {
		t.Fatalf("import error %v, want a bare quote on line 251", err)
	}
	if want := `csv: ` + path + ` line 251: extraneous " in field 3`; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	if sum.Captured != 2 {
		t.Fatalf("captured %d, want the 2 chunks before the bad row", sum.Captured)
	}
	os.WriteFile(path, bytes.Replace(b.Bytes(), []byte(`bad " quote`), []byte(`"bad "" quote"`), 1), 0o644)
	s := connectortest.Import(t, hub, root, "csv", connectortest.New(t, "csv", []string{path}, strict, c), c)
	if s.Captured != 1 || s.Records != 100 {
		t.Fatalf("after the fix: %+v, want one asset of rows 201-300", s)
	}
	var rows int
	for _, r := range connectortest.Assets(t, hub, root) {
		var m meta
		json.Unmarshal(r.Meta, &m)
		if m.Rows[0] != rows+1 {
			t.Errorf("asset of rows %v after rows up to %d", m.Rows, rows)
		}
		rows = m.Rows[1]
	}
	if rows != 300 {
		t.Errorf("the chain holds rows up to %d, want 300", rows)
	}
}

func TestLines(t *testing.T) {
	path := writeOrders(t, t.TempDir(), 100, 5)
	file, _ := os.ReadFile(path)
	all := readAll(t, file)
	chunks := connectortest.Collect(t, connectortest.New(t, "csv", []string{path},
		connectors.Values{"start-line": {"31"}, "end-line": {"75"}}, connectors.Common{Rows: 20}), nil)
	var got [][]string
	for _, c := range chunks {
		got = append(got, readAll(t, c.Data)[1:]...)
	}
	if !slices.EqualFunc(got, all[31:76], slices.Equal) {
		t.Fatalf("rows 31-75: got %d rows", len(got))
	}
	if m := metaOf(t, chunks[0].Meta); m.Rows != [2]int{31, 50} {
		t.Errorf("first chunk rows %v, want [31 50]", m.Rows)
	}
	if m := metaOf(t, chunks[len(chunks)-1].Meta); m.Rows != [2]int{71, 75} || m.Batch != [2]int{3, 3} || m.Hash != "" {
		t.Errorf("last chunk rows %v batch %v hash %q, want [71 75] [3 3] and no hash", m.Rows, m.Batch, m.Hash)
	}

	// Resuming: a run of rows 1-75 after that one starts over (rows 1-30
	// were never captured); a run from row 76 goes on after row 75.
	st := &connectortest.State{}
	st.Record(t, chunks)
	from1 := connectortest.Collect(t, connectortest.New(t, "csv", []string{path}, connectors.Values{"end-line": {"75"}}, connectors.Common{Rows: 20}), st)
	if m := metaOf(t, from1[0].Meta); m.Rows[0] != 1 || len(st.Notes) != 1 {
		t.Errorf("rows from 1 after 31-75: first chunk %v, notes %q", m.Rows, st.Notes)
	}
	st.Notes = nil
	on := connectortest.Collect(t, connectortest.New(t, "csv", []string{path}, connectors.Values{"start-line": {"31"}}, connectors.Common{Rows: 20}), st)
	if m := metaOf(t, on[0].Meta); m.Rows != [2]int{76, 95} || m.Span != [2]int{31, 95} || len(st.Notes) != 0 {
		t.Errorf("rows from 31 after 31-75: first chunk rows %v span %v, notes %q", m.Rows, m.Span, st.Notes)
	}
}

func TestExcludeAndFormat(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.csv")
	os.WriteFile(path, []byte("id;name;email\r\n1;\"Ann; A\";ann@example.com\r\n2;\"Bo \"\"B\"\"\";bo@example.com\r\n"), 0o644)
	semi := connectors.Values{"delimiter": {";"}}
	tests := []struct {
		name   string
		c      connectors.Common
		want   string
		ctype  string
		wantOK bool
	}{
		{"own format", connectors.Common{}, "id;name;email\r\n1;\"Ann; A\";ann@example.com\r\n2;\"Bo \"\"B\"\"\";bo@example.com\r\n", "text/csv", true},
		{"exclude by name", connectors.Common{Exclude: []string{"email"}}, "id;name\r\n1;\"Ann; A\"\r\n2;\"Bo \"\"B\"\"\"\r\n", "text/csv", true},
		{"exclude by letter", connectors.Common{Exclude: []string{"A", "C"}}, "name\r\n\"Ann; A\"\r\n\"Bo \"\"B\"\"\"\r\n", "text/csv", true},
		{"json", connectors.Common{Format: "json", Exclude: []string{"email"}}, `{"id":"1","name":"Ann; A"}` + "\n" + `{"id":"2","name":"Bo \"B\""}` + "\n", "application/x-ndjson", true},
		{"csv", connectors.Common{Format: "csv"}, "id,name,email\n1,Ann; A,ann@example.com\n2,\"Bo \"\"B\"\"\",bo@example.com\n", "text/csv", true},
	}
	for _, tt := range tests {
		chunks := connectortest.Collect(t, connectortest.New(t, "csv", []string{path}, semi, tt.c), nil)
		if len(chunks) != 1 || string(chunks[0].Data) != tt.want || chunks[0].Type != tt.ctype {
			t.Errorf("%s: got %d chunk(s), first %q (%s), want %q (%s)", tt.name, len(chunks), chunks[0].Data, chunks[0].Type, tt.want, tt.ctype)
		}
	}
	spec, _ := connectors.Lookup("csv")
	_, err := spec.New([]string{path}, semi, connectors.Common{Exclude: []string{"mail"}})
	var ue *connectors.UsageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), `"mail": no such column`) {
		t.Errorf("--exclude mail: error %v, want a usage error naming the column", err)
	}
}

func TestNoHeader(t *testing.T) {
	path := filepath.Join(t.TempDir(), "n.csv")
	os.WriteFile(path, []byte("1,a,x\n2,b,y\n3,c,z\n"), 0o644)
	v := connectors.Values{"no-header": {"true"}}
	chunks := connectortest.Collect(t, connectortest.New(t, "csv", []string{path}, v, connectors.Common{Rows: 2}), nil)
	if len(chunks) != 2 || string(chunks[0].Data) != "1,a,x\n2,b,y\n" || string(chunks[1].Data) != "3,c,z\n" {
		t.Fatalf("%d chunks, first %q", len(chunks), chunks[0].Data)
	}
	chunks = connectortest.Collect(t, connectortest.New(t, "csv", []string{path}, v, connectors.Common{Format: "json", Exclude: []string{"B"}}), nil)
	if want := `{"A":"1","C":"x"}`; !strings.HasPrefix(string(chunks[0].Data), want) {
		t.Fatalf("json without header: %s, want it to start with %s", chunks[0].Data, want)
	}
}

func TestParseOptions(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		v     connectors.Values
		c     connectors.Common
		usage string // "" when valid
	}{
		{"defaults", []string{"a.csv"}, nil, connectors.Common{}, ""},
		{"no file", nil, nil, connectors.Common{}, "name at least one FILE"},
		{"tab", []string{"a.csv"}, connectors.Values{"delimiter": {"tab"}}, connectors.Common{}, ""},
		{"semicolon", []string{"a.csv"}, connectors.Values{"delimiter": {";"}}, connectors.Common{}, ""},
		{"two-byte delimiter", []string{"a.csv"}, connectors.Values{"delimiter": {";;"}}, connectors.Common{}, "--delimiter"},
		{"quote delimiter", []string{"a.csv"}, connectors.Values{"delimiter": {`"`}}, connectors.Common{}, "--delimiter"},
		{"lines", []string{"a.csv"}, connectors.Values{"start-line": {"10"}, "end-line": {"20"}}, connectors.Common{}, ""},
		{"end before start", []string{"a.csv"}, connectors.Values{"start-line": {"10"}, "end-line": {"9"}}, connectors.Common{}, "before --start-line"},
		{"negative start", []string{"a.csv"}, connectors.Values{"start-line": {"-1"}}, connectors.Common{}, "--start-line"},
		{"not a number", []string{"a.csv"}, connectors.Values{"end-line": {"ten"}}, connectors.Common{}, "whole number"},
		{"negative rows", []string{"a.csv"}, nil, connectors.Common{Rows: -1}, "--rows"},
		{"bad format", []string{"a.csv"}, nil, connectors.Common{Format: "tsv"}, "--format"},
	}
	for _, tt := range tests {
		o, err := csvconn.ParseOptions(tt.args, tt.v, tt.c)
		switch {
		case tt.usage == "" && err != nil:
			t.Errorf("%s: error %v", tt.name, err)
		case tt.usage != "":
			var ue *connectors.UsageError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.usage) {
				t.Errorf("%s: error %v, want a usage error about %s", tt.name, err, tt.usage)
			}
		case tt.name == "tab" && o.Delimiter != '\t':
			t.Errorf("tab: delimiter %q", o.Delimiter)
		}
	}
}

func TestMissingFile(t *testing.T) {
	_, err := csvconn.New([]string{filepath.Join(t.TempDir(), "nope.csv")}, nil)
	if err == nil || !strings.Contains(err.Error(), "nope.csv: no such file") {
		t.Fatalf("error %v", err)
	}
}

// TestBigFile reads a file of several read buffers: every chunk is the
// header and the file's bytes, and its prefix their hash, across buffer
// ends and buffer reuse.
func TestBigFile(t *testing.T) {
	var b bytes.Buffer
	if err := emit.CSV(&b, emit.Options{Kind: emit.Contacts, Bytes: 5 << 20, Seed: 6, Tricky: true}); err != nil {
		t.Fatal(err)
	}
	file := b.Bytes()
	path := filepath.Join(t.TempDir(), "contacts.csv")
	os.WriteFile(path, file, 0o644)
	header := file[:bytes.IndexByte(file, '\n')+1]
	chunks := connectortest.Collect(t, connectortest.New(t, "csv", []string{path}, nil, connectors.Common{Rows: 7000}), nil)
	if len(chunks) < 4 {
		t.Fatalf("%d chunks, want several", len(chunks))
	}
	end := int64(len(header))
	for i, c := range chunks {
		m := metaOf(t, c.Meta)
		if m.Offset[0] != end || !bytes.Equal(c.Data, append(slices.Clip(header), file[m.Offset[0]:m.Offset[1]]...)) {
			t.Fatalf("chunk %d (%v) is not the header and the file's bytes after %d", i, m.Offset, end)
		}
		if m.Prefix != sum(file[:m.Offset[1]]) {
			t.Fatalf("chunk %d: wrong prefix", i)
		}
		end = m.Offset[1]
	}
	if end != int64(len(file)) {
		t.Fatalf("chunks end at %d, want %d", end, len(file))
	}
}
