package mongo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"math"
	"slices"
	"strconv"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"

	"github.com/blockhub/blockhub/chain/store"
	"github.com/blockhub/blockhub/connectors"
	"github.com/blockhub/blockhub/internal/records"
)

// Source reads collections of one database. Make it with New.
type Source struct {
	cfg      Config
	host, db string
	password string
	filter   bson.D
	rows     int
}

var (
	_ connectors.Source  = (*Source)(nil)
	_ connectors.Resumer = (*Source)(nil)
)

// collection is what a run reads from one collection.
type collection struct {
	name string
	// after is where reading starts: the --incremental field's value (if
	// any) and the _id of the last document read (nil: from the start).
	after []bson.RawValue
	count int // documents to read (counted, capped by --limit), for batch [i, n]
	// found, when set, delivers the cursor of the collection's find,
	// opened while its documents were being counted (see prepare).
	found chan opened
}

// opened is the outcome of a find.
type opened struct {
	cur *mongo.Cursor
	err error
}

// Key is the source key of a collection's chunks: the chain remembers the
// latest capture under it (never holds the password).
func (s *Source) Key(coll string) string {
	return "mongo:" + s.host + "/" + s.db + "/" + coll
}

// Resumes implements connectors.Resumer: with Incremental, every run is
// handed the chain's State, with or without --prevent-dups, and reads each
// collection after the cursor its latest capture left. The name is the
// database and the collections read (sorted; none named is every
// collection), so two runs over the same collections of one database
// exclude each other on a chain.
func (s *Source) Resumes() string {
	if s.cfg.Incremental == "" {
		return ""
	}
	name := "mongo:" + s.host + "/" + s.db
	if len(s.cfg.Collections) == 0 {
		return name
	}
	colls := slices.Compact(slices.Sorted(slices.Values(s.cfg.Collections)))
	return name + "/" + strings.Join(colls, ",")
}

// errorf makes an error that names the source by its redacted URL and
// cannot hold the password.
func (s *Source) errorf(format string, a ...any) error {
	msg := fmt.Sprintf(format, a...)
	if s.password != "" {
		msg = strings.ReplaceAll(msg, s.password, "xxxxx")
	}
	msg = strings.ReplaceAll(msg, "\n", " ")
	return errors.New("mongo: " + store.Redact(s.cfg.URL) + ": " + msg)
}

// Chunks connects, checks every collection, option and the filter before
// its first chunk, then yields each collection's pages in _id order.
func (s *Source) Chunks(ctx context.Context, st connectors.State) iter.Seq2[connectors.Chunk, error] {
	return func(yield func(connectors.Chunk, error) bool) {
		if err := ctx.Err(); err != nil {
			yield(connectors.Chunk{}, s.errorf("%v", err))
			return
		}
		opts := options.Client().ApplyURI(s.cfg.URL).
			SetServerSelectionTimeout(ConnectTimeout).
			SetConnectTimeout(ConnectTimeout)
		client, err := mongo.Connect(opts)
		if err != nil {
			yield(connectors.Chunk{}, s.errorf("%v", err))
			return
		}
		defer client.Disconnect(context.WithoutCancel(ctx))
		db := client.Database(s.db)
		colls, err := s.prepare(ctx, client, db, st)
		if err != nil {
			yield(connectors.Chunk{}, err)
			return
		}
		var done int64
		for _, c := range colls {
			for ch, err := range s.read(ctx, db.Collection(c.name), c) {
				if err != nil {
					yield(connectors.Chunk{}, err)
					return
				}
				done += int64(len(ch.Data))
				ch.Done = done
				if !yield(ch, nil) {
					return
				}
			}
		}
	}
}

