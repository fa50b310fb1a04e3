package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/blockhub/blockhub"
	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/walk"
	"github.com/blockhub/blockhub/index"
)

// minPrefix is the shortest hash prefix asset and block accept, as git's
// shortest abbreviation.
const minPrefix = 4

// maxCandidates is how many matches of an ambiguous prefix are listed.
const maxCandidates = 10

// hashArg is what the HASH or ID argument of asset and block says: a
// whole hash, a prefix of one, or (block only) a height.
type hashArg struct {
	full   string // a whole hash or id
	prefix string // a prefix to look up in the chain's index
	height int64  // a height, or -1
}

// parseHashArg checks the argument of asset (heights false) or block
// (heights true). A whole sha256 or md5 digest is taken as it is; shorter
// lower-case hex of at least minPrefix digits is a prefix. With heights, a
// decimal number (digits only, shorter than an id) is a height: that is
// what users type, and an id prefix of digits alone is rare enough to
// need a letter more.
func parseHashArg(what, s string, heights bool) (hashArg, error) {
	a := hashArg{height: -1}
	if heights && s != "" && strings.Trim(s, "0123456789") == "" && len(s) != chain.SHA256.HexLen() && len(s) != chain.MD5.HexLen() {
		h, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return a, usagef("%s %q: want a height, an id or a prefix of one", what, s)
		}
		a.height = h
		return a, nil
	}
	if s == "" || strings.Trim(s, "0123456789abcdef") != "" {
		if heights {
			return a, usagef("%s %q: want a height, an id or a prefix of one (lower-case hex)", what, s)
		}
		return a, usagef("%s %q: want a hash or a prefix of one (lower-case hex)", what, s)
	}
	switch len(s) {
	case chain.SHA256.HexLen(), chain.MD5.HexLen():
		a.full = s
	default:
		if len(s) < minPrefix {
			return a, usagef("%s %q: a prefix needs at least %d hex digits", what, s, minPrefix)
		}
		if len(s) > chain.SHA256.HexLen() {
			return a, usagef("%s %q: longer than a hash", what, s)
		}
		a.prefix = s
	}
	return a, nil
}

// errNoMatch and errAmbiguous are what a prefix lookup fails with.
var (
	errNoMatch   = errors.New("matches nothing")
	errAmbiguous = errors.New("is ambiguous")
)

// resolvePrefix finds the one hash (assets) or block id (blocks) on the
// chain rooted at root that starts with prefix, through the chain's index
// (index/<chain id>.db in the home, brought up to date first): its keys
// are sorted, so a prefix costs one seek, where the store's listing would
// cost a scan of every asset of every chain.
//
// While another process holds the index (an import with --prevent-dups
// holds it for its whole run), the chain is walked instead.
func resolvePrefix(ctx context.Context, h *blockhub.Hub, root chain.Block, chainName, what, prefix string, blocks bool) (string, error) {
	var got []string
	x, err := index.OpenWait(ctx, h.Home, h.Blocks, root, indexWait)
	switch {
	case errors.Is(err, index.ErrBusy):
		if got, err = walkPrefix(ctx, h, root, prefix, blocks, maxCandidates+1); err != nil {
			return "", err
		}
	case err != nil:
		return "", err
	case blocks:
		got = x.BlocksWithPrefix(prefix, maxCandidates+1)
		x.Close()
	default:
		got = x.AssetsWithPrefix(prefix, maxCandidates+1)
		x.Close()
	}
	switch len(got) {
	case 0:
		return "", fmt.Errorf("%s prefix %s: %w on chain %q", what, prefix, errNoMatch, chainName)
	case 1:
		return got[0], nil
	}
	list := got
	more := ""
	if len(got) > maxCandidates {
		list, more = got[:maxCandidates], ", ..."
	}
	return "", fmt.Errorf("%s prefix %s: %w on chain %q: %s%s", what, prefix, errAmbiguous, chainName, strings.Join(list, ", "), more)
}

// indexWait is how long a lookup waits for the index before it walks the
// chain instead.
var indexWait = 2 * time.Second

// walkPrefix is what the index answers, read from the chain itself: up to
// limit block ids (blocks) or asset hashes that start with prefix, sorted.
func walkPrefix(ctx context.Context, h *blockhub.Hub, root chain.Block, prefix string, blocks bool, limit int) ([]string, error) {
	seen := map[string]bool{}
	for b, err := range h.Walker(root).All(ctx, nil) {
		if err != nil {
			return nil, err
		}
		if blocks {
			if strings.HasPrefix(b.ID, prefix) {
				seen[b.ID] = true
			}
			continue
		}
		for _, r := range b.Assets {
			if strings.HasPrefix(r.Hash, prefix) {
				seen[r.Hash] = true
			}
		}
	}
	got := slices.Sorted(maps.Keys(seen))
	return got[:min(limit, len(got))], nil
}

// assetPosition returns the height and index of the asset's latest
// listing on the chain, from the index or, while it is busy, the chain.
func assetPosition(ctx context.Context, h *blockhub.Hub, root chain.Block, hash string) (height uint64, i int, ok bool, err error) {
	x, err := index.OpenWait(ctx, h.Home, h.Blocks, root, indexWait)
	if err == nil {
		height, i, ok = x.Position(hash)
		return height, i, ok, x.Close()
	}
	if !errors.Is(err, index.ErrBusy) {
		return 0, 0, false, err
	}
	for b, err := range h.Walker(root).All(ctx, nil) {
		if err != nil {
			return 0, 0, false, err
		}
		for j, r := range b.Assets {
			if r.Hash == hash {
				height, i, ok = b.Height, j, true
			}
		}
	}
	return height, i, ok, nil
}

// blockAt returns the block at height on the chain rooted at root, as the
// walker reads it (every link checked on the way).
func blockAt(ctx context.Context, h *blockhub.Hub, root chain.Block, height int64) (chain.Block, error) {
	n := strconv.FormatInt(height, 10)
	for b, err := range h.Walker(root).All(ctx, &walk.Options{From: n, To: n}) {
		if err != nil {
			return chain.Block{}, err
		}
		return b, nil
	}
	tail, err := h.Blocks.Tail(ctx, root.ID)
	if err != nil {
		return chain.Block{}, err
	}
	return chain.Block{}, fmt.Errorf("block at height %d: %w: the chain's tail is at height %d", height, chain.ErrNotFound, tail.Height)
}
