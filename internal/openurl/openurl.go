// Package openurl holds a registry of openers by URL scheme, the piece the
// store and oracle-target registries share: drivers register a scheme in
// init, a second registration of a scheme panics, and a caller that finds
// no opener lists the schemes there are.
//
// It imports the standard library only.
package openurl

import (
	"sort"
	"sync"
)

// Registry maps URL schemes to openers of type T. The zero value is not
// ready; make one with New.
type Registry[T any] struct {
	what    string
	mu      sync.RWMutex
	openers map[string]T
}

// New returns an empty registry; what names its schemes in the panic of a
// second registration ("store: scheme").
func New[T any](what string) *Registry[T] {
	return &Registry[T]{what: what, openers: map[string]T{}}
}

// Register makes o the opener of scheme. It panics when the scheme is
// registered twice: that is a programming error.
func (r *Registry[T]) Register(scheme string, o T) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.openers[scheme]; dup {
		panic(r.what + " " + scheme + " registered twice")
	}
	r.openers[scheme] = o
}

// Schemes lists the registered schemes, sorted.
func (r *Registry[T]) Schemes() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	s := make([]string, 0, len(r.openers))
	for k := range r.openers {
		s = append(s, k)
	}
	sort.Strings(s)
	return s
}

// Lookup returns the opener of scheme, and false when there is none.
func (r *Registry[T]) Lookup(scheme string) (T, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	o, ok := r.openers[scheme]
	return o, ok
}
