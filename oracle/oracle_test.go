package oracle_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/blockhub/blockhub/internal/records"
	"github.com/blockhub/blockhub/oracle"
	"github.com/blockhub/blockhub/oracle/csvtarget"
	"github.com/blockhub/blockhub/oracle/oracletest"
)

// replayCSV replays src into a fresh CSV file and returns its records
// (header first) and the summary.
func replayCSV(t *testing.T, src oracle.Source, o *oracle.Options) ([][]string, oracle.Summary) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "out.csv")
	return replayInto(t, src, path, o)
}

func replayInto(t *testing.T, src oracle.Source, path string, o *oracle.Options) ([][]string, oracle.Summary) {
	t.Helper()
	tg, err := csvtarget.Open(path, o.Key)
	if err != nil {
		t.Fatal(err)
	}
	if o.Name == "" {
		o.Name = "out"
	}
	sum, err := oracle.Run(context.Background(), src, tg, o)
	if err != nil {
		t.Fatal(err)
	}
	if err := tg.Close(); err != nil {
		t.Fatal(err)
	}
	return readCSV(t, path), sum
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func rowsString(recs [][]string) string {
	var lines []string
	for _, r := range recs {
		lines = append(lines, strings.Join(r, ","))
	}
	return strings.Join(lines, "\n")
}

var day = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)

func crm() []oracletest.Block {
	return []oracletest.Block{
		{At: day, Assets: []oracletest.Asset{
			oracletest.CSV("orders.csv", "order_id,item,price,status", "1,pen,1.50,paid", "2,desk,120.00,pending", "3,lamp,10.99,paid"),
			oracletest.CSV("contacts.csv", "id,name", "1,ann"),
		}},
		{At: day.Add(24 * time.Hour), Assets: []oracletest.Asset{
			oracletest.CSV("orders.csv", "order_id,item,price,status", "2,desk,120.00,paid", "4,chair,99.00,paid"),
		}},
		{At: day.Add(48 * time.Hour), Assets: []oracletest.Asset{
			oracletest.CSV("orders.csv", "order_id,item,price,status", "5,rug,300,refunded"),
		}},
	}
}

func TestReplayPointInTime(t *testing.T) {
	src, _ := oracletest.NewChain(t, crm())
	tests := []struct {
		name string
		o    oracle.Options
		want string
	}{
		{"all", oracle.Options{}, "order_id,item,price,status\n1,pen,1.50,paid\n2,desk,120.00,paid\n3,lamp,10.99,paid\n4,chair,99.00,paid\n5,rug,300,refunded"},
		{"at day one", oracle.Options{At: day.Add(time.Hour)}, "order_id,item,price,status\n1,pen,1.50,paid\n2,desk,120.00,pending\n3,lamp,10.99,paid"},
		{"height 2", oracle.Options{Height: 2, HeightSet: true}, "order_id,item,price,status\n1,pen,1.50,paid\n2,desk,120.00,paid\n3,lamp,10.99,paid\n4,chair,99.00,paid"},
		{"filter numbers", oracle.Options{Filter: `price >= 10.99 && status == "paid"`}, "order_id,item,price,status\n3,lamp,10.99,paid\n2,desk,120.00,paid\n4,chair,99.00,paid"}, // 2 was pending at first
		{"fields", oracle.Options{Fields: []string{"order_id", "status"}, Height: 1, HeightSet: true}, "order_id,status\n1,paid\n2,pending\n3,paid"},
		{"hide", oracle.Options{Hide: []string{"item", "price"}, Height: 1, HeightSet: true}, "order_id,status\n1,paid\n2,pending\n3,paid"},
		{"insert keeps first", oracle.Options{Mode: oracle.Insert, Fields: []string{"order_id", "status"}}, "order_id,status\n1,paid\n2,pending\n3,paid\n4,paid\n5,refunded"},
		{"filter on asset meta", oracle.Options{Filter: `_asset.height == 3`}, "order_id,item,price,status\n5,rug,300,refunded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.o
			o.Key = []string{"order_id"}
			o.Source = []string{"orders.csv"}
			got, _ := replayCSV(t, src, &o)
			if rowsString(got) != tt.want {
				t.Errorf("got\n%s\nwant\n%s", rowsString(got), tt.want)
			}
		})
	}
}

