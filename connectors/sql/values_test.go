package sql

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/blockhub/blockhub/internal/mysqlconn"
)

func TestValue(t *testing.T) {
	tests := []struct {
		k    kind
		raw  []byte
		want any
	}{
		{kindInt, nil, nil},
		{kindInt, []byte("-12"), json.Number("-12")},
		{kindFloat, []byte("1.5e-7"), json.Number("1.5e-7")},
		{kindFloat, []byte("inf"), "inf"},
		{kindDecimal, []byte("0.10"), "0.10"},
		{kindBinary, []byte{0, 255}, "AP8="},
		{kindBinary, []byte{}, ""},
		{kindBit, []byte{1, 0}, json.Number("256")},
		{kindDateTime, []byte("2026-01-02 03:04:05.5"), "2026-01-02T03:04:05.5Z"},
		{kindDateTime, []byte("0000-00-00 00:00:00"), "0000-00-00 00:00:00"},
		{kindDateTime, []byte("2026-00-00 00:00:00"), "2026-00-00 00:00:00"},
		{kindDate, []byte("2026-01-02"), "2026-01-02"},
		{kindText, []byte("x"), "x"},
	}
	for _, tt := range tests {
		if got := value(tt.k, tt.raw); got != tt.want {
			t.Errorf("value(%d, %q) = %#v; want %#v", tt.k, tt.raw, got, tt.want)
		}
	}
}

// TestArgRoundTrip: a value written in an asset (or a cursor in meta)
// turns back into the argument the server compares.
func TestArgRoundTrip(t *testing.T) {
	tests := []struct {
		k    kind
		raw  string
		want any
	}{
		{kindInt, "18446744073709551615", uint64(18446744073709551615)},
		{kindInt, "-9223372036854775808", int64(-9223372036854775808)},
		{kindFloat, "0.1", 0.1},
		{kindBit, "\x01\x00", uint64(256)},
		{kindDateTime, "2026-01-02 03:04:05.000001", "2026-01-02 03:04:05.000001"},
		{kindDecimal, "1.50", "1.50"},
		{kindText, "é", "é"},
	}
	for _, tt := range tests {
		v := value(tt.k, []byte(tt.raw))
		// through meta: JSON with UseNumber keeps json.Number and strings
		got, err := arg(tt.k, v)
		if err != nil || got != tt.want {
			t.Errorf("arg(%d, %#v) = %#v, %v; want %#v", tt.k, v, got, err, tt.want)
		}
	}
	b, err := arg(kindBinary, value(kindBinary, []byte{0, 1, 2}))
	if err != nil || fmt.Sprint(b) != "[0 1 2]" {
		t.Errorf("binary round trip = %v, %v", b, err)
	}
	if _, err := arg(kindInt, "x"); err == nil {
		t.Error("arg(int, x): no error")
	}
	if _, err := arg(kindInt, nil); err == nil {
		t.Error("arg(int, nil): no error")
	}
}

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{"orders": "`orders`", "a`b": "`a``b`", "x` ; DROP TABLE y; --": "`x`` ; DROP TABLE y; --`"} {
		if got := mysqlconn.Quote(in); got != want {
			t.Errorf("mysqlconn.Quote(%q) = %s; want %s", in, got, want)
		}
	}
}
