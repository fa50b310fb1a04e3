package mongo

import (
	"bufio"
	"bytes"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/blockhub/blockhub/connectors"
)

// TestEncodeRoundTrip covers the BSON types the test server cannot store
// (decimal128 among them): the canonical Extended JSON lines of a chunk
// decode to the very bytes that were read.
func TestEncodeRoundTrip(t *testing.T) {
	dec, _ := bson.ParseDecimal128("-0.000000000000000000000000000001")
	big, _ := bson.ParseDecimal128("9999999999999999999999999999999999E6111")
	docs := []bson.D{
		{{Key: "_id", Value: bson.NewObjectID()}, {Key: "price", Value: dec}, {Key: "huge", Value: big},
			{Key: "i64", Value: int64(-9223372036854775808)}, {Key: "i32", Value: int32(2147483647)},
			{Key: "at", Value: bson.NewDateTimeFromTime(time.Date(1969, 12, 31, 23, 59, 59, 999e6, time.UTC))},
			{Key: "ts", Value: bson.Timestamp{T: 1, I: 2}}, {Key: "re", Value: bson.Regex{Pattern: "^a.*", Options: "i"}},
			{Key: "uuid", Value: bson.Binary{Subtype: 4, Data: bytes.Repeat([]byte{7}, 16)}},
			{Key: "min", Value: bson.MinKey{}}, {Key: "max", Value: bson.MaxKey{}}, {Key: "js", Value: bson.JavaScript("f()")},
			{Key: "nan", Value: 0.0}, {Key: "neg0", Value: -0.0}, {Key: "undef", Value: bson.Undefined{}},
			{Key: "arr", Value: bson.A{bson.D{{Key: "z", Value: 1}, {Key: "a", Value: 2}}, nil}}},
	}
	var raws []bson.Raw
	for _, d := range docs {
		b, err := bson.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		raws = append(raws, b)
	}
	s, err := New(Config{URL: "mongodb://h/db"})
	if err != nil {
		t.Fatal(err)
	}
	data, typ, err := s.encode(raws)
	if err != nil || typ != ContentType {
		t.Fatalf("encode: %q, %v", typ, err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	i := 0
	for ; sc.Scan(); i++ {
		var back bson.Raw
		if err := bson.UnmarshalExtJSON(sc.Bytes(), true, &back); err != nil {
			t.Fatalf("line %d %s: %v", i, sc.Bytes(), err)
		}
		if !bytes.Equal(back, raws[i]) {
			t.Errorf("line %d came back as\n%v\nwant\n%v", i, back, raws[i])
		}
	}
	if i != len(raws) {
		t.Errorf("%d lines; want %d", i, len(raws))
	}
}

func TestWithout(t *testing.T) {
	d, _ := bson.Marshal(bson.D{{Key: "_id", Value: 1}, {Key: "a", Value: "x"}, {Key: "b", Value: bson.D{{Key: "a", Value: 1}}}})
	s, _ := New(Config{URL: "mongodb://h/db", Common: connectors.Common{Exclude: []string{"a"}}})
	data, _, err := s.encode([]bson.Raw{d})
	if want := `{"_id":{"$numberInt":"1"},"b":{"a":{"$numberInt":"1"}}}` + "\n"; err != nil || string(data) != want {
		t.Errorf("--exclude a: %s, %v; want %s (top-level fields only)", data, err, want)
	}
}
