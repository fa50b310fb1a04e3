// Package records encodes tables of records in the formats connectors
// write (--format): csv with a header line, json lines, yaml and xml, and
// applies --exclude to a header. Connectors share it; oracles decode what
// it wrote.
package records

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Formats and their content types.
const (
	CSV  = "csv"
	JSON = "json"
	YAML = "yaml"
	XML  = "xml"
)

// ContentType returns the MIME type of a format.
func ContentType(format string) string {
	switch format {
	case CSV:
		return "text/csv"
	case JSON:
		return "application/x-ndjson"
	case YAML:
		return "application/yaml"
	case XML:
		return "application/xml"
	}
	return "application/octet-stream"
}

// CheckFormat validates a --format value; "" is the source's own.
func CheckFormat(f string) error {
	switch f {
	case "", CSV, JSON, YAML, XML:
		return nil
	}
	return fmt.Errorf("--format %q: want csv, json, yaml or xml", f)
}

// Encode writes a header and rows in format. Values may be nil (null),
// strings, booleans, numbers, json.Number or json.RawMessage; in csv,
// nil is an empty field.
func Encode(format string, header []string, rows [][]any) ([]byte, error) {
	var b bytes.Buffer
	switch format {
	case CSV:
		return encodeCSV(header, rows), nil
	case JSON:
		return encodeJSON(header, rows)
	case YAML:
		return encodeYAML(header, rows)
	case XML:
		b.WriteString("<records>\n")
		for _, r := range rows {
			b.WriteString("<record>")
			for i, h := range header {
				b.WriteString(`<field name="`)
				xml.EscapeText(&b, []byte(h))
				if i >= len(r) || r[i] == nil {
					b.WriteString(`" null="true"/>`)
					continue
				}
				b.WriteString(`">`)
				xml.EscapeText(&b, []byte(text(r[i])))
				b.WriteString("</field>")
			}
			b.WriteString("</record>\n")
		}
		b.WriteString("</records>\n")
		return b.Bytes(), nil
	}
	return nil, fmt.Errorf("records: unknown format %q", format)
}

func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return string(x)
	case json.RawMessage:
		return string(x)
	case bool:
		return strconv.FormatBool(x)
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}

func yamlValue(v any) any {
	switch x := v.(type) {
	case string:
		if needsQuotes(x) || looksTyped(x) {
			return quoted(x)
		}
	case json.Number:
		return yamlNumber(x)
	case json.RawMessage:
		var out any
		if json.Unmarshal(x, &out) == nil {
			return out
		}
		return string(x)
	}
	return v
}

// yamlNumber is a number that YAML writes plain, so that it reads back as
// a number: a json.Number as a string would be quoted ("42"), and read
// back as a string.
type yamlNumber json.Number

// MarshalYAML writes n as a YAML number that YAML 1.1 and 1.2 readers
// alike take for one. An integer is written as it is. A float is written
// with a point in its mantissa and a sign in its exponent (1e+20 becomes
// 1.0e+20, 4e-7 becomes 4.0e-7, 2E5 becomes 2.0e+5): YAML 1.1 resolves
// an exponent without them as a string. The digits are never changed.
func (n yamlNumber) MarshalYAML() ([]byte, error) {
	s := string(n)
	if !IsNumber(s) {
		return json.Marshal(s) // not a number after all: keep it, as a string
	}
	e := strings.IndexAny(s, "eE")
	if e < 0 {
		return []byte(s), nil
	}
	mant, exp := s[:e], s[e+1:]
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	if exp[0] != '+' && exp[0] != '-' {
		exp = "+" + exp
	}
	return []byte(mant + "e" + exp), nil
}

// yamlTyped matches the plain scalars that some YAML reader (1.1 or 1.2)
// resolves to a number, a boolean or null; go-yaml leaves a few of them
// unquoted (1e+20, 0o17, on), which another reader would then take for
// a number or a boolean.
var yamlTyped = regexp.MustCompile(`^(?i:[-+]?(\.[0-9_]+|[0-9][0-9_:]*(\.[0-9_]*)?)([e][-+]?[0-9]+)?|0x[0-9a-f_]+|0o[0-7]+|0b[01_]+|[-+]?\.inf|\.nan|y|n|yes|no|on|off|true|false|null|~)$`)

// looksTyped reports whether a plain scalar s would not read back as a
// string everywhere.
func looksTyped(s string) bool { return s == "" || yamlTyped.MatchString(s) }

// quoted is a string that YAML must write double-quoted, with escapes:
// go-yaml writes tabs and carriage returns as they are into plain and
// literal scalars, where a reader loses them.
type quoted string

// MarshalYAML writes q as a JSON string, which is a YAML double-quoted
// scalar with the same escapes.
func (q quoted) MarshalYAML() ([]byte, error) { return json.Marshal(string(q)) }

// needsQuotes reports whether s holds a control character other than a
// line feed (which literal scalars keep), or starts or ends with a space.
func needsQuotes(s string) bool {
	if s != "" && (s[0] == ' ' || s[len(s)-1] == ' ') {
		return true
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\n' || c == 0x7f {
			return true
		}
	}
	return false
}

// Exclude returns the indexes of header columns to keep after dropping
// those named in exclude, by header name or by spreadsheet column letter
// (A, B, ..., AA). A name that matches nothing is an error, so a typo does
// not silently capture a column meant to be dropped.
func Exclude(header []string, exclude []string) ([]int, error) {
	drop := make(map[int]bool, len(exclude))
	for _, e := range exclude {
		found := false
		for i, h := range header {
			if h == e {
				drop[i], found = true, true
			}
		}
		if !found {
			if i, ok := columnIndex(e); ok && i < len(header) {
				drop[i], found = true, true
			}
		}
		if !found {
			return nil, fmt.Errorf("--exclude %q: no such column (columns: %s)", e, strings.Join(header, ", "))
		}
	}
	keep := make([]int, 0, len(header))
	for i := range header {
		if !drop[i] {
			keep = append(keep, i)
		}
	}
	return keep, nil
}

// columnIndex reads a column letter ("A" is 0, "AA" is 26).
func columnIndex(s string) (int, bool) {
	if s == "" || len(s) > 3 {
		return 0, false
	}
	n := 0
	for _, c := range s {
		if c < 'A' || c > 'Z' {
			return 0, false
		}
		n = n*26 + int(c-'A'+1)
	}
	return n - 1, true
}

// Pick returns the elements of s at the indexes keep.
func Pick[T any](s []T, keep []int) []T {
	out := make([]T, 0, len(keep))
	for _, i := range keep {
		if i < len(s) {
			out = append(out, s[i])
		}
	}
	return out
}
