package emit

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ParseSize reads a size in bytes: a number with an optional unit K, M, G or
// T (powers of 1024), which may be followed by B or iB and may be lower
// case: "512", "64k", "10M", "1G", "1.5GB", "2MiB". A bare B means bytes.
func ParseSize(s string) (int64, error) {
	num := strings.TrimSpace(s)
	lower := strings.ToLower(num)
	for _, suffix := range []string{"ib", "b"} {
		if strings.HasSuffix(lower, suffix) {
			lower = strings.TrimSuffix(lower, suffix)
			break
		}
	}
	mult := 1.0
	if n := len(lower); n > 0 {
		switch lower[n-1] {
		case 'k':
			mult = 1 << 10
		case 'm':
			mult = 1 << 20
		case 'g':
			mult = 1 << 30
		case 't':
			mult = 1 << 40
		}
		if mult > 1 {
			lower = lower[:n-1]
		}
	}
	lower = strings.TrimSpace(lower)
	if lower == "" || strings.ContainsAny(lower, "+-eEnNxXpP_") {
		return 0, fmt.Errorf("bad size %q (want a number of bytes, optionally with K, M, G or T)", s)
	}
	if n, err := strconv.ParseInt(lower, 10, 64); err == nil && mult == 1 {
		return n, nil
	}
	f, err := strconv.ParseFloat(lower, 64)
	if err != nil {
		return 0, fmt.Errorf("bad size %q (want a number of bytes, optionally with K, M, G or T)", s)
	}
	if f*mult >= math.MaxInt64 {
		return 0, fmt.Errorf("size %q is too large", s)
	}
	return int64(f * mult), nil
}
