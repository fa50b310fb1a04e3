package merkle

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/blockhub/blockhub/chain"
)

// ErrProof is matched by errors of a proof that does not check out.
var ErrProof = fmt.Errorf("%w: proof does not verify", chain.ErrTampered)

// Inclusion is the proof that a receipt is leaf LeafIndex of the tree of
// TreeSize leaves whose hash is Root (RFC 6962 audit path, lower-case
// hex), as bhctl prove prints it. Receipt is the leaf itself (the
// receipt's canonical JSON), so the proof checks offline.
type Inclusion struct {
	Hash      string          `json:"hash"`
	LeafIndex int64           `json:"leaf_index"`
	TreeSize  int64           `json:"tree_size"`
	Root      string          `json:"root"`
	Proof     []string        `json:"proof"`
	Block     string          `json:"block"`
	Height    uint64          `json:"height"`
	Index     int             `json:"index"`
	LeafHash  string          `json:"leaf_hash"`
	Receipt   json.RawMessage `json:"receipt"`
}

// Consistency is the proof that the tree of From leaves (hash FromRoot)
// is a prefix of the tree of To leaves (hash ToRoot).
type Consistency struct {
	From     int64    `json:"from"`
	To       int64    `json:"to"`
	FromRoot string   `json:"from_root"`
	ToRoot   string   `json:"to_root"`
	Proof    []string `json:"proof"`
}

// HexHash is h in lower-case hex.
func HexHash(h Hash) string { return hex.EncodeToString(h[:]) }

// ParseHexHash reads a hash in hex.
func ParseHexHash(s string) (Hash, error) {
	var h Hash
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != tlog.HashSize {
		return h, fmt.Errorf("%w hash %q: want 64 hex digits", chain.ErrInvalid, s)
	}
	copy(h[:], b)
	return h, nil
}

func hexHashes(hs []Hash) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = HexHash(h)
	}
	return out
}

func parseHashes(ss []string) ([]Hash, error) {
	out := make([]Hash, len(ss))
	for i, s := range ss {
		h, err := ParseHexHash(s)
		if err != nil {
			return nil, err
		}
		out[i] = h
	}
	return out, nil
}

// ProveInclusion proves the receipt at pos (see Leaf, Locate) against the
// tree of size leaves (0: the head's size). It reads the receipt from
// its block to put it in the proof, and checks that it hashes to the
// stored leaf.
func (t *Tree) ProveInclusion(ctx context.Context, pos Position, size int64) (Inclusion, error) {
	b, err := t.blocks.Get(ctx, pos.Block)
	if err != nil {
		return Inclusion{}, fmt.Errorf("merkle: %w", err)
	}
	if pos.Index < 0 || pos.Index >= len(b.Assets) {
		return Inclusion{}, fmt.Errorf("merkle: block %s has no receipt %d", pos.Block, pos.Index)
	}
	rc := b.Assets[pos.Index]
	leafBytes, err := rc.Canonical()
	if err != nil {
		return Inclusion{}, fmt.Errorf("merkle: %w", err)
	}
	leaf := tlog.RecordHash(leafBytes)

	t.mu.Lock()
	defer t.mu.Unlock()
	if size == 0 {
		size = t.head.Size
	}
	if size < 1 || size > t.head.Size || pos.Leaf >= size || pos.Leaf < 0 {
		return Inclusion{}, fmt.Errorf("merkle: leaf %d in a tree of size %d: want a size above the leaf, at most %d", pos.Leaf, size, t.head.Size)
	}
	r := t.hashReader(ctx)
	stored, err := r.ReadHashes([]int64{tlog.StoredHashIndex(0, pos.Leaf)})
	if err != nil {
		return Inclusion{}, err
	}
	if stored[0] != leaf {
		return Inclusion{}, fmt.Errorf("merkle: %w: leaf %d is stored as %s but block %s receipt %d hashes to %s (the block changed since the tree was made: verify the chain, or run bhctl index rebuild)",
			ErrDamaged, pos.Leaf, HexHash(stored[0]), pos.Block, pos.Index, HexHash(leaf))
	}
	root := t.head.Root
	if size != t.head.Size {
		if root, err = tlog.TreeHash(size, r); err != nil {
			return Inclusion{}, fmt.Errorf("merkle: root at %d: %w", size, err)
		}
	}
	p, err := tlog.ProveRecord(size, pos.Leaf, r)
	if err != nil {
		return Inclusion{}, fmt.Errorf("merkle: prove leaf %d in %d: %w", pos.Leaf, size, err)
	}
	return Inclusion{
		Hash: rc.Hash, LeafIndex: pos.Leaf, TreeSize: size, Root: HexHash(root), Proof: hexHashes(p),
		Block: pos.Block, Height: b.Height, Index: pos.Index, LeafHash: HexHash(leaf), Receipt: leafBytes,
	}, nil
}

