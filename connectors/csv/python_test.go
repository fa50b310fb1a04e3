package csv_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/blockhub/blockhub/connectors"
	"github.com/blockhub/blockhub/connectors/connectortest"
	"github.com/blockhub/blockhub/internal/records"
)

// rfc4180Edges is a CSV file with every edge of RFC 4180 and of files as
// they are found: a byte order mark, quoted header names, quotes, doubled
// quotes, a quote inside an unquoted field, line breaks ("\n", "\r\n",
// "\r") inside quoted fields, empty fields (quoted and not), unicode,
// records ended by "\n" and by "\r\n", a blank line, and no line end after
// the last record.
func rfc4180Edges() []byte {
	var b bytes.Buffer
	b.WriteString("\xef\xbb\xbfid,\"na,me\",\"say \"\"what\"\"\",lieu,ünï\r\n")
	rows := []string{
		"1,plain,text,here,x\r\n",
		"2,\"line\nfeed\",\"crlf\r\ninside\",\"cr\ronly\",\"\"\n",
		"3,,\"\",12°34'56\"N,5\" pipe\n",
		"4,\"\"\"\",\"a \"\"b\"\" c\",\"x,y\",\"日本語, ☃\"\r\n",
		"\r\n",
		"5,\"ends with crlf\r\n\",\" spaces \",\t tab,\"\"\"quoted\"\" start\"\n",
		"6,é,\"multi\r\n\r\nblank\n\nlines\",,last",
	}
	for _, r := range rows {
		b.WriteString(r)
	}
	return b.Bytes()
}

// pythonRows reads the CSV files with Python's csv module (its default
// dialect, a byte order mark dropped, line breaks in fields kept as the
// file has them) and returns each file's records, blank lines left out.
func pythonRows(t *testing.T, paths ...string) [][][]string {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Fatalf("python3 is needed to check the CSV reading against Python's csv module: %v", err)
	}
	const script = `
import csv, json, sys
out = []
for p in sys.argv[1:]:
    with open(p, newline='', encoding='utf-8-sig') as f:
        out.append([r for r in csv.reader(f) if r])
json.dump(out, sys.stdout)
`
	cmd := exec.Command(py, append([]string{"-c", script}, paths...)...)
	cmd.Stderr = os.Stderr
	b, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	var out [][][]string
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("python3 output: %v", err)
	}
	return out
}

// TestPythonRoundTrip is issue 13's round trip: for each --format, the
// field values decoded from the assets equal the values Python's csv
// module reads from the source file, byte for byte (the CSV assets are
// read back with Python too).
func TestPythonRoundTrip(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "edges.csv")
	if err := os.WriteFile(src, rfc4180Edges(), 0o644); err != nil {
		t.Fatal(err)
	}
	want := pythonRows(t, src)[0]
	if len(want) != 7 {
		t.Fatalf("Python reads %d records, want the header and 6 rows: %q", len(want), want)
	}
	final := connectors.Values{"final": {"true"}}
	for _, format := range []string{"", "csv", "json", "yaml", "xml"} {
		t.Run("format="+format, func(t *testing.T) {
			chunks := connectortest.Collect(t, connectortest.New(t, "csv", []string{src}, final, connectors.Common{Rows: 2, Format: format}), nil)
			if len(chunks) != 3 {
				t.Fatalf("%d chunks of 6 rows by 2, want 3", len(chunks))
			}
			var got [][]string
			for i, c := range chunks {
				var recs [][]string
				if f := records.FormatOf(c.Type); f == records.CSV {
					p := filepath.Join(dir, fmt.Sprintf("chunk-%s-%d.csv", format, i))
					os.WriteFile(p, c.Data, 0o644)
					recs = pythonRows(t, p)[0]
				} else {
					recs = decoded(t, c)
				}
				if !slices.Equal(recs[0], want[0]) {
					t.Fatalf("chunk %d: header %q, Python reads %q", i, recs[0], want[0])
				}
				got = append(got, recs[1:]...)
			}
			if !slices.EqualFunc(got, want[1:], slices.Equal) {
				t.Fatalf("rows decoded from the assets\n%q\nPython reads from the file\n%q", got, want[1:])
			}
		})
	}
}

// decoded reads a json, yaml or xml chunk back: the header, then each
// record's values, which must all be strings.
func decoded(t *testing.T, c connectors.Chunk) [][]string {
	t.Helper()
	tab, err := records.Decode(c.Type, c.Data)
	if err != nil {
		t.Fatalf("%s: %v\n%s", c.Type, err, c.Data)
	}
	out := [][]string{tab.Header}
	for _, r := range tab.Rows {
		row := make([]string, len(r))
		for i, v := range r {
			s, ok := v.(string)
			if !ok {
				t.Fatalf("%s: field %s is %T %v, want the string the file holds", c.Type, tab.Header[i], v, v)
			}
			row[i] = s
		}
		out = append(out, row)
	}
	return out
}
