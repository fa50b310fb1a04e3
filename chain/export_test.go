package chain

// The two paths of DecodeBlock, for the tests that hold them to agree.
var (
	DecodeCanonical = decodeCanonical
	DecodeGeneral   = decodeGeneral
)