// prepare reaches the server and finds every collection, cursor and
// document count, so that a missing collection, an unreachable server or
// a bad filter fails before anything is captured.
func (s *Source) prepare(ctx context.Context, client *mongo.Client, db *mongo.Database, st connectors.State) (_ []*collection, rerr error) {
	pctx, cancel := context.WithTimeout(ctx, ConnectTimeout)
	err := client.Ping(pctx, nil)
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			return nil, s.errorf("%v", ctx.Err())
		}
		return nil, s.errorf("cannot reach %s: %v", s.host, err)
	}
	// The runner hands a resuming source the State whenever there is a
	// chain; a dry run before the chain exists has none and nothing to
	// resume. Anything else without a State is a caller's mistake that
	// would read every document again.
	if s.cfg.Incremental != "" && st == nil && !s.cfg.Common.DryRun {
		return nil, s.errorf("--incremental needs the chain's index (connectors.ImportOptions.Index): the cursor is read from it")
	}
	all, err := db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		return nil, s.errorf("listing collections: %v", err)
	}
	all = slices.DeleteFunc(all, func(n string) bool { return strings.HasPrefix(n, "system.") })
	slices.Sort(all)
	names := s.cfg.Collections
	if len(names) == 0 {
		if len(all) == 0 {
			return nil, s.errorf("database %q has no collections", s.db)
		}
		names = all
	}
	var out []*collection
	for _, n := range names {
		if !slices.Contains(all, n) {
			known := all
			if len(known) > 20 {
				known = append(known[:20:20], "...")
			}
			return nil, s.errorf("no collection %q in database %q (collections: %s)", n, s.db, strings.Join(known, ", "))
		}
		c := &collection{name: n}
		if s.cfg.Incremental != "" && st != nil {
			s.resume(c, st)
		}
		if len(out) == 0 {
			// The first collection's find runs while it is counted: on
			// FerretDB each costs about as much as the other.
			c.found = make(chan opened, 1)
			go func() {
				cur, err := s.find(ctx, db.Collection(c.name), c)
				c.found <- opened{cur, err}
			}()
			defer func() {
				if rerr != nil {
					if o := <-c.found; o.cur != nil {
						o.cur.Close(context.WithoutCancel(ctx))
					}
				}
			}()
		}
		var count int64
		if q := s.query(c); len(q) > 0 {
			count, err = db.Collection(n).CountDocuments(ctx, q)
		} else {
			// The whole collection: its count from the collection's
			// metadata, where a server keeps it, not from reading it all.
			count, err = db.Collection(n).EstimatedDocumentCount(ctx)
		}
		if err != nil {
			if len(s.filter) > 0 {
				return nil, s.errorf("%s: counting documents (is --filter %s valid?): %v", n, s.cfg.Filter, err)
			}
			return nil, s.errorf("%s: counting documents: %v", n, err)
		}
		c.count = int(count)
		if s.cfg.Limit > 0 && c.count > s.cfg.Limit {
			c.count = s.cfg.Limit
		}
		out = append(out, c)
	}
	return out, nil
}

// resume sets c.after from the cursor the latest capture of the
// collection left in its meta.
func (s *Source) resume(c *collection, st connectors.State) {
	raw, ok := st.Last(s.Key(c.name))
	if !ok {
		return
	}
	var m struct {
		Cursor json.RawMessage `json:"cursor"`
	}
	var doc bson.Raw
	if json.Unmarshal(raw, &m) != nil || len(m.Cursor) == 0 || bson.UnmarshalExtJSON(m.Cursor, true, &doc) != nil {
		st.Note("mongo: %s: the latest capture has no cursor; reading from the start", c.name)
		return
	}
	// Meta is stored as canonical JSON, keys sorted: find the two by name.
	v, verr := doc.LookupErr(s.cfg.Incremental)
	id, iderr := doc.LookupErr("_id")
	if verr != nil || iderr != nil {
		st.Note("mongo: %s: the latest capture's cursor is not on %s; reading from the start", c.name, s.cfg.Incremental)
		return
	}
	c.after = []bson.RawValue{v, id}
}

// query is the filter of a page that starts after c.after.
func (s *Source) query(c *collection) bson.D {
	var and bson.A
	if len(s.filter) > 0 {
		and = append(and, s.filter)
	}
	inc := s.cfg.Incremental
	switch {
	case c.after == nil && inc != "":
		and = append(and, bson.D{{Key: inc, Value: bson.D{{Key: "$ne", Value: nil}}}})
	case c.after != nil && inc == "":
		and = append(and, bson.D{{Key: "_id", Value: bson.D{{Key: "$gt", Value: c.after[0]}}}})
	case c.after != nil:
		and = append(and, bson.D{{Key: "$or", Value: bson.A{
			bson.D{{Key: inc, Value: bson.D{{Key: "$gt", Value: c.after[0]}}}},
			bson.D{{Key: inc, Value: c.after[0]}, {Key: "_id", Value: bson.D{{Key: "$gt", Value: c.after[1]}}}},
		}}})
	}
	switch len(and) {
	case 0:
		return bson.D{}
	case 1:
		return and[0].(bson.D)
	}
	return bson.D{{Key: "$and", Value: and}}
}

