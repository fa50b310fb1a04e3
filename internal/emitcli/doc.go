// Package emitcli is the command line of the emitter: standard-library
// flags over the generators of internal/emit. Run is called by
// examples/emitter (as emitter) and by bhctl (as bhctl emit), so both take
// the same commands and flags.
//
// It imports only internal/emit and the standard library.
package emitcli
