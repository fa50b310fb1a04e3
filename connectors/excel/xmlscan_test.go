package excel

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"testing"
)

// tokens renders what the scanner reads, one token per line.
func tokens(doc string) (string, error) {
	s := newScanner(strings.NewReader(doc))
	var b strings.Builder
	for {
		k, err := s.next()
		if err == io.EOF {
			return b.String(), nil
		}
		if err != nil {
			return b.String(), err
		}
		switch k {
		case tokStart:
			fmt.Fprintf(&b, "<%s", s.name)
			for _, a := range s.attrs {
				fmt.Fprintf(&b, " %s=%q", a.name, appendUnescaped(nil, a.value))
			}
			b.WriteString(">\n")
		case tokEnd:
			fmt.Fprintf(&b, "</%s>\n", s.name)
		case tokText:
			if s.raw {
				fmt.Fprintf(&b, "cdata %q\n", s.text)
			} else {
				fmt.Fprintf(&b, "text %q\n", appendUnescaped(nil, s.text))
			}
		}
	}
}

func TestScanner(t *testing.T) {
	tests := []struct{ doc, want string }{
		{`<?xml version="1.0"?><a x="1" y='2'>hi</a>`, "<a x=\"1\" y=\"2\">\ntext \"hi\"\n</a>\n"},
		{`<p:a p:x = "a&gt;b&amp;&#65;&#x42;" /><b/>`, "<a x=\"a>b&AB\">\n</a>\n<b>\n</b>\n"},
		{`<a><!-- <b> --><![CDATA[<c> & d]]></a>`, "<a>\ncdata \"<c> & d\"\n</a>\n"},
		{`<!DOCTYPE a><a>x&lt;y&unknown;z&#1114112;</a>`, "<a>\ntext \"x<y&unknown;z&#1114112;\"\n</a>\n"},
		{"<a>1\r\n2\r3</a>", "<a>\ntext \"1\\n2\\n3\"\n</a>\n"},
		{`<a attr="x>y"/>`, "<a attr=\"x>y\">\n</a>\n"},
		{"trailing text", "text \"trailing text\"\n"},
	}
	for _, tt := range tests {
		got, err := tokens(tt.doc)
		if err != nil || got != tt.want {
			t.Errorf("%s:\n got %q, %v\nwant %q", tt.doc, got, err, tt.want)
		}
	}
	for _, bad := range []string{`<a`, `<a x=1>`, `<a x>`, `<a/x>`, `<![CDATA[x`, `<!-- x`, `<>`} {
		if _, err := tokens(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// TestScannerLongTokens crosses the reader's buffer with long text and
// attribute values.
func TestScannerLongTokens(t *testing.T) {
	long := strings.Repeat("x", 200<<10)
	doc := `<a v="` + long + `">` + long + `<![CDATA[` + long + `]]></a>`
	got, err := tokens(doc)
	want := fmt.Sprintf("<a v=%q>\ntext %q\ncdata %q\n</a>\n", long, long, long)
	if err != nil || got != want {
		t.Errorf("long tokens: %v; got %d bytes, want %d", err, len(got), len(want))
	}
}

func TestAppendOOXML(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a_x000D_b", "a\rb"},
		{"_x0009_", "\t"},
		{"_x005F_x000D_", "_x000D_"},
		{"_xZZZZ_", "_xZZZZ_"},
		{"x_", "x_"},
	}
	for _, tt := range tests {
		if got := string(appendOOXML(nil, []byte(tt.in))); got != tt.want {
			t.Errorf("appendOOXML(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRowScan(t *testing.T) {
	data := `<row r="1"><c r="A1"><v>1</v></c></row><row><c><v>2</v></c></row><x:row spans="1:2" r = '7'></x:row><rows/><rowBreaks/>`
	path := writeXLSX(t, []string{"s=" + data}, "", "", "")
	wb, err := openWorkbook(path, "")
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	if n, err := wb.lastRow(wb.sheets[0]); n != 7 || err != nil {
		t.Errorf("lastRow = %d, %v; want 7", n, err)
	}
}

// FuzzScanner checks that any input ends (no panic, no endless loop) and
// that well-formed documents give the same elements and text as
// encoding/xml.
func FuzzScanner(f *testing.F) {
	for _, s := range []string{
		`<a x="1">t</a>`, `<a><b/><![CDATA[x]]><!--c--></a>`, `<?xml version="1.0"?><r:a r:b="&amp;">&#65;</r:a>`,
		`<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData>`, `<a`, `<a x='`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		got, err := mergedTokens(doc)
		if err != nil {
			return
		}
		want, ok := stdTokens(doc)
		if ok && got != want {
			t.Errorf("%q:\n got %q\nwant %q", doc, got, want)
		}
	})
}

// mergedTokens renders doc as stdTokens does: text and CDATA merged.
func mergedTokens(doc string) (string, error) {
	s := newScanner(strings.NewReader(doc))
	var b strings.Builder
	var text []byte
	flush := func() {
		if len(text) > 0 {
			fmt.Fprintf(&b, "text %q\n", text)
			text = text[:0]
		}
	}
	for {
		k, err := s.next()
		if err == io.EOF {
			flush()
			return b.String(), nil
		}
		if err != nil {
			return "", err
		}
		switch k {
		case tokStart:
			flush()
			fmt.Fprintf(&b, "<%s", s.name)
			for _, a := range s.attrs {
				fmt.Fprintf(&b, " %s=%q", a.name, appendUnescaped(nil, a.value))
			}
			b.WriteString(">\n")
		case tokEnd:
			flush()
			fmt.Fprintf(&b, "</%s>\n", s.name)
		case tokText:
			if s.raw {
				text = append(text, s.text...)
			} else {
				text = appendUnescaped(text, s.text)
			}
		}
	}
}

// stdTokens renders doc as tokens does, with encoding/xml; ok is false
// when encoding/xml rejects it or reads it in a way the scanner does not
// aim to match (namespaced attributes, entities in DOCTYPE, ...).
func stdTokens(doc string) (string, bool) {
	d := xml.NewDecoder(strings.NewReader(doc))
	d.Strict = true
	var b strings.Builder
	var text []byte
	flush := func() {
		if len(text) > 0 {
			fmt.Fprintf(&b, "text %q\n", text)
			text = text[:0]
		}
	}
	depth := 0
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			flush()
			return b.String(), depth == 0
		}
		if err != nil {
			return "", false
		}
		switch x := tok.(type) {
		case xml.StartElement:
			flush()
			depth++
			fmt.Fprintf(&b, "<%s", x.Name.Local)
			for _, a := range x.Attr {
				fmt.Fprintf(&b, " %s=%q", a.Name.Local, a.Value)
			}
			b.WriteString(">\n")
		case xml.EndElement:
			flush()
			depth--
			fmt.Fprintf(&b, "</%s>\n", x.Name.Local)
		case xml.CharData:
			text = append(text, x...)
		case xml.Directive, xml.ProcInst, xml.Comment:
			if bytes.ContainsAny(tokBytes(x), "<>") {
				return "", false
			}
		}
	}
}

func tokBytes(t xml.Token) []byte {
	switch x := t.(type) {
	case xml.Directive:
		return x
	case xml.Comment:
		return x
	}
	return nil
}

// FuzzSheetRows reads arbitrary sheet XML: it must end without a panic,
// and when it reads cleanly, the quick row scan must agree on the last row.
func FuzzSheetRows(f *testing.F) {
	for _, s := range []string{
		`<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" s="1"><v>45000.5</v></c></row><row><c><f t="shared" ref="A2:A3" si="0">A1+1</f><v>2</v></c></row><row><c><f t="shared" si="0"/></c></row></sheetData>`,
		`<sheetData><row r="3"><c r="C3" t="inlineStr"><is><r><t>a</t></r><rPh><t>b</t></rPh></is></c></row></sheetData>`,
		`<sheetData><row r="1"><c r="A1" t="b"><v>1</v></c><c t="e"><v>#N/A</v></c></row>`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		wb := &workbook{sst: []string{"a", "b"}, sstRead: true, styles: []numFmt{fmtNumber, fmtDate, fmtTime}}
		r := &sheetReader{wb: wb, name: "fuzz", rc: io.NopCloser(nil), s: newScanner(strings.NewReader(doc)), formulas: true}
		last := 0
		for {
			n, cells, err := r.next()
			if err == io.EOF {
				break
			}
			if err != nil {
				return
			}
			for i, c := range cells {
				if i > 0 && c.col <= cells[i-1].col {
					t.Fatalf("row %d: columns out of order: %v", n, cells)
				}
			}
			last = n
		}
		if strings.Contains(doc, "<!") || strings.Contains(doc, "<?") || !strings.Contains(doc, "</sheetData>") {
			return // comments, CDATA or a document cut short: the scan may differ
		}
		before, _, _ := strings.Cut(doc, "</sheetData>")
		if got, err := lastRowOf(strings.NewReader(before)); err != nil || got != last {
			t.Errorf("lastRowOf = %d, %v; rows read to %d", got, err, last)
		}
	})
}