func TestReplayNeedsSource(t *testing.T) {
	src, _ := oracletest.NewChain(t, crm())
	tg, err := csvtarget.Open(filepath.Join(t.TempDir(), "x.csv"), []string{"order_id"})
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	_, err = oracle.Run(context.Background(), src, tg, &oracle.Options{Name: "x", Key: []string{"order_id"}})
	if err == nil || !strings.Contains(err.Error(), "no key field order_id") || !strings.Contains(err.Error(), "--source") {
		t.Fatalf("err = %v; want one naming the missing key and --source", err)
	}
}

// Records in every format the connectors write decode to the same rows.
func TestReplayFormats(t *testing.T) {
	header := []string{"id", "name", "n"}
	rows := [][]any{{1, "ann", 2.5}, {2, `bo "b", jr`, nil}}
	for _, f := range []string{records.CSV, records.JSON, records.YAML, records.XML} {
		t.Run(f, func(t *testing.T) {
			data, err := records.Encode(f, header, rows)
			if err != nil {
				t.Fatal(err)
			}
			src, _ := oracletest.NewChain(t, []oracletest.Block{{Assets: []oracletest.Asset{{Type: records.ContentType(f), Meta: map[string]any{"source": "sql", "table": "people"}, Data: data}}}})
			got, sum := replayCSV(t, src, &oracle.Options{Key: []string{"id"}, Source: []string{"people"}})
			want := "id,name,n\n1,ann,2.5\n2,\"bo \"\"b\"\", jr\","
			var b bytes.Buffer
			w := csv.NewWriter(&b)
			w.WriteAll(got)
			if strings.TrimSpace(b.String()) != want || sum.Records != 2 {
				t.Errorf("got %q (%d records); want %q", b.String(), sum.Records, want)
			}
		})
	}
}

func TestReplayOpField(t *testing.T) {
	src, _ := oracletest.NewChain(t, []oracletest.Block{{Assets: []oracletest.Asset{
		oracletest.CSV("ops.csv", "op,id,v", "insert,1,a", "insert,2,b", "update,1,A", "delete,2,", "upsert,3,c", "update,9,zz", "frobnicate,4,x"),
	}}})
	var exc bytes.Buffer
	got, sum := replayCSV(t, src, &oracle.Options{Key: []string{"id"}, OpField: "op", Exceptions: &exc})
	if want := "id,v\n1,A\n3,c"; rowsString(got) != want {
		t.Errorf("got\n%s\nwant\n%s", rowsString(got), want)
	}
	if sum.Exceptions != 1 || !strings.Contains(exc.String(), `"reason":"bad operation"`) {
		t.Errorf("exceptions %d %s; want the bad operation", sum.Exceptions, exc.String())
	}
}

// A second run goes on from the stored position: every record once.
func TestReplayResumes(t *testing.T) {
	src, h := oracletest.NewChain(t, crm()[:1])
	path := filepath.Join(t.TempDir(), "out.csv")
	o := func() *oracle.Options {
		return &oracle.Options{Key: []string{"order_id"}, Mode: oracle.Insert, Source: []string{"orders.csv"}, Name: "orders"}
	}
	_, s1 := replayInto(t, src, path, o())
	if _, err := oracletest.Append(context.Background(), h, src.Root, crm()[1:]); err != nil {
		t.Fatal(err)
	}
	got, s2 := replayInto(t, src, path, o())
	if s1.Records != 3 || s2.Records != 3 || !s2.Resumed {
		t.Errorf("records %d then %d (resumed %v); want 3 then 3 resumed", s1.Records, s2.Records, s2.Resumed)
	}
	if len(got) != 6 {
		t.Errorf("got %d lines; want header and 5 orders", len(got))
	}
	_, s3 := replayInto(t, src, path, o())
	if s3.Records != 0 {
		t.Errorf("third run applied %d records; want 0", s3.Records)
	}
}

