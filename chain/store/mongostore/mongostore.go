// Package mongostore keeps assets and blocks in MongoDB collections, under
// the mongodb:// (and mongodb+srv://) scheme, through
// go.mongodb.org/mongo-driver/v2.
//
//	mongodb://[user:pass@]host:27017[,host2:27017]/db[?replicaSet=rs0&...]
//
// The URL is a MongoDB connection string (its options are the driver's);
// the path names the database. Collections:
//
//	blocks        {_id: block id, chain, height, prev, doc, next}
//	nexts         {_id: block id, next}: each block's link, created once
//	assets        {_id: hash, length, chunks, data | upload}
//	asset_chunks  {_id: "<upload>.<seq>", hash, upload, seq, data}
//	tails         {_id: chain id, id}: the last tail seen (a hint)
//	names         {_id: name key, name, root}: a chain name's claim, created once

//	tiles         {_id: "<chain id>/<name>", data}: Merkle tree tiles (chain/merkle; derived)
//
// Everything that must happen once is an insertOne, so a taken _id fails
// with a duplicate-key error: creating a block or an asset, and linking a
// block to its next, which inserts {_id: id, next} into nexts, and
// claiming a chain name, which inserts {_id: key, name, root}. That holds
// on MongoDB and on servers that speak its protocol without making a
// conditional update atomic (FerretDB's SQLite backend reads, then
// writes). The winner copies next onto the block's document with a
// conditional updateOne, so a walk reads one document a block.
//
// An asset under 1 MiB is one document; a larger one is streamed into
// asset_chunks a piece at a time under a fresh upload id, and its assets
// document, written last, makes it visible: only once its bytes checked
// out. Pieces of a refused or losing upload are deleted.
//
// It imports chain, chain/store and chain/store/driver.
package mongostore

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/auth"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/topology"

	"github.com/blockhub/blockhub/chain/store"
	"github.com/blockhub/blockhub/chain/store/driver"
)

// Scheme is the URL scheme of this driver; SRVScheme is the DNS seed list
// form.
const (
	Scheme    = "mongodb"
	SRVScheme = "mongodb+srv"
)

// ConnectTimeout bounds server selection and connecting, unless the URL
// sets serverSelectionTimeoutMS or connectTimeoutMS, so an unreachable
// server fails promptly.
const ConnectTimeout = 5 * time.Second

// OperationTimeout bounds each operation of a connected store unless the
// URL sets timeoutMS.
const OperationTimeout = time.Minute

// Collection names.
const (
	cBlocks = "blocks"
	cNexts  = "nexts"
	cTails  = "tails"
	cNames  = "names"
	cAssets = "assets"
	cChunks = "asset_chunks"
)

func init() {
	store.Register(Scheme, opener{})
	store.Register(SRVScheme, opener{})
}

type opener struct{}

func (opener) OpenAssets(ctx context.Context, u *url.URL, opts *store.Options) (driver.AssetStore, error) {
	db, err := open(ctx, u, opts)
	if err != nil {
		return nil, err
	}
	return &AssetStore{db: db, assets: db.Collection(cAssets), chunks: db.Collection(cChunks)}, nil
}

func (opener) OpenBlocks(ctx context.Context, u *url.URL, opts *store.Options) (driver.BlockStore, error) {
	db, err := open(ctx, u, opts)
	if err != nil {
		return nil, err
	}
	s := &BlockStore{db: db, blocks: db.Collection(cBlocks), nexts: db.Collection(cNexts), tails: db.Collection(cTails), names: db.Collection(cNames)}
	// Roots are listed by {chain: "", height: 0}.
	_, err = s.blocks.Indexes().CreateOne(ctx, mongo.IndexModel{Keys: bson.D{{Key: "chain", Value: 1}, {Key: "height", Value: 1}}})
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("create index on %s: %w", cBlocks, err)
	}
	return s, nil
}

// database returns the database a URL names, or why it names none.
func database(u *url.URL) (string, error) {
	db := strings.TrimPrefix(u.Path, "/")
	if db == "" || strings.ContainsAny(db, `/\. "$`) || len(db) > 63 {
		return "", fmt.Errorf("want one database name in the URL path (%s://host:27017/db), got %q", u.Scheme, u.Path)
	}
	return db, nil
}

// open connects the client a URL describes and checks a server answers.
func open(ctx context.Context, u *url.URL, opts *store.Options) (*mongo.Database, error) {
	name, err := database(u)
	if err != nil {
		return nil, err
	}
	pw, _ := u.User.Password()
	co := options.Client().ApplyURI(u.String())
	if err := co.Validate(); err != nil {
		return nil, scrub(fmt.Errorf("bad URL: %w", err), pw)
	}
	if co.ServerSelectionTimeout == nil {
		co.SetServerSelectionTimeout(ConnectTimeout)
	}
	if co.ConnectTimeout == nil {
		co.SetConnectTimeout(ConnectTimeout)
	}
	if co.Timeout == nil {
		// Bound every operation, so a server that hangs (FerretDB has)
		// fails a command with an error instead of blocking it forever;
		// timeoutMS in the URL overrides it.
		co.SetTimeout(OperationTimeout)
	}
	if co.AppName == nil {
		co.SetAppName("blockhub")
	}
	client, err := mongo.Connect(co)
	if err != nil {
		return nil, scrub(err, pw)
	}
	wait := ConnectTimeout
	if t := *co.ServerSelectionTimeout; t > wait {
		wait = t
	}
	pctx, cancel := context.WithTimeout(ctx, wait+time.Second)
	defer cancel()
	if err := client.Ping(pctx, nil); err != nil {
		// Disconnecting waits for connections still in their handshake
		// (up to connectTimeout): do not make the caller wait for it.
		go disconnect(client)
		return nil, scrub(connectError(u, err), pw)
	}
	opts.Log().Debug("opened", "store", "mongodb", "hosts", u.Host, "db", name)
	return client.Database(name), nil
}

// connectError says in one line why no server answered, instead of the
// driver's topology dump.
func connectError(u *url.URL, err error) error {
	causes := []error{err}
	var sse topology.ServerSelectionError
	if errors.As(err, &sse) {
		causes = causes[:0]
		for _, s := range sse.Desc.Servers {
			if s.LastError != nil {
				causes = append(causes, s.LastError)
			}
		}
	}
	var why []string
	timedOut := true
	for _, c := range causes {
		var ae *auth.Error
		if errors.As(c, &ae) {
			return fmt.Errorf("%s refused user %q: %s", u.Host, u.User.Username(), oneLine(ae.Error()))
		}
		timedOut = timedOut && mongo.IsTimeout(c)
		why = append(why, oneLine(c.Error()))
	}
	if len(why) == 0 || timedOut {
		return fmt.Errorf("%s did not answer within %s", u.Host, ConnectTimeout)
	}
	return fmt.Errorf("cannot reach %s: %s", u.Host, strings.Join(why, "; "))
}

// oneLine folds a multi-line message (FerretDB adds "See https://...").
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// scrub removes the password from an error's text, in case the driver
// quoted the connection string.
func scrub(err error, pw string) error {
	if err == nil || pw == "" || !strings.Contains(err.Error(), pw) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), pw, "xxxxx"))
}

func disconnect(c *mongo.Client) error {
	ctx, cancel := context.WithTimeout(context.Background(), ConnectTimeout)
	defer cancel()
	return c.Disconnect(ctx)
}

// byID filters on _id.
func byID(id string) bson.D { return bson.D{{Key: "_id", Value: id}} }