// read yields a collection's pages. It reads the collection with one
// find sorted on the page order, cutting pages from the cursor as it
// goes: a find per page (keyset: _id > the last page's end, limit
// --rows) costs each page a new query that FerretDB answers by sorting
// every document after the key, which made 20,000 documents take 20
// times one sorted find. Keys are still where a run starts (c.after,
// from the latest capture's cursor) and what each page's meta records.
func (s *Source) read(ctx context.Context, coll *mongo.Collection, c *collection) iter.Seq2[connectors.Chunk, error] {
	return func(yield func(connectors.Chunk, error) bool) {
		var o opened
		if c.found != nil {
			o = <-c.found
		} else {
			o.cur, o.err = s.find(ctx, coll, c)
		}
		cur, err := o.cur, o.err
		if err != nil {
			yield(connectors.Chunk{}, s.errorf("%s: %v", c.name, err))
			return
		}
		defer cur.Close(context.WithoutCancel(ctx))
		batches := (c.count + s.rows - 1) / s.rows
		read, batch := 0, 1
		docs := make([]bson.Raw, 0, s.rows)
		// page yields the documents read so far as one chunk.
		page := func() bool {
			ch, err := s.page(c, docs, read, batch, batches)
			if err != nil {
				yield(connectors.Chunk{}, err)
				return false
			}
			read += len(docs)
			batch++
			docs = make([]bson.Raw, 0, s.rows)
			return yield(ch, nil)
		}
		for cur.Next(ctx) {
			docs = append(docs, slices.Clone(cur.Current))
			if len(docs) == s.rows && !page() {
				return
			}
		}
		if err := cur.Err(); err != nil {
			yield(connectors.Chunk{}, s.errorf("%s: %v", c.name, err))
			return
		}
		if len(docs) > 0 {
			page()
		}
	}
}

// find opens the cursor over a collection's documents, in page order:
// by _id, or by the --incremental field then _id.
func (s *Source) find(ctx context.Context, coll *mongo.Collection, c *collection) (*mongo.Cursor, error) {
	sort := bson.D{{Key: "_id", Value: 1}}
	if inc := s.cfg.Incremental; inc != "" {
		sort = bson.D{{Key: inc, Value: 1}, {Key: "_id", Value: 1}}
	}
	opts := options.Find().SetSort(sort).SetBatchSize(int32(min(max(s.rows, 1000), 10000)))
	if s.cfg.Limit > 0 {
		opts.SetLimit(int64(s.cfg.Limit))
	}
	return coll.Find(ctx, s.query(c), opts)
}

// page is chunk, plus the page's cursor in its meta with --incremental.
func (s *Source) page(c *collection, docs []bson.Raw, read, batch, batches int) (connectors.Chunk, error) {
	ch, err := s.chunk(c, docs, read, batch, batches)
	if err != nil {
		return connectors.Chunk{}, err
	}
	last := docs[len(docs)-1]
	id, err := last.LookupErr("_id")
	if err != nil {
		return connectors.Chunk{}, s.errorf("%s: a document without _id", c.name)
	}
	inc := s.cfg.Incremental
	if inc == "" {
		return ch, nil
	}
	v, err := last.LookupErr(strings.Split(inc, ".")...)
	if err != nil {
		return connectors.Chunk{}, s.errorf("%s: document %s has no %s", c.name, extValue(id), inc)
	}
	cj, err := bson.MarshalExtJSON(bson.D{{Key: inc, Value: v}, {Key: "_id", Value: id}}, true, false)
	if err != nil {
		return connectors.Chunk{}, s.errorf("%s: cursor: %v", c.name, err)
	}
	ch.Meta["cursor"] = json.RawMessage(cj)
	return ch, nil
}

