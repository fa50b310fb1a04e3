package index

import (
	"bytes"

	bolt "go.etcd.io/bbolt"
)

// AssetsWithPrefix returns up to limit hashes of assets on the chain that
// start with prefix, in order. Keys are sorted in the index, so the cost
// is one seek and the matches, whatever the chain's length.
func (x *Index) AssetsWithPrefix(prefix string, limit int) []string {
	return x.withPrefix(bucketAssets, prefix, limit)
}

// BlocksWithPrefix returns up to limit ids of blocks on the chain that
// start with prefix, in order.
func (x *Index) BlocksWithPrefix(prefix string, limit int) []string {
	return x.withPrefix(bucketBlocks, prefix, limit)
}

func (x *Index) withPrefix(bucket []byte, prefix string, limit int) []string {
	var out []string
	p := []byte(prefix)
	x.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucket)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, _ := c.Seek(p); k != nil && bytes.HasPrefix(k, p) && len(out) < limit; k, _ = c.Next() {
			out = append(out, string(k))
		}
		return nil
	})
	return out
}
