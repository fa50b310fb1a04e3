package connectors

// LockResume is lockResume, for the tests of package connectors_test.
var LockResume = lockResume