// chunk encodes one page with its meta.
func (s *Source) chunk(c *collection, docs []bson.Raw, read, batch, batches int) (connectors.Chunk, error) {
	first, _ := docs[0].LookupErr("_id")
	last, _ := docs[len(docs)-1].LookupErr("_id")
	meta := map[string]any{
		"host":       s.host,
		"db":         s.db,
		"collection": c.name,
		"range":      []json.RawMessage{extValue(first), extValue(last)},
		"rows":       []int{read + 1, read + len(docs)},
		"batch":      []int{batch, max(batch, batches)},
	}
	data, typ, err := s.encode(docs)
	if err != nil {
		return connectors.Chunk{}, s.errorf("%s: %v", c.name, err)
	}
	return connectors.Chunk{Data: data, Type: typ, Key: s.Key(c.name), Meta: meta, Records: len(docs)}, nil
}

// encode writes documents in the chosen format, dropping --exclude fields.
func (s *Source) encode(docs []bson.Raw) ([]byte, string, error) {
	drop := s.cfg.Common.Exclude
	if f := s.format(); f != "" {
		header, rows, err := table(docs, drop)
		if err != nil {
			return nil, "", err
		}
		data, err := records.Encode(f, header, rows)
		return data, records.ContentType(f), err
	}
	var b bytes.Buffer
	for _, d := range docs {
		d, err := without(d, drop)
		if err != nil {
			return nil, "", err
		}
		line, err := bson.MarshalExtJSON(d, true, false)
		if err != nil {
			return nil, "", err
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	return b.Bytes(), ContentType, nil
}

// without returns d without its top-level fields named in drop.
func without(d bson.Raw, drop []string) (bson.Raw, error) {
	if len(drop) == 0 {
		return d, nil
	}
	elems, err := d.Elements()
	if err != nil {
		return nil, err
	}
	keep := make([][]byte, 0, len(elems))
	for _, e := range elems {
		if !slices.Contains(drop, e.Key()) {
			keep = append(keep, e)
		}
	}
	return bson.Raw(bsoncore.BuildDocumentFromElements(nil, keep...)), nil
}

// table turns documents into a header (their top-level fields, in order
// of first appearance) and rows for the record formats: strings, numbers,
// booleans and null as themselves, anything else as its canonical
// Extended JSON.
func table(docs []bson.Raw, drop []string) ([]string, [][]any, error) {
	var header []string
	col := map[string]int{}
	rows := make([][]any, 0, len(docs))
	for _, d := range docs {
		elems, err := d.Elements()
		if err != nil {
			return nil, nil, err
		}
		row := make([]any, len(header))
		for _, e := range elems {
			k := e.Key()
			if slices.Contains(drop, k) {
				continue
			}
			i, ok := col[k]
			if !ok {
				i = len(header)
				col[k] = i
				header = append(header, k)
				row = append(row, nil)
			}
			row[i] = plain(e.Value())
		}
		rows = append(rows, row)
	}
	return header, rows, nil
}

// plain is a BSON value as a records value.
func plain(v bson.RawValue) any {
	switch v.Type {
	case bson.TypeString:
		return v.StringValue()
	case bson.TypeInt32:
		return json.Number(strconv.FormatInt(int64(v.Int32()), 10))
	case bson.TypeInt64:
		return json.Number(strconv.FormatInt(v.Int64(), 10))
	case bson.TypeDouble:
		if f := v.Double(); !math.IsInf(f, 0) && !math.IsNaN(f) {
			return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
		}
	case bson.TypeBoolean:
		return v.Boolean()
	case bson.TypeNull, bson.TypeUndefined:
		return nil
	}
	return extValue(v)
}

// extValue is one value's canonical Extended JSON.
func extValue(v bson.RawValue) json.RawMessage {
	b, err := bson.MarshalExtJSON(bson.D{{Key: "v", Value: v}}, true, false)
	if err != nil {
		return json.RawMessage("null")
	}
	b = bytes.TrimPrefix(b, []byte(`{"v":`))
	return json.RawMessage(bytes.TrimSuffix(b, []byte("}")))
}
