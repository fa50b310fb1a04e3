package emit

import (
	"strconv"
	"testing"
)

func TestParseSize(t *testing.T) {
	tests := []struct {
		in      string
		want    int64
		wantErr bool
	}{
		{"0", 0, false},
		{"512", 512, false},
		{"512B", 512, false},
		{"1K", 1 << 10, false},
		{"1k", 1 << 10, false},
		{"64KB", 64 << 10, false},
		{"64kb", 64 << 10, false},
		{"10M", 10 << 20, false},
		{"10MB", 10 << 20, false},
		{"2MiB", 2 << 20, false},
		{"1G", 1 << 30, false},
		{"1gb", 1 << 30, false},
		{"1.5G", 3 << 29, false},
		{" 3 MB ", 3 << 20, false},
		{"2T", 2 << 40, false},
		{"9223372036854775807", 1<<63 - 1, false},
		{"", 0, true},
		{"G", 0, true},
		{"KB", 0, true},
		{"-1M", 0, true},
		{"1e6", 0, true},
		{"0x10", 0, true},
		{"ten", 0, true},
		{"1Q", 0, true},
		{"inf", 0, true},
		{"NaN", 0, true},
		{"99999999T", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseSize(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseSize(%q) error = %v, want error: %v", tt.in, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("ParseSize(%q) = %d, want %d", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"1", "10M", "1.5gb", "2MiB", "-3", "1e3", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseSize(s)
		if err != nil {
			return
		}
		if n < 0 {
			t.Fatalf("ParseSize(%q) = %d, negative", s, n)
		}
		if m, err := ParseSize(strconv.FormatInt(n, 10)); err != nil || m != n {
			t.Fatalf("ParseSize(%q) = %d, which reads back as %d, %v", s, n, m, err)
		}
	})
}
