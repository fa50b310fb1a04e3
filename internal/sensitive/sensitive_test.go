package sensitive

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
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

// FuzzScanNumbers checks that scanNumbers, which reads only the bytes
// around every minNumber-th one, finds what reading every byte finds.
func FuzzScanNumbers(f *testing.F) {
	for _, s := range []string{
		"4111 1111 1111 1111 123-45-6789",
		"a12-345-67-8901", "b 1 2 3 4 5 6 7 8 9 0 1 2", "x1 123-45-6789",
		"123-45-6789_", "12--345-67-8901 4111-1111-1111-1111",
		"1,84,Office chair,1,229.08,paid,2026-01-01T00:01:05Z\n",
		"           123-45-6789", "----------4111111111111111",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ssn, card := scanNumbers(b)
		wantSSN, wantCard := scanEveryByte(b)
		if ssn != wantSSN || card != wantCard {
			t.Errorf("scanNumbers(%q) = %d, %d; reading every byte: %d, %d", b, ssn, card, wantSSN, wantCard)
		}
	})
}

// FuzzLiterals checks literals against the regular expression for AWS
// keys and bytes.Contains for the PEM literal.
func FuzzLiterals(f *testing.F) {
	for _, s := range []string{"AKIA", "xASIA", "AAKIA", "ASI", "AKIAA", "AASIAKIA", "A", "", "I", "II",
		"AKIAIOSFODNN7EXAMPLE", "xAKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLEx", "AKIAIOSFODNN7EXAMPL",
		"AKIAAKIAIOSFODNN7EXAMPLE", "-ASIAIOSFODNN7EXAMPLE-", "AKIAIOSFODNN7EXAMPLE_", "AKIAiOSFODNN7EXAMPLE",
		"PRIVATE KEY-----", "PRIVATE KEY----", "xPRIVATE KEY-----AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE PRIVATE KEY-----"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		want := -1
		if loc := awsRE.FindIndex(b); loc != nil {
			want = loc[0]
		}
		aws, pem := literals(b)
		if aws != want {
			t.Errorf("literals(%q): AWS key at %d; the regular expression finds %d", b, aws, want)
		}
		if want := bytes.Contains(b, pemLiteral); pem != want {
			t.Errorf("literals(%q): PEM literal %v; want %v", b, pem, want)
		}
	})
}

// scanEveryByte is scanNumbers the simple way, for FuzzScanNumbers.
func scanEveryByte(data []byte) (ssn, card int) {
	return scanRuns(data, 0, len(data), -1, -1)
}

func TestScanNumbersAtEdges(t *testing.T) {
	// Numbers at every offset of a stretch, so that each lands across
	// the sampled bytes in every possible way.
	for _, num := range []string{"123-45-6789", "4111 1111 1111 1111", "5555555555554444"} {
		for pad := range 2 * minNumber {
			for _, fill := range []string{" ", "-", "x", ","} {
				in := []byte(strings.Repeat(fill, pad) + num + strings.Repeat(fill, pad%5))
				ssn, card := scanNumbers(in)
				wantSSN, wantCard := scanEveryByte(in)
				if ssn != wantSSN || card != wantCard {
					t.Errorf("scanNumbers(%q) = %d, %d; want %d, %d", in, ssn, card, wantSSN, wantCard)
				}
			}
		}
	}
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

// BenchmarkScanRandom scans random bytes, as bench/pipe.sh pipes them.
func BenchmarkScanRandom(b *testing.B) {
	data := make([]byte, 1<<20)
	rand.NewChaCha8([32]byte{1}).Read(data)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		Scan(data)
	}
}

// A Stream finds what Scan finds, across its windows too, with the line
// counted from the start of the stream.
func TestStream(t *testing.T) {
	filler := bytes.Repeat([]byte("just some words\n"), streamWindow/16-1)
	data := append(append([]byte{}, filler...), []byte("card 4111 1111 1111 1111 and\nssn 078-05-1120\n")...)
	var s Stream
	for i := 0; i < len(data); i += 4093 { // writes of odd sizes
		s.Write(data[i:min(i+4093, len(data))])
	}
	got := s.Findings()
	lines := bytes.Count(filler, []byte("\n"))
	want := map[string]int{"card": lines + 1, "ssn": lines + 2}
	if len(got) != len(want) {
		t.Fatalf("got %v; want %v", got, want)
	}
	for _, f := range got {
		if want[f.Kind] != f.Line {
			t.Errorf("%s on line %d; want line %d", f.Kind, f.Line, want[f.Kind])
		}
	}
}
