package records

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/token"
)

// encodeYAML writes rows as a YAML sequence of mappings, go-yaml's bytes
// for the whole document (FuzzEncodeYAML holds it to them), row by row.
// A row whose values all have a form known here (null, booleans, JSON
// numbers, strings on one line) is written directly: each key as go-yaml
// writes it, a string quoted where go-yaml's own test says so (plain
// words skip the test). Any other row goes through go-yaml alone, as a
// document of one row, which is that row's part of the whole. go-yaml
// spends most of its time deciding how to quote each string (it tries
// several time layouts on every one) and parsing back what a MarshalYAML
// returns: 16 MiB of CSV took 5 s as YAML, against 0.3 s as JSON lines.
func encodeYAML(header []string, rows [][]any) ([]byte, error) {
	if len(rows) == 0 || len(header) == 0 {
		return marshalYAML(header, rows)
	}
	keys := make([][]byte, len(header)) // "key: " as go-yaml writes it
	for i, h := range header {
		k, err := marshalYAML([]string{h}, [][]any{{nil}})
		if err != nil {
			return nil, err
		}
		k, pre := bytes.CutPrefix(k, []byte("- "))
		k, suf := bytes.CutSuffix(k, []byte("null\n"))
		if !pre || !suf || bytes.IndexByte(k, '\n') >= 0 {
			return marshalYAML(header, rows) // a key go-yaml writes otherwise
		}
		keys[i] = k
	}
	var b []byte
	for _, r := range rows {
		start := len(b)
		ok := true
		for i, k := range keys {
			if i == 0 {
				b = append(b, '-', ' ')
			} else {
				b = append(b, ' ', ' ')
			}
			b = append(b, k...)
			var v any
			if i < len(r) {
				v = r[i]
			}
			if b, ok = appendYAMLScalar(b, v); !ok {
				break
			}
			b = append(b, '\n')
		}
		if !ok {
			one, err := marshalYAML(header, [][]any{r})
			if err != nil {
				return nil, err
			}
			b = append(b[:start], one...)
		}
	}
	return b, nil
}

// marshalYAML is go-yaml's document of the rows.
func marshalYAML(header []string, rows [][]any) ([]byte, error) {
	doc := make([]yaml.MapSlice, 0, len(rows))
	for _, r := range rows {
		m := make(yaml.MapSlice, 0, len(header))
		for i, h := range header {
			var v any
			if i < len(r) {
				v = yamlValue(r[i])
			}
			m = append(m, yaml.MapItem{Key: h, Value: v})
		}
		doc = append(doc, m)
	}
	return yaml.Marshal(doc)
}

// appendYAMLScalar appends v as marshalYAML writes it, when its form is
// one known here; false otherwise.
func appendYAMLScalar(b []byte, v any) ([]byte, bool) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), true
	case bool:
		if x {
			return append(b, "true"...), true
		}
		return append(b, "false"...), true
	case json.Number:
		if !IsNumber(x) {
			return b, false
		}
		n, _ := yamlNumber(x).MarshalYAML()
		return append(b, n...), true
	case string:
		if needsQuotes(x) || looksTyped(x) {
			// quoted: a JSON string, which is the string in quotes when
			// nothing in it is escaped.
			if !quotesAsIs(x) {
				return b, false
			}
			b = append(b, '"')
			b = append(b, x...)
			return append(b, '"'), true
		}
		switch {
		case plainWord(x):
			return append(b, x...), true
		case strings.ContainsAny(x, "\n\r"):
			return b, false // a literal block: go-yaml's to write
		case token.IsNeedQuoted(x): // what go-yaml asks of a string, and then quotes it so
			return strconv.AppendQuote(b, x), true
		}
		return append(b, x...), true
	}
	return b, false
}

// quotesAsIs reports whether s is printable ASCII that JSON writes
// without an escape.
func quotesAsIs(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}

// plainWord reports whether s is words that go-yaml writes plain, as they
// are (see its token.IsNeedQuoted): it starts with a letter, holds
// letters, digits, spaces and the marks . _ - / only, no "- ", and does
// not end with a space. (The words go-yaml would take for a keyword are
// looksTyped, and quoted before this.)
func plainWord(s string) bool {
	if s == "" || !isLetter(s[0]) || s[len(s)-1] == ' ' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case isLetter(c), c >= '0' && c <= '9', c == ' ', c == '.', c == '_', c == '/':
		case c == '-' && (i+1 == len(s) || s[i+1] != ' '):
		default:
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
