package excel

import (
	"archive/zip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeXLSX writes a minimal workbook by hand, to test what writers other
// than excelize produce: parts maps sheet names (in order, "name=xml") to
// their sheetData; sst and styles are optional parts.
func writeXLSX(t testing.TB, sheets []string, sst, styles, workbookPr string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "hand.xlsx")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	add := func(name, body string) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, body)
	}
	const ns = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"`
	const rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
	add("_rels/.rels", `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="`+rel+`officeDocument" Target="xl/workbook.xml"/></Relationships>`)
	var book, rels strings.Builder
	fmt.Fprintf(&book, `<?xml version="1.0"?><workbook %s>%s<sheets>`, ns, workbookPr)
	rels.WriteString(`<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`)
	for i, s := range sheets {
		name, data, _ := strings.Cut(s, "=")
		fmt.Fprintf(&book, `<sheet name="%s" sheetId="%d" r:id="rId%d"/>`, name, i+1, i+1)
		fmt.Fprintf(&rels, `<Relationship Id="rId%d" Type="%sworksheet" Target="worksheets/sheet%d.xml"/>`, i+1, rel, i+1)
		add(fmt.Sprintf("xl/worksheets/sheet%d.xml", i+1), `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+"\n"+
			`<worksheet `+ns+`><dimension ref="A1"/><sheetData>`+data+`</sheetData><pageMargins left="0.7"/></worksheet>`)
	}
	if sst != "" {
		fmt.Fprintf(&rels, `<Relationship Id="rId100" Type="%ssharedStrings" Target="sharedStrings.xml"/>`, rel)
		add("xl/sharedStrings.xml", `<?xml version="1.0"?><sst `+ns+`>`+sst+`</sst>`)
	}
	if styles != "" {
		fmt.Fprintf(&rels, `<Relationship Id="rId101" Type="%sstyles" Target="/xl/styles.xml"/>`, rel)
		add("xl/styles.xml", `<?xml version="1.0"?><styleSheet `+ns+`>`+styles+`</styleSheet>`)
	}
	book.WriteString(`</sheets></workbook>`)
	rels.WriteString(`</Relationships>`)
	add("xl/workbook.xml", book.String())
	add("xl/_rels/workbook.xml.rels", rels.String())
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return path
}

// styles: 0 general, 1 built-in date (14), 2 custom date-time, 3 custom
// time, 4 money (2), 5 quoted text that looks like a date format.
const testStyles = `<numFmts count="3"><numFmt numFmtId="164" formatCode="yyyy\-mm\-dd hh:mm:ss"/><numFmt numFmtId="165" formatCode="[h]:mm:ss"/><numFmt numFmtId="166" formatCode="0.0 &quot;days&quot;"/></numFmts>` +
	`<cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs>` +
	`<cellXfs count="6"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="2"/><xf numFmtId="166"/></cellXfs>`

// rowsOfSheet reads a sheet with a source and returns its records as
// json lines (typed values).
func rowsOfSheet(t *testing.T, path string, o Options) []string {
	t.Helper()
	o.Format = "json"
	src, err := New(path, &o)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for c, err := range src.Chunks(context.Background(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, strings.Split(strings.TrimSpace(string(c.Data)), "\n")...)
	}
	return out
}

func TestValues(t *testing.T) {
	sst := `<si><t>name</t></si><si><t>kind</t></si>` +
		`<si><r><rPr><b/></rPr><t>Ri</t></r><r><t xml:space="preserve">ch &amp; bold</t></r><rPh sb="0" eb="1"><t>ignored</t></rPh></si>` +
		`<si><t>line_x000D_break</t></si>`
	data := `<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="inlineStr"><is><t>when</t></is></c><c r="E1"><v>2024</v></c></row>` +
		// shared, rich and escaped strings; a date; a number as a header
		`<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="s"><v>3</v></c><c r="C2" s="1"><v>45658</v></c><c r="E2" s="4"><v>1.5</v></c></row>` +
		// booleans, errors, date-times, a CDATA and entity string
		`<row r="3"><c r="A3" t="b"><v>1</v></c><c r="B3" t="e"><v>#DIV/0!</v></c><c r="C3" s="2"><v>45658.5</v></c><c r="D3" t="inlineStr"><is><t><![CDATA[<raw & text>]]></t></is></c><c r="E3" s="5"><v>2.25</v></c></row>` +
		// row 4 is missing; row 5 has no r attributes, a time, a
		// formula string and a number in scientific notation
		`<row r="5"><c t="str"><f>A5&amp;"x"</f><v>abc</v></c><c s="3"><v>0.25</v></c><c><v>1E-3</v></c><c s="1"><v>45658.25</v></c><c><v>.5</v></c></row>` +
		// a cell right of the header, with a namespace prefix
		`<x:row xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" r="6"><x:c r="G6" t="inlineStr"><x:is><x:t>far</x:t></x:is></x:c></x:row>`
	path := writeXLSX(t, []string{"values=" + data}, sst, testStyles, "")
	got := rowsOfSheet(t, path, Options{})
	want := []string{
		// Values as Excel shows them, formatted by excelize: built-in
		// format 14 is mm-dd-yy, 2 is 0.00, custom codes apply as written.
		`{"name":"Rich \u0026 bold","kind":"line\rbreak","when":"01-01-25","D":null,"2024":1.50,"F":null,"G":null}`,
		`{"name":true,"kind":"#DIV/0!","when":"2025-01-01 12:00:00","D":"\u003craw \u0026 text\u003e","2024":"2.3 days","F":null,"G":null}`,
		`{"name":null,"kind":null,"when":null,"D":null,"2024":null,"F":null,"G":null}`,
		`{"name":"abc","kind":"6:00:00","when":0.001,"D":"01-01-25","2024":0.5,"F":null,"G":null}`,
		`{"name":null,"kind":null,"when":null,"D":null,"2024":null,"F":null,"G":"far"}`,
	}
	if len(got) != len(want) {
		t.Fatalf("got %d records, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("record %d:\n got %s\nwant %s", i+1, got[i], want[i])
		}
	}
}

// TestDate1904: serial 45658 is 2025-01-01 in the 1900 date system and
// 2029-01-02 in the 1904 one.
func TestDate1904(t *testing.T) {
	data := `<row r="1"><c r="A1" t="inlineStr"><is><t>d</t></is></c></row><row r="2"><c r="A2" s="1"><v>45658</v></c></row>`
	path := writeXLSX(t, []string{"s=" + data}, "", testStyles, `<workbookPr date1904="1"/>`)
	if got := rowsOfSheet(t, path, Options{}); len(got) != 1 || got[0] != `{"d":"01-02-29"}` {
		t.Errorf("1904 date: %v", got)
	}
}

func TestSharedFormulas(t *testing.T) {
	data := `<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c><c r="B1" t="inlineStr"><is><t>b</t></is></c><c r="C1" t="inlineStr"><is><t>sum</t></is></c></row>` +
		`<row r="2"><c r="A2"><v>1</v></c><c r="B2"><v>2</v></c><c r="C2"><f t="shared" ref="C2:C4" si="0">A2+B2*$A$1+SUM(A$2:A2)</f><v>3</v></c></row>` +
		`<row r="3"><c r="A3"><v>3</v></c><c r="B3"><v>4</v></c><c r="C3"><f t="shared" si="0"/><v>7</v></c></row>` +
		`<row r="4"><c r="A4"><v>5</v></c><c r="B4"><v>6</v></c><c r="C4"><f t="shared" si="0"/></c></row>` +
		`<row r="5"><c r="A5"><v>7</v></c></row>`
	path := writeXLSX(t, []string{"f=" + data}, "", "", "")
	got := rowsOfSheet(t, path, Options{Formulas: true})
	want := []string{
		`{"a":1,"b":2,"sum":3,"sum.formula":"=A2+B2*$A$1+SUM(A$2:A2)"}`,
		`{"a":3,"b":4,"sum":7,"sum.formula":"=A3+B3*$A$1+SUM(A$2:A3)"}`,
		`{"a":5,"b":6,"sum":null,"sum.formula":"=A4+B4*$A$1+SUM(A$2:A4)"}`,
		`{"a":7,"b":null,"sum":null,"sum.formula":null}`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Without --formulas, the formulas are not read.
	got = rowsOfSheet(t, path, Options{})
	if strings.Contains(strings.Join(got, ""), "formula") {
		t.Errorf("formulas without --formulas: %s", got)
	}
}

func TestTyped(t *testing.T) {
	tests := []struct {
		in   string
		want any
	}{
		{"12", json.Number("12")},
		{"-0.5", json.Number("-0.5")},
		{"19.50", json.Number("19.50")},
		{"1E-3", json.Number("1E-3")},
		{".5", ".5"},
		{"007", "007"},
		{"1,234.00", "1,234.00"},
		{"1 ", "1 "},
		{"TRUE", true},
		{"FALSE", false},
		{"true", "true"},
		{"abc", "abc"},
	}
	for _, tt := range tests {
		if got := typed(tt.in); got != tt.want {
			t.Errorf("typed(%q) = %#v, want %#v", tt.in, got, tt.want)
		}
	}
}

func TestEmptySheets(t *testing.T) {
	path := writeXLSX(t, []string{"empty=", "header=<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>"}, "", "", "")
	if got := rowsOfSheet(t, path, Options{}); len(got) != 0 {
		t.Errorf("empty and header-only sheets gave %v", got)
	}
}

func TestCorruptSheet(t *testing.T) {
	tests := []struct{ data, want string }{
		// What excelize's row reader reports; it does not check the order
		// of rows and cells, nor shared string indexes.
		{`<row r="2000000"></row>`, "row number exceeds maximum limit"},
		{`<row r="1"><c r="1A"><v>1</v></c></row>`, `invalid cell name "1A"`},
	}
	for _, tt := range tests {
		path := writeXLSX(t, []string{"bad=" + tt.data}, "", "", "")
		src, _ := New(path, nil)
		var got error
		for _, err := range src.Chunks(context.Background(), nil) {
			got = err
		}
		if got == nil || !strings.Contains(got.Error(), tt.want) || !strings.Contains(got.Error(), "hand.xlsx") {
			t.Errorf("%s: error %v, want one naming the file and %q", tt.data, got, tt.want)
		}
	}
}

// FuzzTyped: a cell's text typed as a number is a valid JSON number, and
// typing never changes the text a csv chunk shows.
func FuzzTyped(f *testing.F) {
	for _, s := range []string{"12", "-0.5", "1E-3", "007", "1,234.00", "TRUE", "-", "1e", "0.", ".5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		switch v := typed(s).(type) {
		case json.Number:
			if !json.Valid([]byte(s)) || string(v) != s {
				t.Errorf("typed(%q) = json.Number(%q), not valid JSON", s, v)
			}
		case bool:
			if s != "TRUE" && s != "FALSE" {
				t.Errorf("typed(%q) = %t", s, v)
			}
		case string:
			if v != s {
				t.Errorf("typed(%q) = %q", s, v)
			}
		}
	})
}
