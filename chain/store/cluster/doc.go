// Package cluster makes several stores one: an asset store or a block
// store whose objects live on its members (any store URLs: s3://,
// mysql://, folders, mem://) by a policy:
//
//   - mirror (the default): every write goes to every member and needs all
//     of them; reads come from the first member that has the object.
//   - quorum=N: every write goes to every member and succeeds when N took
//     it; block reads ask members-N+1 members, so every read meets every
//     write that succeeded.
//   - shard=N: each object goes to N members chosen by its hash
//     (rendezvous hashing, so adding a member moves only what it gains);
//     a member that fails is replaced by the next one in the object's
//     order.
//
// Members are ordered by their URL without credentials or options, so
// every process given the same members agrees on the order; give every
// process the same members and policy.
//
// Reads fall back to the other members when one fails or lacks the
// object, and a block copy that does not check out is passed over for one
// that does. A member that fails is asked last (reads) and left out of
// writes that others can complete, for a few seconds, so a server that is
// down costs one timeout now and then, not one per call. A member that
// cannot be opened is tried again when used, as long as enough others
// opened for the policy's writes.
//
// Set-once next. SetNext takes the block's members in order; the first one
// that answers decides: when it holds another next, the caller lost
// (chain.ErrNextSet) and nothing was written. When it took next, the rest
// take it too and the call succeeds when the policy's count of members
// hold it. While every process sees the same members up, so the same
// first member decides, exactly one racer wins. A racer that found the
// first member down while another did not can leave a member with a lost
// next; readers then take the next that a quorum holds (or, when none
// does, the first member's), SetNext agrees, and Repair counts such
// blocks as split. Choose N above half the members for block stores.
//
// Repair copies assets, blocks, next pointers and root markers to the
// members that should hold them and lack them, from copies that check
// out; stores are create-only, so it never overwrites.
//
// OpenAssets and OpenBlocks take the URLs and the policy as the command
// line gives them; NewAssets and NewBlocks take stores already open. The
// result is a store.Assets or store.Blocks like any other.
//
// It imports chain and chain/store only.
package cluster
