package records

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func TestEncode(t *testing.T) {
	header := []string{"id", "name", "note"}
	rows := [][]any{{1, "ann", nil}, {"2", `bo "b"`, "a,b\nc"}}
	tests := []struct {
		format string
		want   string
	}{
		{CSV, "id,name,note\n1,ann,\n2,\"bo \"\"b\"\"\",\"a,b\nc\"\n"},
		{JSON, "{\"id\":1,\"name\":\"ann\",\"note\":null}\n{\"id\":\"2\",\"name\":\"bo \\\"b\\\"\",\"note\":\"a,b\\nc\"}\n"},
		{XML, "<records>\n<record><field name=\"id\">1</field><field name=\"name\">ann</field><field name=\"note\" null=\"true\"/></record>\n<record><field name=\"id\">2</field><field name=\"name\">bo &#34;b&#34;</field><field name=\"note\">a,b&#xA;c</field></record>\n</records>\n"},
	}
	for _, tt := range tests {
		got, err := Encode(tt.format, header, rows)
		if err != nil || string(got) != tt.want {
			t.Errorf("Encode(%s) = %q, %v;\nwant %q", tt.format, got, err, tt.want)
		}
	}
	y, err := Encode(YAML, header, rows)
	if err != nil || !strings.Contains(string(y), "name: ann") {
		t.Errorf("Encode(yaml) = %s, %v", y, err)
	}
	// csv and json read back.
	c, _ := Encode(CSV, header, rows)
	recs, err := csv.NewReader(strings.NewReader(string(c))).ReadAll()
	if err != nil || len(recs) != 3 || recs[2][2] != "a,b\nc" {
		t.Errorf("csv read back %q, %v", recs, err)
	}
	j, _ := Encode(JSON, header, rows)
	for _, line := range strings.Split(strings.TrimSpace(string(j)), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Errorf("json line %q: %v", line, err)
		}
	}
}

func TestExclude(t *testing.T) {
	header := []string{"id", "email", "name"}
	tests := []struct {
		exclude []string
		want    string
		err     bool
	}{
		{nil, "[0 1 2]", false},
		{[]string{"email"}, "[0 2]", false},
		{[]string{"B"}, "[0 2]", false},
		{[]string{"A", "name"}, "[1]", false},
		{[]string{"nope"}, "", true},
	}
	for _, tt := range tests {
		keep, err := Exclude(header, tt.exclude)
		if (err != nil) != tt.err || (!tt.err && fmt.Sprint(keep) != tt.want) {
			t.Errorf("Exclude(%v) = %v, %v; want %s", tt.exclude, keep, err, tt.want)
		}
	}
}

// TestYAMLRoundTrip: every string comes back from YAML as it went in.
// Tabs, carriage returns and edge spaces once came back changed or gone,
// as go-yaml writes them into plain and literal scalars unescaped.
func TestYAMLRoundTrip(t *testing.T) {
	for _, v := range []string{
		"yaml\ttab", "a\tb c", "\tlead", "trail\t", "a\r\nb", "multi\nline", "a\n", "a\n\n", " a\nb", "a \nb",
		"x: y", "- a", "#hash", "  spaced  ", `a\tb`, "é", "'q'", `"dq"`, "null", "yes", "0x10", "1e3",
		"\x00z", "\x7f", "tab\tand\nline",
	} {
		b, err := Encode(YAML, []string{"f"}, [][]any{{v}})
		if err != nil {
			t.Fatal(err)
		}
		tab, err := Decode(ContentType(YAML), b)
		if err != nil {
			t.Errorf("%q: %v\n%s", v, err, b)
			continue
		}
		if got := fmt.Sprint(tab.Rows[0][0]); got != v {
			t.Errorf("%q came back as %q (%T); the YAML:\n%s", v, got, tab.Rows[0][0], b)
		}
	}
}
