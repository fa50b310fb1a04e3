package mongotarget

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/blockhub/blockhub/oracle"
)

var _ oracle.Emptier = (*Target)(nil)

// Empty reports whether the collection is missing or has no documents.
func (t *Target) Empty(ctx context.Context) (bool, error) {
	err := t.coll.FindOne(ctx, bson.D{}, options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err()
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return true, nil
	case err != nil:
		return false, fmt.Errorf("read %s: %w", t.coll.Name(), err)
	}
	return false, nil
}
