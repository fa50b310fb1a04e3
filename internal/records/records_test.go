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

// TestYAMLNumbers: numbers (json.Number, as connectors give them) are
// written plain in YAML and read back as numbers, in a form YAML 1.1
// readers take for a number too; strings that look like numbers stay
// strings.
func TestYAMLNumbers(t *testing.T) {
	tests := []struct {
		in   any
		yaml string
		back any
	}{
		{json.Number("42"), "f: 42\n", uint64(42)},
		{json.Number("-7"), "f: -7\n", int64(-7)},
		{json.Number("18446744073709551615"), "f: 18446744073709551615\n", uint64(18446744073709551615)},
		{json.Number("1.5"), "f: 1.5\n", 1.5},
		{json.Number("4.219218196852704e-06"), "f: 4.219218196852704e-06\n", 4.219218196852704e-06},
		{json.Number("1e+20"), "f: 1.0e+20\n", 1e20},
		{json.Number("2E5"), "f: 2.0e+5\n", 2e5},
		{"42", "f: \"42\"\n", "42"},
		{"1e+20", "f: \"1e+20\"\n", "1e+20"},
		{true, "f: true\n", true},
		{"true", "f: \"true\"\n", "true"},
		{"on", "f: \"on\"\n", "on"},
		{"0o17", "f: \"0o17\"\n", "0o17"},
		{"", "f: \"\"\n", ""},
		{"12:30", "f: \"12:30\"\n", "12:30"},
		{"word", "f: word\n", "word"},
		{nil, "f: null\n", nil},
	}
	for _, tt := range tests {
		b, err := Encode(YAML, []string{"f"}, [][]any{{tt.in}})
		if err != nil {
			t.Fatalf("Encode(%#v): %v", tt.in, err)
		}
		if got := strings.TrimPrefix(string(b), "- "); got != tt.yaml {
			t.Errorf("Encode(%#v) = %q; want %q", tt.in, got, tt.yaml)
		}
		tab, err := Decode(ContentType(YAML), b)
		if err != nil {
			t.Fatalf("Decode(%q): %v", b, err)
		}
		if g := tab.Rows[0][0]; fmt.Sprintf("%T %v", g, g) != fmt.Sprintf("%T %v", tt.back, tt.back) {
			t.Errorf("%#v read back as %T %v; want %T %v", tt.in, g, g, tt.back, tt.back)
		}
	}
}
