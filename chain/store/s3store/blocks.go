package s3store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store/driver"
)

// BlockStore keeps blocks, next pointers, root markers and tail hints as
// objects.
type BlockStore struct {
	*bucket

	mu      sync.Mutex
	checked bool // the server refuses a second If-None-Match: * PUT
}

var (
	_ driver.BlockStore = (*BlockStore)(nil)
	_ driver.TailHinter = (*BlockStore)(nil)
	_ driver.Ranger     = (*BlockStore)(nil)
)

// put writes b under key; with once, only when key does not exist yet
// (chain.ErrExists otherwise).
func (s *BlockStore) put(ctx context.Context, key string, b []byte, once bool) error {
	o := minio.PutObjectOptions{ContentType: "application/json", DisableMultipart: true}
	if once {
		o.SetMatchETagExcept("*")
	}
	_, err := s.c.PutObject(ctx, s.name, key, bytes.NewReader(b), int64(len(b)), o)
	return err
}

// read returns the object's bytes; chain.ErrNotFound when absent.
func (s *BlockStore) read(ctx context.Context, op, key string) ([]byte, error) {
	obj, err := s.c.GetObject(ctx, s.name, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, s.err(op, err)
	}
	defer obj.Close()
	b, err := io.ReadAll(obj)
	if err != nil {
		return nil, s.err(op, err)
	}
	return b, nil
}

// checkConditional makes sure, once per store, that the server refuses a
// create-only PUT of a key that exists. A server that ignores If-None-Match
// would let two builders both set next, forking the chain.
func (s *BlockStore) checkConditional(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.checked {
		return nil
	}
	key := s.key("blocks", "conditional-write-check")
	mark := []byte("this object checks that the server honours If-None-Match\n")
	if err := s.put(ctx, key, mark, true); err != nil && !errors.Is(s.err("", err), chain.ErrExists) {
		return s.err("check conditional writes", err)
	}
	err := s.put(ctx, key, mark, true)
	if err == nil {
		return fmt.Errorf("server %s ignores If-None-Match: it cannot keep next set-once, so blocks are not written there (use MinIO, AWS S3 or another server with conditional writes)", s.host)
	}
	if !errors.Is(s.err("", err), chain.ErrExists) {
		return s.err("check conditional writes", err)
	}
	s.checked = true
	return nil
}

// Create implements driver.BlockStore.
func (s *BlockStore) Create(ctx context.Context, info driver.BlockInfo, doc []byte) error {
	if err := s.checkConditional(ctx); err != nil {
		return err
	}
	err := s.err("create block", s.put(ctx, s.shardKey("blocks", info.ID, ".block"), doc, true))
	if err != nil && !errors.Is(err, chain.ErrExists) {
		return err
	}
	// Also on ErrExists: a creator that stopped between the block and its
	// marker left it unlisted, and retrying heals it.
	if info.Height == 0 {
		if merr := s.put(ctx, s.key("blocks", "roots", info.ID), nil, false); merr != nil {
			return s.err("mark root", merr)
		}
	} else if chain.IsHex(info.Chain) {
		if merr := s.put(ctx, s.heightKey(info.Chain, info.Height, info.ID), nil, false); merr != nil {
			return s.err("index block", merr)
		}
	}
	return err
}

// heightKey is the empty object that lists a block under its chain and
// height, for After: blocks/chains/<chain>/<height, 20 digits>-<id>.
func (s *BlockStore) heightKey(chainID string, height uint64, id string) string {
	return s.key("blocks", "chains", chainID, fmt.Sprintf("%020d-%s", height, id))
}

// fetchers bounds the block reads After has in flight.
const fetchers = 16

// After implements driver.Ranger: one listing of the chain's height index
// names the blocks, then up to 16 are read at a time. A block whose index
// object is missing (its creator stopped in between) is left out; the
// walker then reads it by id.
func (s *BlockStore) After(ctx context.Context, chainID string, height uint64, limit int) ([]driver.RawBlock, error) {
	if !chain.IsHex(chainID) {
		return nil, fmt.Errorf("after: %w chain id %q", chain.ErrInvalid, chainID)
	}
	if limit <= 0 {
		return nil, nil
	}
	dir := s.key("blocks", "chains", chainID) + "/"
	list, err := s.heights(ctx, dir, height, limit)
	if err != nil {
		return nil, err
	}
	return s.fill(ctx, list)
}

// heights lists up to limit blocks above height from the index under dir.
func (s *BlockStore) heights(ctx context.Context, dir string, height uint64, limit int) ([]driver.RawBlock, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops the client's listing goroutine
	var out []driver.RawBlock
	// Keys at height h start "<h, 20 digits>-"; '~' sorts after '-'.
	opts := minio.ListObjectsOptions{Prefix: dir, StartAfter: dir + fmt.Sprintf("%020d~", height), MaxKeys: min(limit, 1000)}
	for obj := range s.c.ListObjects(ctx, s.name, opts) {
		if obj.Err != nil {
			return nil, s.err("list heights", obj.Err)
		}
		h, id, ok := parseHeightKey(strings.TrimPrefix(obj.Key, dir))
		if !ok || h <= height {
			continue
		}
		out = append(out, driver.RawBlock{ID: id, Height: h})
		if len(out) == limit {
			break
		}
	}
	return out, nil
}

