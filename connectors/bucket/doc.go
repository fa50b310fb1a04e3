// Package bucket is the S3 bucket connector (`bhctl import bucket`): one
// asset per object under a prefix (objects larger than the chunk size are
// cut into parts, streamed, never held whole in memory), with meta naming
// the object's key, size, etag, last-modified time, content type and user
// metadata. It talks to any S3 server through github.com/minio/minio-go/v7.
//
// Each object has its own source key, "bucket:" + endpoint/bucket/key, so
// with --prevent-dups a later run skips the objects whose etag is already
// on the chain; --manifest adds one asset listing every object of the
// run; --watch keeps polling for new or changed objects.
//
// It imports connectors and chain/store/s3store (for its URL rules).
package bucket