func TestLiveFollowsChain(t *testing.T) {
	src, h := oracletest.NewChain(t, crm()[:1])
	path := filepath.Join(t.TempDir(), "live.csv")
	tg, err := csvtarget.Open(path, []string{"order_id"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := oracle.Run(ctx, src, tg, &oracle.Options{Name: "live", Key: []string{"order_id"}, Source: []string{"orders.csv"}, Live: true})
		done <- err
	}()
	waitRows := func(n int) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			if len(readCSV(t, path)) == n+1 {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Fatalf("the file never had %d rows: %v", n, readCSV(t, path))
	}
	waitRows(3)
	if _, err := oracletest.Append(context.Background(), h, src.Root, crm()[1:]); err != nil {
		t.Fatal(err)
	}
	waitRows(5)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("live run: %v", err)
	}
	if err := tg.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestTimeOrder(t *testing.T) {
	// Asset 1 holds a late update, asset 2 the earlier create; with a
	// window of 2 they are applied in document time. Asset 4 brings a
	// record from before what was applied, beyond the window.
	src, _ := oracletest.NewChain(t, []oracletest.Block{
		{Assets: []oracletest.Asset{oracletest.CSV("a", "id,v,ts,alt_ts", "1,second,2026-10-02T10:00:00+02:00,", "2,x,,")}},
		{Assets: []oracletest.Asset{oracletest.CSV("b", "id,v,ts,alt_ts", "1,first,1790834400,", "3,y,2026-10-02 09:00:00,2026-10-02T07:00:00Z", "4,z,2026-10-02 09:00:00,2026-10-02T09:00:00Z")}},
		{Assets: []oracletest.Asset{oracletest.CSV("c", "id,v,ts,alt_ts", "5,w,1790985600000,")}},
		{Assets: []oracletest.Asset{oracletest.CSV("d", "id,v,ts,alt_ts", "6,old,2026-09-01T00:00:00Z,", "7,bad,yesterday,")}},
	})
	var exc bytes.Buffer
	got, sum := replayCSV(t, src, &oracle.Options{Key: []string{"id"}, TSFields: []string{"ts", "alt_ts"}, Window: 2, Exceptions: &exc, Fields: []string{"id", "v"}})
	// 1790834400 is 2026-10-01T06:00:00Z; 10:00+02:00 is 08:00Z.
	if want := "id,v\n1,second\n4,z\n5,w"; rowsString(got) != want {
		t.Errorf("got\n%s\nwant\n%s", rowsString(got), want)
	}
	var reasons []string
	for _, line := range strings.Split(strings.TrimSpace(exc.String()), "\n") {
		var e struct {
			Reason string `json:"reason"`
			Record int    `json:"record"`
			Height int    `json:"height"`
		}
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatal(err)
		}
		reasons = append(reasons, fmt.Sprintf("%d/%d %s", e.Height, e.Record, e.Reason))
	}
	slices.Sort(reasons)
	want := []string{"1/2 no time", "2/2 conflicting times", "4/1 outside window", "4/2 unreadable time"}
	if !slices.Equal(reasons, want) || sum.Exceptions != 4 {
		t.Errorf("exceptions %v (%d); want %v", reasons, sum.Exceptions, want)
	}
	// As of a document time: only what happened by then.
	got, sum = replayCSV(t, src, &oracle.Options{Key: []string{"id"}, TSFields: []string{"ts"}, Window: 2, At: time.Date(2026, 10, 1, 7, 0, 0, 0, time.UTC), Fields: []string{"id", "v"}})
	if want := "id,v\n1,first"; rowsString(got) != want || sum.Later == 0 {
		t.Errorf("as of 07:00 got\n%s\n(later %d) want\n%s", rowsString(got), sum.Later, want)
	}
}

