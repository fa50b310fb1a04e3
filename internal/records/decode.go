package records

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"

	"github.com/goccy/go-yaml"
)

// Table is decoded records: a header naming the fields in the order they
// first appear, and rows of values aligned with it. A value is nil where a
// record lacks the field (or, in csv, where the field is empty); csv and
// xml give strings, json lines and yaml give their own types (numbers as
// json.Number in json lines).
type Table struct {
	Header []string
	Rows   [][]any
}

// ErrUnknownType is returned by Decode for a content type it cannot read.
var ErrUnknownType = errors.New("records: not a records content type")

// FormatOf returns the format (CSV, JSON, YAML, XML) of a content type, or
// "" when records cannot be read from it. Parameters such as charset are
// ignored.
func FormatOf(contentType string) string {
	t, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		t = strings.ToLower(strings.TrimSpace(contentType))
	}
	switch t {
	case "text/csv", "application/csv":
		return CSV
	case "application/x-ndjson", "application/jsonl", "application/json-lines", "application/json":
		return JSON
	case "application/yaml", "application/x-yaml", "text/yaml":
		return YAML
	case "application/xml", "text/xml":
		return XML
	}
	return ""
}

// Decode reads the records of an asset of the given content type, as
// Encode wrote them. It returns an error matching ErrUnknownType for a
// type that holds no records.
func Decode(contentType string, data []byte) (Table, error) {
	switch FormatOf(contentType) {
	case CSV:
		return decodeCSV(data)
	case JSON:
		return decodeJSON(data)
	case YAML:
		return decodeYAML(data)
	case XML:
		return decodeXML(data)
	}
	return Table{}, fmt.Errorf("%w: %q", ErrUnknownType, contentType)
}

func decodeCSV(data []byte) (Table, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	var t Table
	head, err := r.Read()
	if err == io.EOF {
		return t, nil
	}
	if err != nil {
		return t, fmt.Errorf("records: csv header: %w", err)
	}
	t.Header = append([]string(nil), head...)
	if len(t.Header) > 0 {
		t.Header[0] = strings.TrimPrefix(t.Header[0], "\ufeff")
	}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			return t, nil
		}
		if err != nil {
			return t, fmt.Errorf("records: csv: %w", err)
		}
		if len(rec) > len(t.Header) {
			return t, fmt.Errorf("records: csv record %d: %d fields, header has %d", line-1, len(rec), len(t.Header))
		}
		row := make([]any, len(t.Header))
		for i, v := range rec {
			if v != "" {
				row[i] = v
			}
		}
		t.Rows = append(t.Rows, row)
	}
}

// builder collects records whose fields come in any order.
type builder struct {
	t   Table
	idx map[string]int
}

func (b *builder) add(keys []string, vals []any) {
	if b.idx == nil {
		b.idx = map[string]int{}
	}
	row := make([]any, len(b.t.Header), len(b.t.Header)+len(keys))
	for i, k := range keys {
		j, ok := b.idx[k]
		if !ok {
			j = len(b.t.Header)
			b.idx[k] = j
			b.t.Header = append(b.t.Header, k)
		}
		for len(row) <= j {
			row = append(row, nil)
		}
		row[j] = vals[i]
	}
	b.t.Rows = append(b.t.Rows, row)
}

// table pads every row to the full header.
func (b *builder) table() Table {
	for i, r := range b.t.Rows {
		for len(r) < len(b.t.Header) {
			r = append(r, nil)
		}
		b.t.Rows[i] = r
	}
	return b.t
}

func decodeJSON(data []byte) (Table, error) {
	var b builder
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	for n := 1; ; n++ {
		tok, err := dec.Token()
		if err == io.EOF {
			return b.table(), nil
		}
		if err != nil {
			return Table{}, fmt.Errorf("records: json record %d: %w", n, err)
		}
		if d, ok := tok.(json.Delim); !ok || d != '{' {
			return Table{}, fmt.Errorf("records: json record %d: want an object, got %v", n, tok)
		}
		var keys []string
		var vals []any
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return Table{}, fmt.Errorf("records: json record %d: %w", n, err)
			}
			var v any
			if err := dec.Decode(&v); err != nil {
				return Table{}, fmt.Errorf("records: json record %d field %v: %w", n, kt, err)
			}
			keys = append(keys, kt.(string))
			vals = append(vals, v)
		}
		if _, err := dec.Token(); err != nil {
			return Table{}, fmt.Errorf("records: json record %d: %w", n, err)
		}
		b.add(keys, vals)
	}
}

func decodeYAML(data []byte) (Table, error) {
	var docs []yaml.MapSlice
	if err := yaml.UnmarshalWithOptions(data, &docs, yaml.UseOrderedMap()); err != nil {
		return Table{}, fmt.Errorf("records: yaml: %w", err)
	}
	var b builder
	for _, d := range docs {
		keys := make([]string, 0, len(d))
		vals := make([]any, 0, len(d))
		for _, it := range d {
			keys = append(keys, fmt.Sprint(it.Key))
			vals = append(vals, it.Value)
		}
		b.add(keys, vals)
	}
	return b.table(), nil
}

type xmlField struct {
	Name  string `xml:"name,attr"`
	Null  bool   `xml:"null,attr"`
	Value string `xml:",chardata"`
}

type xmlRecord struct {
	Fields []xmlField `xml:"field"`
}

func decodeXML(data []byte) (Table, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	var b builder
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return b.table(), nil
		}
		if err != nil {
			return Table{}, fmt.Errorf("records: xml: %w", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "record" {
			continue
		}
		var rec xmlRecord
		if err := dec.DecodeElement(&rec, &se); err != nil {
			return Table{}, fmt.Errorf("records: xml record %d: %w", len(b.t.Rows)+1, err)
		}
		keys := make([]string, 0, len(rec.Fields))
		vals := make([]any, 0, len(rec.Fields))
		for _, f := range rec.Fields {
			keys = append(keys, f.Name)
			if f.Null {
				vals = append(vals, nil)
			} else {
				vals = append(vals, f.Value)
			}
		}
		b.add(keys, vals)
	}
}
