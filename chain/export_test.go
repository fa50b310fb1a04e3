package chain

// The two paths of DecodeBlock, for the tests that hold them to agree.
var (
	DecodeCanonical = decodeCanonical
	DecodeGeneral   = decodeGeneral
)

// CanonicalMeta is canonicalMeta, for the test that holds its quick check
// to jcs.
var CanonicalMeta = canonicalMeta