// ProveConsistency proves that the tree of from leaves is a prefix of the
// tree of to leaves (0: the head's size).
func (t *Tree) ProveConsistency(ctx context.Context, from, to int64) (Consistency, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if to == 0 {
		to = t.head.Size
	}
	if from < 1 || from > to || to > t.head.Size {
		return Consistency{}, fmt.Errorf("merkle: consistency from %d to %d: want 1 <= from <= to <= %d", from, to, t.head.Size)
	}
	r := t.hashReader(ctx)
	fromRoot, err := tlog.TreeHash(from, r)
	if err != nil {
		return Consistency{}, fmt.Errorf("merkle: root at %d: %w", from, err)
	}
	toRoot, err := tlog.TreeHash(to, r)
	if err != nil {
		return Consistency{}, fmt.Errorf("merkle: root at %d: %w", to, err)
	}
	p, err := tlog.ProveTree(to, from, r)
	if err != nil {
		return Consistency{}, fmt.Errorf("merkle: prove %d in %d: %w", from, to, err)
	}
	return Consistency{From: from, To: to, FromRoot: HexHash(fromRoot), ToRoot: HexHash(toRoot), Proof: hexHashes(p)}, nil
}

// Check verifies the proof with nothing but its own numbers: the receipt
// hashes to the leaf, names the asset Hash, and the audit path leads from
// the leaf to Root.
func (p Inclusion) Check() error {
	root, err := ParseHexHash(p.Root)
	if err != nil {
		return fmt.Errorf("inclusion proof: root: %w", err)
	}
	path, err := parseHashes(p.Proof)
	if err != nil {
		return fmt.Errorf("inclusion proof: %w", err)
	}
	var leaf Hash
	switch {
	case len(p.Receipt) > 0:
		var rc chain.Receipt
		if err := json.Unmarshal(p.Receipt, &rc); err != nil {
			return fmt.Errorf("inclusion proof: %w receipt: %v", chain.ErrInvalid, err)
		}
		if rc.Hash != p.Hash {
			return fmt.Errorf("inclusion proof: %w: the receipt names asset %s, the proof %s", ErrProof, rc.Hash, p.Hash)
		}
		if leaf, err = LeafHash(rc); err != nil {
			return fmt.Errorf("inclusion proof: %w", err)
		}
		if p.LeafHash != "" && p.LeafHash != HexHash(leaf) {
			return fmt.Errorf("inclusion proof: %w: the receipt hashes to leaf %s, the proof says %s", ErrProof, HexHash(leaf), p.LeafHash)
		}
	case p.LeafHash != "":
		if leaf, err = ParseHexHash(p.LeafHash); err != nil {
			return fmt.Errorf("inclusion proof: leaf: %w", err)
		}
	default:
		return fmt.Errorf("inclusion proof: %w: neither a receipt nor a leaf hash", chain.ErrInvalid)
	}
	if p.TreeSize < 1 || p.LeafIndex < 0 || p.LeafIndex >= p.TreeSize {
		return fmt.Errorf("inclusion proof: %w: leaf %d in a tree of %d", chain.ErrInvalid, p.LeafIndex, p.TreeSize)
	}
	if err := tlog.CheckRecord(path, p.TreeSize, root, p.LeafIndex, leaf); err != nil {
		return fmt.Errorf("inclusion proof: leaf %d in tree %d: %w (%v)", p.LeafIndex, p.TreeSize, ErrProof, err)
	}
	return nil
}

// Check verifies the proof with nothing but its own numbers.
func (p Consistency) Check() error {
	fromRoot, err := ParseHexHash(p.FromRoot)
	if err != nil {
		return fmt.Errorf("consistency proof: from_root: %w", err)
	}
	toRoot, err := ParseHexHash(p.ToRoot)
	if err != nil {
		return fmt.Errorf("consistency proof: to_root: %w", err)
	}
	path, err := parseHashes(p.Proof)
	if err != nil {
		return fmt.Errorf("consistency proof: %w", err)
	}
	if p.From < 1 || p.From > p.To {
		return fmt.Errorf("consistency proof: %w: from %d to %d", chain.ErrInvalid, p.From, p.To)
	}
	if err := tlog.CheckTree(path, p.To, toRoot, p.From, fromRoot); err != nil {
		return fmt.Errorf("consistency proof: %d to %d: %w (%v)", p.From, p.To, ErrProof, err)
	}
	return nil
}
