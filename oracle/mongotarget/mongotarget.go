// Package mongotarget is the oracle's MongoDB target
// (mongodb://host:27017/db, with --collection): each record becomes a
// document whose _id is the record key (the key field's value, or a
// document of the key fields), or, without a key, the record's place on
// the chain ("height/asset/record").
//
// Exactly once without multi-document transactions (which FerretDB and
// stand-alone servers lack): every write is idempotent (upserts and
// deletes by _id; keyless inserts by their chain position), and the
// checkpoint document is written after the batch. A restart after a crash
// redoes at most the batch that was being written, from the start, which
// leaves the same documents as one pass.
package mongotarget

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/blockhub/blockhub/oracle"
)

// CheckpointCollection holds every replay's position, one document per
// replay name.
const CheckpointCollection = "bh_oracle_checkpoint"

func init() {
	oracle.RegisterTarget("mongodb", opener{})
	oracle.RegisterTarget("mongodb+srv", opener{})
}

type opener struct{}

func (opener) OpenTarget(ctx context.Context, u *url.URL, opts *oracle.TargetOptions) (oracle.Target, error) {
	return Open(ctx, u, opts)
}

// Target writes records as documents of one collection.
type Target struct {
	client *mongo.Client
	db     *mongo.Database
	coll   *mongo.Collection
	key    []string
	log    *slog.Logger
}

var _ oracle.Target = (*Target)(nil)

// Open connects to the database of u; the collection is opts.Table.
func Open(ctx context.Context, u *url.URL, opts *oracle.TargetOptions) (*Target, error) {
	if opts == nil || opts.Table == "" {
		return nil, errors.New("mongodb target: give --collection")
	}
	name := strings.TrimPrefix(u.Path, "/")
	if name == "" || strings.Contains(name, "/") {
		return nil, fmt.Errorf("want one database name in the URL path (mongodb://host:27017/db), got %q", u.Path)
	}
	co := options.Client().ApplyURI(u.String()).SetServerSelectionTimeout(10 * time.Second).SetConnectTimeout(10 * time.Second).SetAppName("blockhub-oracle")
	if err := co.Validate(); err != nil {
		return nil, errors.New("bad URL")
	}
	client, err := mongo.Connect(co)
	if err != nil {
		return nil, err
	}
	pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := client.Ping(pctx, nil); err != nil {
		go client.Disconnect(context.Background())
		return nil, fmt.Errorf("connect %s: %s", u.Host, strings.SplitN(err.Error(), ", ", 2)[0])
	}
	db := client.Database(name)
	return &Target{client: client, db: db, coll: db.Collection(opts.Table), key: opts.Key, log: opts.Log()}, nil
}

// Collection is the collection written (for tests and tools).
func (t *Target) Collection() *mongo.Collection { return t.coll }

// Close disconnects.
func (t *Target) Close() error { return t.client.Disconnect(context.Background()) }

type checkpoint struct {
	Name   string `bson:"_id"`
	Chain  string `bson:"chain"`
	Block  string `bson:"block"`
	Height int64  `bson:"height"`
	Asset  int    `bson:"asset_index"`
}

// Position reads the checkpoint document of name.
func (t *Target) Position(ctx context.Context, name, chainID string) (oracle.Position, bool, error) {
	var cp checkpoint
	err := t.db.Collection(CheckpointCollection).FindOne(ctx, bson.D{{Key: "_id", Value: name}}).Decode(&cp)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return oracle.Position{}, false, nil
	}
	if err != nil {
		return oracle.Position{}, false, fmt.Errorf("read %s: %w", CheckpointCollection, err)
	}
	p := oracle.Position{Chain: cp.Chain, Block: cp.Block, Height: uint64(cp.Height), Asset: cp.Asset}
	if p.Chain != chainID {
		return p, false, fmt.Errorf("replay %q is at a position on chain %s, not %s: pick another --name", name, p.Chain, chainID)
	}
	return p, true, nil
}

// Apply writes the batch's documents in order, then its checkpoint.
func (t *Target) Apply(ctx context.Context, b *oracle.Batch) error {
	var models []mongo.WriteModel
	for _, s := range b.Sets {
		for i, r := range s.Rows {
			m, err := t.model(s, i, r)
			if err != nil {
				return err
			}
			if m != nil {
				models = append(models, m)
			}
		}
	}
	for len(models) > 0 {
		n := min(len(models), 1000)
		if _, err := t.coll.BulkWrite(ctx, models[:n], options.BulkWrite().SetOrdered(true)); err != nil {
			return fmt.Errorf("write %s: %w", t.coll.Name(), err)
		}
		models = models[n:]
	}
	if b.Name == "" {
		return nil
	}
	return t.advance(ctx, b)
}

