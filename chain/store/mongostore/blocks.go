package mongostore

import (
	"context"
	"errors"
	"fmt"
	"iter"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store/driver"
)

// BlockStore keeps blocks in the blocks collection, their next links in
// nexts, tail hints in tails and name claims in names.
type BlockStore struct {
	db     *mongo.Database
	blocks *mongo.Collection
	nexts  *mongo.Collection
	tails  *mongo.Collection
	names  *mongo.Collection
}

var (
	_ driver.BlockStore = (*BlockStore)(nil)
	_ driver.TailHinter = (*BlockStore)(nil)
	_ driver.Ranger     = (*BlockStore)(nil)
)

// blockDoc is a document of the blocks collection.
type blockDoc struct {
	ID     string `bson:"_id"`
	Chain  string `bson:"chain"` // "" for a root
	Height int64  `bson:"height"`
	Prev   string `bson:"prev"`
	Doc    []byte `bson:"doc"`            // canonical JSON without next
	Next   string `bson:"next,omitempty"` // a copy of the nexts entry, once set
}

// Create implements driver.BlockStore with insertOne: the unique _id
// refuses a taken id.
func (s *BlockStore) Create(ctx context.Context, info driver.BlockInfo, doc []byte) error {
	if info.Height > 1<<62 {
		return fmt.Errorf("%w: height %d", chain.ErrInvalid, info.Height)
	}
	_, err := s.blocks.InsertOne(ctx, blockDoc{ID: info.ID, Chain: info.Chain, Height: int64(info.Height), Prev: info.Prev, Doc: doc})
	if mongo.IsDuplicateKeyError(err) {
		return chain.ErrExists
	}
	return err
}

// Get implements driver.BlockStore. A block whose document lacks next
// (a tail, or a link whose copy onto the block was lost) is looked up in
// nexts, which has the last word.
func (s *BlockStore) Get(ctx context.Context, id string) ([]byte, string, error) {
	var d blockDoc
	err := s.blocks.FindOne(ctx, byID(id)).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, "", chain.ErrNotFound
	}
	if err != nil {
		return nil, "", err
	}
	if d.Next != "" {
		return d.Doc, d.Next, nil
	}
	next, err := s.claimed(ctx, id)
	if errors.Is(err, chain.ErrNotFound) {
		return d.Doc, "", nil
	}
	return d.Doc, next, err
}

// claimed returns the next recorded for id in nexts; an error matching
// chain.ErrNotFound when none is.
func (s *BlockStore) claimed(ctx context.Context, id string) (string, error) {
	var n nextDoc
	err := s.nexts.FindOne(ctx, byID(id)).Decode(&n)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return "", chain.ErrNotFound
	}
	return n.Next, err
}

// nextDoc is a document of the nexts collection: the one link out of a
// block, created once.
type nextDoc struct {
	ID   string `bson:"_id"` // the block
	Next string `bson:"next"`
}

// SetNext implements driver.BlockStore. The link is claimed by inserting
// {_id: id, next} into nexts: the unique _id lets exactly one insert win
// however many race, on MongoDB and on servers that speak its protocol
// without making a conditional update atomic (FerretDB's SQLite backend
// reads and then writes). The winner then copies next onto the block's
// document, so walks read one document a block; Get falls back to nexts
// when that copy is missing.
func (s *BlockStore) SetNext(ctx context.Context, id, next string) error {
	var d struct {
		Next string `bson:"next"`
	}
	err := s.blocks.FindOne(ctx, byID(id), options.FindOne().SetProjection(bson.D{{Key: "next", Value: 1}})).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return chain.ErrNotFound
	}
	if err != nil {
		return err
	}
	cur := d.Next
	if cur == "" {
		_, err = s.nexts.InsertOne(ctx, nextDoc{ID: id, Next: next})
		if err == nil {
			s.copyNext(ctx, id, next)
			return nil
		}
		if !mongo.IsDuplicateKeyError(err) {
			return err
		}
		if cur, err = s.claimed(ctx, id); err != nil {
			return err
		}
		if cur == next {
			// A retry after a crash between the two writes: finish it.
			s.copyNext(ctx, id, next)
		}
	}
	if cur == next {
		return nil
	}
	return fmt.Errorf("%w (to %s)", chain.ErrNextSet, cur)
}

