package mongostore

import (
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store/driver"
)

// cTiles holds Merkle tree tiles: {_id: "<chain id>/<name>", data}.
const cTiles = "tiles"

var _ driver.TileStore = (*BlockStore)(nil)

// GetTile implements driver.TileStore.
func (s *BlockStore) GetTile(ctx context.Context, chainID, name string) ([]byte, error) {
	var d struct {
		Data []byte `bson:"data"`
	}
	err := s.db.Collection(cTiles).FindOne(ctx, byID(chainID+"/"+name)).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, chain.ErrNotFound
	}
	if d.Data == nil {
		d.Data = []byte{}
	}
	return d.Data, err
}

// PutTile implements driver.TileStore: one document replaced whole.
func (s *BlockStore) PutTile(ctx context.Context, chainID, name string, data []byte) error {
	put := func() error {
		_, err := s.db.Collection(cTiles).ReplaceOne(ctx, byID(chainID+"/"+name),
			bson.D{{Key: "data", Value: data}}, options.Replace().SetUpsert(true))
		return err
	}
	err := put()
	if mongo.IsDuplicateKeyError(err) {
		// Two upserts of a new id raced and the other inserted first: the
		// document exists now, so replacing it succeeds.
		err = put()
	}
	return err
}