func TestParseTime(t *testing.T) {
	want := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	paris, _ := time.LoadLocation("Europe/Paris")
	tests := []struct {
		in any
		tz *time.Location
	}{
		{"2026-01-01T10:00:00Z", nil},
		{"2026-01-01T15:30:00+05:30", nil},
		{"2026-01-01T09:00:00.000-01:00", nil},
		{"1767261600", nil},
		{"1767261600000", nil},
		{json.Number("1767261600"), nil},
		{1767261600000.0, nil},
		{"2026-01-01 10:00:00", nil},
		{"2026-01-01T10:00:00", nil},
		{"2026-01-01 11:00:00", paris},
		{"Thu, 01 Jan 2026 11:00:00 +0100", nil},
	}
	for _, tt := range tests {
		got, err := oracle.ParseTime(tt.in, tt.tz)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseTime(%v) = %v, %v; want %v", tt.in, got, err, want)
		}
	}
	for _, bad := range []any{"", "soon", "2026-13-01", true} {
		if _, err := oracle.ParseTime(bad, nil); err == nil {
			t.Errorf("ParseTime(%v): no error", bad)
		}
	}
}

func TestOptionsCheck(t *testing.T) {
	tests := []struct {
		o    oracle.Options
		want string
	}{
		{oracle.Options{Mode: oracle.Upsert}, "needs --key"},
		{oracle.Options{Key: []string{"id"}, Fields: []string{"a"}, Hide: []string{"b"}}, "one or the other"},
		{oracle.Options{Key: []string{"id"}, Hide: []string{"id"}}, "cannot be hidden"},
		{oracle.Options{Key: []string{"id"}, Fields: []string{"a"}}, "must include the key"},
		{oracle.Options{Key: []string{"id"}, Live: true, HeightSet: true}, "no --at or --height"},
		{oracle.Options{Key: []string{"id"}, Live: true, TSFields: []string{"ts"}}, "not live"},
		{oracle.Options{Mode: oracle.Insert}, ""},
	}
	for _, tt := range tests {
		err := tt.o.Check()
		if (tt.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("Check(%+v) = %v; want %q", tt.o, err, tt.want)
		}
	}
}

func TestFilterNumbers(t *testing.T) {
	f, err := oracle.CompileFilter(`price >= 10.99 && status == "paid" && qty > 1`)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		row  []any
		want bool
	}{
		{[]any{"10.99", "paid", "2"}, true},
		{[]any{"9.5", "paid", "2"}, false},
		{[]any{"100", "paid", "10"}, true}, // as strings "100" < "10.99"
		{[]any{"11", "pending", "2"}, false},
		{[]any{nil, "paid", "2"}, false},
	}
	for _, tt := range tests {
		got, err := f.Match(oracle.Env([]string{"price", "status", "qty"}, tt.row, nil))
		if err != nil && tt.row[0] != nil {
			t.Fatal(err)
		}
		if got != tt.want {
			t.Errorf("Match(%v) = %v; want %v", tt.row, got, tt.want)
		}
	}
	if _, err := oracle.CompileFilter("price >="); err == nil {
		t.Error("CompileFilter(bad): no error")
	}
}

func FuzzDecode(f *testing.F) {
	f.Add("text/csv", []byte("a,b\n1,2\n"))
	f.Add("application/x-ndjson", []byte(`{"a":1,"b":"x"}`+"\n"))
	f.Add("application/yaml", []byte("- a: 1\n  b: x\n"))
	f.Add("application/xml", []byte(`<records><record><field name="a">1</field></record></records>`))
	f.Fuzz(func(t *testing.T, typ string, data []byte) {
		tab, err := records.Decode(typ, data)
		if err != nil {
			return
		}
		for _, r := range tab.Rows {
			if len(r) != len(tab.Header) {
				t.Fatalf("row of %d values, header of %d", len(r), len(tab.Header))
			}
		}
	})
}
