package connectors

import "fmt"

// UsageError marks an error in how a connector was called (bad arguments
// or options): the CLI exits 2 on it.
type UsageError struct{ Err error }

func (u *UsageError) Error() string { return u.Err.Error() }
func (u *UsageError) Unwrap() error { return u.Err }

// Usagef returns a *UsageError.
func Usagef(format string, a ...any) error { return &UsageError{fmt.Errorf(format, a...)} }
