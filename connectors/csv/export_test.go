package csv

// ParseOptions is parseOptions, for the tests of package csv_test.
var ParseOptions = parseOptions
