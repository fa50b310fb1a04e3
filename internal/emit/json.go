package emit

import (
	"fmt"
	"io"
)

// JSON writes the rows o asks for as JSON lines: one object per row, keyed
// by the kind's column names, with numbers as numbers. Bytes bounds the
// output as for CSV. With OddTimes a row's timestamps may also sit under
// "meta" or under the key "ts" (see jsonPlace).
func JSON(w io.Writer, o Options) error {
	o, err := o.withDefaults()
	if err != nil {
		return fmt.Errorf("json: %w", err)
	}
	if err := writeLines(w, o, newJSONFormat(o.Kind)); err != nil {
		return fmt.Errorf("json: %w", err)
	}
	return nil
}

// jsonPlace is where a JSON row holds its timestamps.
type jsonPlace uint8

const (
	placeColumn jsonPlace = iota // {"created_at": ...}, as the column is named
	placeMeta                    // {"meta": {"created_at": ...}}, nested
	placeTS                      // {"ts": ...}, under another key
	jsonPlaces  = 3
)

type jsonFormat struct {
	keys [][]byte // `"order_id":` for each column
}

func newJSONFormat(k Kind) jsonFormat {
	var f jsonFormat
	for _, c := range k.Columns() {
		f.keys = append(f.keys, append(appendJSONString(nil, []byte(c)), ':'))
	}
	return f
}

func (jsonFormat) appendHeader(b []byte) []byte { return b }

func (f jsonFormat) appendRow(b []byte, r *row) []byte {
	b = append(b, '{')
	first := true
	nested := false
	for i, v := range r.vals {
		if v.kind == timeValue && r.place == placeMeta {
			nested = true
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		if v.kind == timeValue && r.place == placeTS {
			b = append(b, `"ts":`...)
		} else {
			b = append(b, f.keys[i]...)
		}
		b = r.appendJSON(b, v)
	}
	if nested {
		b = append(b, `,"meta":{`...)
		first = true
		for i, v := range r.vals {
			if v.kind != timeValue {
				continue
			}
			if !first {
				b = append(b, ',')
			}
			first = false
			b = append(b, f.keys[i]...)
			b = r.appendJSON(b, v)
		}
		b = append(b, '}')
	}
	return append(b, '}', '\n')
}

func (r *row) appendJSON(b []byte, v value) []byte {
	switch v.kind {
	case intValue, centsValue:
		return r.appendPlain(b, v)
	case timeValue:
		if v.style.isNumeric() {
			return r.appendPlain(b, v)
		}
	case textValue:
		return appendJSONString(b, r.text(v))
	}
	b = append(b, '"')
	b = r.appendPlain(b, v)
	return append(b, '"')
}

// appendJSONString appends s as a JSON string. s is valid UTF-8, as all
// generated text is.
func appendJSONString(b, s []byte) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for len(s) > 0 {
		c := s[0]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
		s = s[1:]
	}
	return append(b, '"')
}
