package oracle

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
)

// Kind is the type a column's values read as.
type Kind int

const (
	// Unknown columns hold only nulls so far.
	Unknown Kind = iota
	Int
	Float
	Bool
	String
)

// Column is a field of the records with the kind of its values.
type Column struct {
	Name string
	Kind Kind
	// MaxLen is the longest value's length in bytes (strings).
	MaxLen int
	Key    bool
}

// InferColumns returns the columns of the row sets, in order of first
// appearance, with the narrowest kind every value fits.
func InferColumns(sets []RowSet, key []string) []Column {
	idx := map[string]int{}
	var cols []Column
	for _, s := range sets {
		for j, name := range s.Columns {
			i, ok := idx[name]
			if !ok {
				i = len(cols)
				idx[name] = i
				cols = append(cols, Column{Name: name, Key: slices.Contains(key, name)})
			}
			c := &cols[i]
			for _, r := range s.Rows {
				k, n := kindOf(r[j])
				c.Kind = widen(c.Kind, k)
				c.MaxLen = max(c.MaxLen, n)
			}
		}
	}
	return cols
}

func widen(a, b Kind) Kind {
	switch {
	case a == Unknown:
		return b
	case b == Unknown || a == b:
		return a
	case (a == Int && b == Float) || (a == Float && b == Int):
		return Float
	}
	return String
}

func kindOf(v any) (Kind, int) {
	switch x := v.(type) {
	case nil:
		return Unknown, 0
	case bool:
		return Bool, 5
	case int, int64, int32, uint64, uint32:
		return Int, 20
	case float64, float32:
		return Float, 24
	case json.Number:
		return kindOfString(string(x))
	case string:
		return kindOfString(x)
	}
	return String, len(fmt.Sprint(v))
}

func kindOfString(s string) (Kind, int) {
	switch Value(s).(type) {
	case int:
		if _, err := strconv.ParseInt(s, 10, 64); err == nil && (len(s) < 2 || s[0] != '0') {
			return Int, len(s)
		}
	case float64:
		return Float, len(s)
	}
	return String, len(s)
}