// fill reads the document and next of each block, several at a time,
// dropping those that are gone.
func (s *BlockStore) fill(ctx context.Context, list []driver.RawBlock) ([]driver.RawBlock, error) {
	errs := make([]error, len(list))
	sem := make(chan struct{}, fetchers)
	var wg sync.WaitGroup
	for i := range list {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			list[i].Doc, list[i].Next, errs[i] = s.Get(ctx, list[i].ID)
		})
	}
	wg.Wait()
	kept := list[:0]
	for i, rb := range list {
		switch {
		case errs[i] == nil:
			kept = append(kept, rb)
		case !errors.Is(errs[i], chain.ErrNotFound):
			return nil, errs[i]
		}
	}
	return kept, nil
}

// parseHeightKey reads "<height>-<id>".
func parseHeightKey(name string) (uint64, string, bool) {
	hs, id, ok := strings.Cut(name, "-")
	if !ok || len(hs) != 20 || !chain.IsHex(id) {
		return 0, "", false
	}
	h, err := strconv.ParseUint(hs, 10, 64)
	return h, id, err == nil
}

// Get implements driver.BlockStore. It reads the document and the next
// pointer at the same time.
func (s *BlockStore) Get(ctx context.Context, id string) ([]byte, string, error) {
	var (
		next    []byte
		nextErr error
		wg      sync.WaitGroup
	)
	wg.Go(func() {
		next, nextErr = s.read(ctx, "get next", s.shardKey("blocks", id, ".next"))
	})
	doc, err := s.read(ctx, "get block", s.shardKey("blocks", id, ".block"))
	wg.Wait()
	if err != nil {
		return nil, "", err
	}
	if errors.Is(nextErr, chain.ErrNotFound) {
		return doc, "", nil
	}
	if nextErr != nil {
		return nil, "", nextErr
	}
	return doc, strings.TrimSpace(string(next)), nil
}

// SetNext implements driver.BlockStore: it creates the block's .next
// object with If-None-Match: *, so the server picks one winner.
func (s *BlockStore) SetNext(ctx context.Context, id, next string) error {
	if err := s.checkConditional(ctx); err != nil {
		return err
	}
	if _, err := s.c.StatObject(ctx, s.name, s.shardKey("blocks", id, ".block"), minio.StatObjectOptions{}); err != nil {
		return s.err("set next", err)
	}
	key := s.shardKey("blocks", id, ".next")
	for attempt := 0; ; attempt++ {
		err := s.put(ctx, key, []byte(next), true)
		if err == nil {
			return nil
		}
		if minio.ToErrorResponse(err).Code == "ConditionalRequestConflict" && attempt < 20 {
			// Another conditional write on the key is in flight (AWS
			// answers 409): once it lands, the next try gets 412.
			time.Sleep(time.Duration(attempt+1) * 10 * time.Millisecond)
			continue
		}
		if err := s.err("set next", err); !errors.Is(err, chain.ErrExists) {
			return err
		}
		cur, err := s.read(ctx, "read next", key)
		if err != nil {
			return err
		}
		if c := strings.TrimSpace(string(cur)); c != next {
			return fmt.Errorf("%w (to %s)", chain.ErrNextSet, c)
		}
		return nil
	}
}

// ClaimName implements driver.BlockStore: it creates the object
// blocks/names/<key>, holding the root id, with If-None-Match: *, so the
// server picks one winner, as SetNext does for next.
func (s *BlockStore) ClaimName(ctx context.Context, key, _, root string) (string, error) {
	if err := s.checkConditional(ctx); err != nil {
		return "", err
	}
	obj := s.key("blocks", "names", key)
	for attempt := 0; ; attempt++ {
		err := s.put(ctx, obj, []byte(root), true)
		if err == nil {
			return root, nil
		}
		if minio.ToErrorResponse(err).Code == "ConditionalRequestConflict" && attempt < 20 {
			time.Sleep(time.Duration(attempt+1) * 10 * time.Millisecond)
			continue
		}
		if err := s.err("claim name", err); !errors.Is(err, chain.ErrExists) {
			return "", err
		}
		return s.NameClaim(ctx, key)
	}
}

// NameClaim implements driver.BlockStore.
func (s *BlockStore) NameClaim(ctx context.Context, key string) (string, error) {
	b, err := s.read(ctx, "read name", s.key("blocks", "names", key))
	return strings.TrimSpace(string(b)), err
}

// Roots implements driver.BlockStore.
func (s *BlockStore) Roots(ctx context.Context) iter.Seq2[string, error] {
	return s.list(ctx, s.key("blocks", "roots")+"/", "")
}

// TailHint implements driver.TailHinter.
func (s *BlockStore) TailHint(ctx context.Context, chainID string) (string, error) {
	if !chain.IsHex(chainID) {
		return "", fmt.Errorf("tail hint: %w chain id %q", chain.ErrInvalid, chainID)
	}
	b, err := s.read(ctx, "tail hint", s.key("blocks", "tails", chainID))
	return strings.TrimSpace(string(b)), err
}

// SetTailHint implements driver.TailHinter; the hint is overwritten freely.
func (s *BlockStore) SetTailHint(ctx context.Context, chainID, id string) error {
	if !chain.IsHex(chainID) || !chain.IsHex(id) {
		return fmt.Errorf("set tail hint: %w ids %q, %q", chain.ErrInvalid, chainID, id)
	}
	return s.err("set tail hint", s.put(ctx, s.key("blocks", "tails", chainID), []byte(id), false))
}

// Close implements driver.BlockStore.
func (s *BlockStore) Close() error { return s.close() }
