package sql_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/blockhub/blockhub/connectors"
	"github.com/blockhub/blockhub/connectors/connectortest"
	sqlconn "github.com/blockhub/blockhub/connectors/sql"
	"github.com/blockhub/blockhub/internal/records"
)

// TestFormatsKeepTypes imports one row of every kind of column from
// MariaDB in each --format and reads the asset back as a reader of that
// format would: json and yaml keep numbers as numbers, NULL as null and
// strings as strings (even "42" and "true"); decimals stay exact strings;
// doubles are Go's shortest spelling of the server's value; csv and xml
// carry the same text, NULL as an empty csv field and null="true" in xml.
func TestFormatsKeepTypes(t *testing.T) {
	u, _ := freshDB(t,
		"CREATE TABLE kinds (id INT PRIMARY KEY, neg BIGINT, ubig BIGINT UNSIGNED, small DOUBLE, huge DOUBLE, fl FLOAT,"+
			" price DECIMAL(10,2), flag BOOLEAN, digits VARCHAR(8), word VARCHAR(8), nothing INT NULL, dt DATETIME, d DATE)",
		"INSERT INTO kinds VALUES (1, -9223372036854775808, 18446744073709551615, 4.219218196852704e-6, 1e20, -0.25,"+
			" 12.50, TRUE, '42', 'true', NULL, '2026-01-02 03:04:05', '2026-01-02')",
	)
	cols := []string{"id", "neg", "ubig", "small", "huge", "fl", "price", "flag", "digits", "word", "nothing", "dt", "d"}
	text := []string{"1", "-9223372036854775808", "18446744073709551615", "4.219218196852704e-06", "1e+20", "-0.25",
		"12.50", "1", "42", "true", "", "2026-01-02T03:04:05Z", "2026-01-02"}
	n := func(s string) json.Number { return json.Number(s) }
	want := map[string][]any{
		"json": {n("1"), n("-9223372036854775808"), n("18446744073709551615"), n("4.219218196852704e-06"), n("1e+20"), n("-0.25"),
			"12.50", n("1"), "42", "true", nil, "2026-01-02T03:04:05Z", "2026-01-02"},
		"yaml": {uint64(1), int64(-9223372036854775808), uint64(18446744073709551615), 4.219218196852704e-06, 1e20, -0.25,
			"12.50", uint64(1), "42", "true", nil, "2026-01-02T03:04:05Z", "2026-01-02"},
	}
	for _, f := range []string{"xml", "csv"} {
		for _, s := range text {
			want[f] = append(want[f], s)
		}
	}
	want["xml"][10], want["csv"][10] = nil, nil
	for _, format := range []string{"json", "yaml", "xml", "csv"} {
		t.Run(format, func(t *testing.T) {
			chunks := connectortest.Collect(t, source(t, sqlconn.Config{URL: u, Tables: []string{"kinds"}, Common: connectors.Common{Format: format}}), nil)
			if len(chunks) != 1 {
				t.Fatalf("%d chunks; want 1", len(chunks))
			}
			tab, err := records.Decode(chunks[0].Type, chunks[0].Data)
			if err != nil {
				t.Fatalf("decode: %v\n%s", err, chunks[0].Data)
			}
			if len(tab.Rows) != 1 || fmt.Sprint(tab.Header) != fmt.Sprint(cols) {
				t.Fatalf("decoded %d rows, columns %v; want 1 row of %v:\n%s", len(tab.Rows), tab.Header, cols, chunks[0].Data)
			}
			for i, w := range want[format] {
				if g := tab.Rows[0][i]; fmt.Sprintf("%T %v", g, g) != fmt.Sprintf("%T %v", w, w) {
					t.Errorf("%s = %T %v; want %T %v\n%s", cols[i], g, g, w, w, chunks[0].Data)
				}
			}
		})
	}
}
