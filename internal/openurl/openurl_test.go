package openurl_test

import (
	"slices"
	"testing"

	"github.com/blockhub/blockhub/internal/openurl"
)

func TestRegistry(t *testing.T) {
	r := openurl.New[int]("test: scheme")
	r.Register("b", 2)
	r.Register("a", 1)
	if got, want := r.Schemes(), []string{"a", "b"}; !slices.Equal(got, want) {
		t.Errorf("Schemes() = %v; want %v", got, want)
	}
	if got, ok := r.Lookup("b"); !ok || got != 2 {
		t.Errorf("Lookup(b) = %v, %v; want 2, true", got, ok)
	}
	if got, ok := r.Lookup("c"); ok {
		t.Errorf("Lookup(c) = %v, true; want false", got)
	}
}

func TestRegisterTwicePanics(t *testing.T) {
	r := openurl.New[int]("test: scheme")
	r.Register("a", 1)
	defer func() {
		if got, want := recover(), "test: scheme a registered twice"; got != want {
			t.Errorf("second Register panicked with %v; want %q", got, want)
		}
	}()
	r.Register("a", 2)
}
