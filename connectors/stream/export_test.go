package stream

// ParseOptions is parseOptions, for the tests of package stream_test.
var ParseOptions = parseOptions
