package chain_test

import (
	"encoding/json"
	"unicode/utf8"
)

func validObject(s string) bool {
	var m map[string]any
	return utf8.ValidString(s) && json.Unmarshal([]byte(s), &m) == nil
}