// copyNext copies a link made in nexts onto the block's document. The
// copy is only a shortcut for readers (they fall back to nexts), so
// failing to write it is not an error; only the link's owner writes it,
// so it can never disagree with nexts.
func (s *BlockStore) copyNext(ctx context.Context, id, next string) {
	// Only the winner of the nexts insert gets here, so the filter needs
	// no "next unset" condition; keeping it on _id alone lets servers
	// that push down only _id filters (FerretDB on SQLite) use the key
	// instead of scanning the collection.
	_, _ = s.blocks.UpdateOne(ctx,
		bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "next", Value: next}}}})
}

// Roots implements driver.BlockStore.
func (s *BlockStore) Roots(ctx context.Context) iter.Seq2[string, error] {
	return ids(ctx, s.blocks, bson.D{{Key: "chain", Value: ""}, {Key: "height", Value: 0}})
}

// nameDoc is a document of the names collection: a chain name's claim,
// created once.
type nameDoc struct {
	ID   string `bson:"_id"`  // the name key
	Name string `bson:"name"` // the name itself, for people
	Root string `bson:"root"`
}

// ClaimName implements driver.BlockStore with insertOne into names: the
// unique _id lets exactly one racer's document in; the others read it.
func (s *BlockStore) ClaimName(ctx context.Context, key, name, root string) (string, error) {
	_, err := s.names.InsertOne(ctx, nameDoc{ID: key, Name: name, Root: root})
	if err == nil {
		return root, nil
	}
	if !mongo.IsDuplicateKeyError(err) {
		return "", err
	}
	return s.NameClaim(ctx, key)
}

// NameClaim implements driver.BlockStore.
func (s *BlockStore) NameClaim(ctx context.Context, key string) (string, error) {
	var d nameDoc
	err := s.names.FindOne(ctx, byID(key)).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return "", chain.ErrNotFound
	}
	return d.Root, err
}

// After implements driver.Ranger with one query on the {chain, height}
// index, and one on nexts for the blocks whose document lacks next (the
// tail, blocks that lost a race, or a lost copy).
func (s *BlockStore) After(ctx context.Context, chainID string, height uint64, limit int) ([]driver.RawBlock, error) {
	if height >= 1<<62 {
		return nil, nil
	}
	cur, err := s.blocks.Find(ctx,
		bson.D{{Key: "chain", Value: chainID}, {Key: "height", Value: bson.D{{Key: "$gt", Value: int64(height)}}}},
		options.Find().SetSort(bson.D{{Key: "height", Value: 1}, {Key: "_id", Value: 1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, err
	}
	var docs []blockDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	list := make([]driver.RawBlock, len(docs))
	var unlinked []string
	at := map[string]int{}
	for i, d := range docs {
		list[i] = driver.RawBlock{ID: d.ID, Height: uint64(d.Height), Doc: d.Doc, Next: d.Next}
		if d.Next == "" {
			unlinked = append(unlinked, d.ID)
			at[d.ID] = i
		}
	}
	if len(unlinked) == 0 {
		return list, nil
	}
	cur, err = s.nexts.Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: unlinked}}}})
	if err != nil {
		return nil, err
	}
	var nexts []nextDoc
	if err := cur.All(ctx, &nexts); err != nil {
		return nil, err
	}
	for _, n := range nexts {
		if i, ok := at[n.ID]; ok {
			list[i].Next = n.Next
		}
	}
	return list, nil
}

// TailHint implements driver.TailHinter.
func (s *BlockStore) TailHint(ctx context.Context, chainID string) (string, error) {
	var d struct {
		ID string `bson:"id"`
	}
	err := s.tails.FindOne(ctx, byID(chainID)).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return "", chain.ErrNotFound
	}
	return d.ID, err
}

// SetTailHint implements driver.TailHinter.
func (s *BlockStore) SetTailHint(ctx context.Context, chainID, id string) error {
	_, err := s.tails.UpdateOne(ctx, byID(chainID),
		bson.D{{Key: "$set", Value: bson.D{{Key: "id", Value: id}}}},
		options.UpdateOne().SetUpsert(true))
	return err
}

// Close implements driver.BlockStore.
func (s *BlockStore) Close() error { return disconnect(s.db.Client()) }
