package sensitive

import (
	"fmt"
	"testing"
)

func TestScan(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"name,ssn\nbob,123-45-6789\n", "[{ssn 2}]"},
		{"ssn 000-12-3456 and 666-12-3456 and 900-12-3456", "[]"},
		{"card 4111 1111 1111 1111 ok", "[{card 1}]"},
		{"card 4111-1111-1111-1112 bad luhn", "[]"},
		{"order 1234567890123 qty 2", "[]"},
		{"modified 1764145800000 ms", "[]"},
		{"amex 3782 822463 10005", "[{card 1}]"},
		{"mc 5555555555554444", "[{card 1}]"},
		{"x\n-----BEGIN RSA PRIVATE KEY-----\nMII...", "[{private-key 2}]"},
		{"key=AKIAIOSFODNN7EXAMPLE", "[{aws-key 1}]"},
		{"plain,csv,data\n1,2,3\n", "[]"},
	}
	for _, tt := range tests {
		if got := fmt.Sprint(Scan([]byte(tt.in))); got != tt.want {
			t.Errorf("Scan(%q) = %s; want %s", tt.in, got, tt.want)
		}
	}
}

func FuzzScan(f *testing.F) {
	f.Add([]byte("4111 1111 1111 1111 123-45-6789"))
	f.Fuzz(func(t *testing.T, b []byte) { Scan(b) })
}

func BenchmarkScanNumericCSV(b *testing.B) {
	var data []byte
	for i := range 20000 {
		data = append(data, []byte(fmt.Sprintf("%d,%d,ORD-%06d,2026-11-26T08:00:00Z,%d.%02d,paid\n", i, i*7919, i, i%500, i%100))...)
	}
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for range b.N {
		Scan(data)
	}
}
