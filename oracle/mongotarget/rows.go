package mongotarget

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/oracle"
)

var (
	_ oracle.ProvenanceStyler = (*Target)(nil)
	_ oracle.RowReader        = (*Target)(nil)
)

// ProvenanceStyle implements oracle.ProvenanceStyler: one field, _bh,
// holding {asset, height, record}.
func (t *Target) ProvenanceStyle() oracle.ProvenanceStyle { return oracle.ProvenanceDocument }

// ReadRow implements oracle.RowReader: the document whose _id the key
// makes (as Apply makes it).
func (t *Target) ReadRow(ctx context.Context, key map[string]string) (map[string]any, error) {
	cols := make([]string, 0, len(t.key))
	vals := make([]any, 0, len(t.key))
	for _, k := range t.key {
		v, ok := key[k]
		if !ok {
			return nil, fmt.Errorf("mongodb target: want the key field %s", k)
		}
		cols, vals = append(cols, k), append(vals, v)
	}
	if len(cols) == 0 {
		return nil, errors.New("mongodb target: reading a row needs the key fields")
	}
	id, err := t.id(oracle.RowSet{Columns: cols}, 0, vals)
	if err != nil {
		return nil, err
	}
	var doc bson.M
	err = t.coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, fmt.Errorf("collection %s: %w: no document with _id %v", t.coll.Name(), chain.ErrNotFound, id)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", t.coll.Name(), err)
	}
	return plain(doc).(map[string]any), nil
}

// plain turns decoded BSON into maps, slices and scalars.
func plain(v any) any {
	switch x := v.(type) {
	case bson.M:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = plain(e)
		}
		return m
	case bson.D:
		m := make(map[string]any, len(x))
		for _, e := range x {
			m[e.Key] = plain(e.Value)
		}
		return m
	case bson.A:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plain(e)
		}
		return out
	}
	return v
}
