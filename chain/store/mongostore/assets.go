package mongostore

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"iter"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store/driver"
	"github.com/blockhub/blockhub/chain/store/internal/pieces"
)

// ChunkSize is the size of the pieces a large asset is stored in; an asset
// of less than ChunkSize bytes is one document.
const ChunkSize = pieces.Size

// AssetStore keeps assets in the assets and asset_chunks collections.
type AssetStore struct {
	db     *mongo.Database
	assets *mongo.Collection
	chunks *mongo.Collection
}

var _ driver.AssetStore = (*AssetStore)(nil)

// assetDoc is a document of the assets collection: the bytes themselves
// (Chunks 0) or the upload whose Chunks pieces hold them.
type assetDoc struct {
	ID     string `bson:"_id"`
	Length int64  `bson:"length"`
	Chunks int64  `bson:"chunks"`
	Upload string `bson:"upload,omitempty"`
	Data   []byte `bson:"data,omitempty"`
}

// chunkDoc is a document of the asset_chunks collection.
type chunkDoc struct {
	ID     string `bson:"_id"` // upload.seq
	Hash   string `bson:"hash"`
	Upload string `bson:"upload"`
	Seq    int64  `bson:"seq"`
	Data   []byte `bson:"data"`
}

func chunkID(upload string, seq int64) string { return fmt.Sprintf("%s.%d", upload, seq) }

// Put implements driver.AssetStore. An asset that fits in one piece is one
// insert; a larger one is written a piece at a time under a fresh upload
// id, and its assets document goes in last, once r has reached io.EOF
// without error.
func (s *AssetStore) Put(ctx context.Context, hash string, r io.Reader, _ int64) error {
	err := s.assets.FindOne(ctx, byID(hash), options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err()
	if err == nil {
		return chain.ErrExists
	}
	if !errors.Is(err, mongo.ErrNoDocuments) {
		return err
	}
	bp := pieces.Buffer()
	defer pieces.Release(bp)
	buf := *bp
	n, eof, err := pieces.Fill(r, buf)
	if err != nil {
		return err
	}
	if !eof {
		return s.putChunks(ctx, hash, r, buf, n)
	}
	_, err = s.assets.InsertOne(ctx, assetDoc{ID: hash, Length: int64(n), Data: buf[:n:n]})
	if mongo.IsDuplicateKeyError(err) {
		return chain.ErrExists
	}
	return err
}

// putChunks stores an asset whose first n bytes are in buf and the rest
// in r.
func (s *AssetStore) putChunks(ctx context.Context, hash string, r io.Reader, buf []byte, n int) (err error) {
	var id [8]byte
	rand.Read(id[:])
	upload := hex.EncodeToString(id[:])
	var seq, total int64
	defer func() {
		if err != nil && seq > 0 {
			s.dropUpload(ctx, upload)
		}
	}()
	for eof := false; ; {
		if n > 0 {
			d := chunkDoc{ID: chunkID(upload, seq), Hash: hash, Upload: upload, Seq: seq, Data: buf[:n]}
			if _, err := s.chunks.InsertOne(ctx, d); err != nil {
				return fmt.Errorf("piece %d: %w", seq, err)
			}
			seq++
			total += int64(n)
		}
		if eof {
			break
		}
		if n, eof, err = pieces.Fill(r, buf); err != nil {
			return err
		}
	}
	_, err = s.assets.InsertOne(ctx, assetDoc{ID: hash, Length: total, Chunks: seq, Upload: upload})
	if mongo.IsDuplicateKeyError(err) {
		return chain.ErrExists // another Put got there first; ours goes
	}
	return err
}

// dropUpload deletes the pieces of an upload that did not make it, even
// when ctx has ended.
func (s *AssetStore) dropUpload(ctx context.Context, upload string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	// Ids "<upload>.<seq>" sort between "<upload>." and "<upload>/".
	_, _ = s.chunks.DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{
		{Key: "$gte", Value: upload + "."},
		{Key: "$lt", Value: upload + "/"},
	}}})
}

// Get implements driver.AssetStore. A chunked asset is read a piece at a
// time, one query each, as the caller reads.
func (s *AssetStore) Get(ctx context.Context, hash string) (io.ReadCloser, error) {
	var d assetDoc
	err := s.assets.FindOne(ctx, byID(hash)).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, chain.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if d.Chunks == 0 {
		return io.NopCloser(bytes.NewReader(d.Data)), nil
	}
	return &chunkReader{ctx: ctx, s: s, upload: d.Upload, chunks: d.Chunks}, nil
}

// chunkReader reads a chunked asset's pieces in order.
type chunkReader struct {
	ctx    context.Context
	s      *AssetStore
	upload string
	chunks int64
	seq    int64  // next piece to fetch
	cur    []byte // unread bytes of the current piece
}

func (c *chunkReader) Read(p []byte) (int, error) {
	for len(c.cur) == 0 {
		if c.seq >= c.chunks {
			return 0, io.EOF
		}
		var d chunkDoc
		err := c.s.chunks.FindOne(c.ctx, byID(chunkID(c.upload, c.seq))).Decode(&d)
		if errors.Is(err, mongo.ErrNoDocuments) {
			return 0, fmt.Errorf("%w: piece %d of %d is missing", chain.ErrTampered, c.seq, c.chunks)
		}
		if err != nil {
			return 0, fmt.Errorf("piece %d: %w", c.seq, err)
		}
		c.cur = d.Data
		c.seq++
	}
	n := copy(p, c.cur)
	c.cur = c.cur[n:]
	return n, nil
}

func (c *chunkReader) Close() error {
	c.cur, c.seq = nil, c.chunks
	return nil
}

// Stat implements driver.AssetStore.
func (s *AssetStore) Stat(ctx context.Context, hash string) (int64, error) {
	var d struct {
		Length int64 `bson:"length"`
	}
	err := s.assets.FindOne(ctx, byID(hash), options.FindOne().SetProjection(bson.D{{Key: "length", Value: 1}})).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return 0, chain.ErrNotFound
	}
	return d.Length, err
}

// All implements driver.AssetStore.
func (s *AssetStore) All(ctx context.Context) iter.Seq2[string, error] {
	return ids(ctx, s.assets, bson.D{})
}

// Close implements driver.AssetStore.
func (s *AssetStore) Close() error { return disconnect(s.db.Client()) }

// ids yields the _id of every document of c that filter matches.
func ids(ctx context.Context, c *mongo.Collection, filter bson.D) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		cur, err := c.Find(ctx, filter, options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
		if err != nil {
			yield("", err)
			return
		}
		defer cur.Close(context.WithoutCancel(ctx))
		for cur.Next(ctx) {
			var d struct {
				ID string `bson:"_id"`
			}
			if err := cur.Decode(&d); err != nil {
				yield("", err)
				return
			}
			if !yield(d.ID, nil) {
				return
			}
		}
		if err := cur.Err(); err != nil {
			yield("", err)
		}
	}
}