// advance moves the checkpoint of b.Name from b.From to b.Pos: a first
// run inserts it (the unique _id lets one replay of the name do so), a
// later one replaces it only where it still holds b.From. When another
// replay of the name moved it first, the batch fails with oracle.ErrMoved
// and this replay stops; what it wrote is idempotent, so the documents
// are what one replay leaves. (The conditional replace is atomic on
// MongoDB; on servers whose conditional writes read and then write, such
// as FerretDB on SQLite, two replays may both pass at the very same
// position, with no other harm than that.)
func (t *Target) advance(ctx context.Context, b *oracle.Batch) error {
	coll := t.db.Collection(CheckpointCollection)
	cp := checkpoint{Name: b.Name, Chain: b.Pos.Chain, Block: b.Pos.Block, Height: int64(b.Pos.Height), Asset: b.Pos.Asset}
	if b.From == (oracle.Position{}) {
		_, err := coll.InsertOne(ctx, cp)
		if mongo.IsDuplicateKeyError(err) {
			return fmt.Errorf("replay %q: %w (another one started at the same moment)", b.Name, oracle.ErrMoved)
		}
		if err != nil {
			return fmt.Errorf("write %s: %w", CheckpointCollection, err)
		}
		return nil
	}
	f := b.From
	res, err := coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: b.Name}, {Key: "chain", Value: f.Chain}, {Key: "block", Value: f.Block},
		{Key: "height", Value: int64(f.Height)}, {Key: "asset_index", Value: f.Asset}}, cp)
	if err != nil {
		return fmt.Errorf("write %s: %w", CheckpointCollection, err)
	}
	if res.MatchedCount == 0 {
		return fmt.Errorf("replay %q: %w (this replay was at height %d asset %d)", b.Name, oracle.ErrMoved, f.Height, f.Asset)
	}
	return nil
}

// model is the idempotent write of one record.
func (t *Target) model(s oracle.RowSet, i int, r []any) (mongo.WriteModel, error) {
	id, err := t.id(s, i, r)
	if err != nil {
		return nil, err
	}
	filter := bson.D{{Key: "_id", Value: id}}
	fields := bson.D{}
	for j, c := range s.Columns {
		fields = append(fields, bson.E{Key: c, Value: value(r[j])})
	}
	switch s.Mode {
	case oracle.Delete:
		return mongo.NewDeleteOneModel().SetFilter(filter), nil
	case oracle.Insert:
		return mongo.NewUpdateOneModel().SetFilter(filter).SetUpdate(bson.D{{Key: "$setOnInsert", Value: fields}}).SetUpsert(true), nil
	case oracle.Update:
		return mongo.NewUpdateOneModel().SetFilter(filter).SetUpdate(bson.D{{Key: "$set", Value: fields}}), nil
	}
	return mongo.NewUpdateOneModel().SetFilter(filter).SetUpdate(bson.D{{Key: "$set", Value: fields}}).SetUpsert(true), nil
}

// id is the record key, or its chain position when there is no key.
func (t *Target) id(s oracle.RowSet, i int, r []any) (any, error) {
	if len(t.key) == 0 {
		if i >= len(s.At) {
			return nil, errors.New("a keyless record without its chain position")
		}
		return s.At[i].String(), nil
	}
	if len(t.key) == 1 {
		for j, c := range s.Columns {
			if c == t.key[0] {
				return value(r[j]), nil
			}
		}
		return nil, fmt.Errorf("record without its key field %s", t.key[0])
	}
	id := bson.D{}
	for _, k := range t.key {
		found := false
		for j, c := range s.Columns {
			if c == k {
				id = append(id, bson.E{Key: k, Value: value(r[j])})
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("record without its key field %s", k)
		}
	}
	return id, nil
}

// value is a record value as a document holds it: numbers where the text
// reads as a number (as the filter sees it).
func value(v any) any {
	switch x := oracle.Value(v).(type) {
	case int:
		return int64(x)
	default:
		return x
	}
}
