// Package s3store keeps assets and blocks in an S3 bucket (MinIO, AWS S3 or
// any server that speaks the S3 API and honours conditional writes), under
// the s3:// scheme, through github.com/minio/minio-go/v7.
//
// The URL names the server, the bucket and an optional prefix:
//
//	s3://[key:secret@]host[:port]/bucket[/prefix]?secure=false&region=us-east-1&retries=3
//
// The access key and secret come from the URL, else from BH_S3_ACCESS_KEY
// and BH_S3_SECRET_KEY; with neither, requests go unsigned (public
// buckets). They are never printed: every error names the store through
// store.Redact and is scrubbed of the secret. secure defaults to true
// (https). The bucket is created when it does not exist and the
// credentials allow it.
//
// Objects under the prefix use the folder store's layout, so a folder
// store copied into a bucket (mc mirror .bh s3/bucket/prefix) reads back
// as an S3 store and the other way round:
//
//	assets/ab/abcd....blob     one object per asset, sharded by the first two hex digits
//	blocks/ab/abcd....block    the block's canonical JSON, without next
//	blocks/ab/abcd....next     the id of the following block, created once
//	blocks/roots/<id>          one empty object per chain root
//	blocks/tails/<chain id>    the last tail seen (a hint, rewritten freely)
//	blocks/chains/<chain id>/<height, 20 digits>-<id>
//	                           one empty object per block: the index After lists
//
// Shards cost nothing on S3 and keep the folders a MinIO server writes on
// disk small. The height index makes the block store a driver.Ranger, so a
// walker lists the next blocks once and reads them 16 at a time instead of
// one round trip per block; a block missing from it is still read by id.
//
// Writes that must happen once use the conditional PUT "If-None-Match: *",
// which the server refuses with 412 Precondition Failed when the key
// exists: creating a block, and setting next, which creates the block's
// .next object, so of two builders racing to extend a tail exactly one
// wins, with no read-then-write between them. Before its first write a
// block store checks once that the server honours the header, and refuses
// to write where it does not, since set-once next would silently break.
//
// An asset is read through the caller's verifying reader to its end before
// the upload completes: up to 16 MiB are buffered and sent in one PUT,
// larger assets go as a multipart upload that is aborted, never completed,
// when the bytes turn out not to match their hash.
//
// Requests are retried a few times (retries=, default 3) and connections
// time out after 5 s, so a server that is down gives a one-line error
// within seconds instead of hanging.
package s3store
