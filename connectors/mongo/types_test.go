package mongo_test

import (
	"fmt"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/blockhub/blockhub/connectors"
	"github.com/blockhub/blockhub/connectors/connectortest"
	mongoconn "github.com/blockhub/blockhub/connectors/mongo"
	"github.com/blockhub/blockhub/internal/records"
)

// TestYAMLKeepsTypes: with --format yaml, numbers, booleans and null read
// back as themselves and strings as strings, even those that look like
// numbers or booleans.
func TestYAMLKeepsTypes(t *testing.T) {
	u, db := freshDB(t)
	insert(t, db.Collection("kinds"), bson.D{
		{Key: "_id", Value: int32(1)}, {Key: "i64", Value: int64(-9007199254740993)}, {Key: "small", Value: 4.219218196852704e-06},
		{Key: "huge", Value: 1e20}, {Key: "yes", Value: true}, {Key: "digits", Value: "42"}, {Key: "word", Value: "on"},
		{Key: "nothing", Value: nil},
	})
	chunks := connectortest.Collect(t, source(t, mongoconn.Config{URL: u, Collections: []string{"kinds"}, Common: connectors.Common{Format: "yaml"}}), nil)
	if len(chunks) != 1 {
		t.Fatalf("%d chunks; want 1", len(chunks))
	}
	tab, err := records.Decode(chunks[0].Type, chunks[0].Data)
	if err != nil || len(tab.Rows) != 1 {
		t.Fatalf("decode: %d rows, %v\n%s", len(tab.Rows), err, chunks[0].Data)
	}
	want := []any{uint64(1), int64(-9007199254740993), 4.219218196852704e-06, 1e20, true, "42", "on", nil}
	for i, w := range want {
		if g := tab.Rows[0][i]; fmt.Sprintf("%T %v", g, g) != fmt.Sprintf("%T %v", w, w) {
			t.Errorf("%s = %T %v; want %T %v\n%s", tab.Header[i], g, g, w, w, chunks[0].Data)
		}
	}
}
