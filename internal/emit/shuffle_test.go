package emit

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"
)

func TestShuffle(t *testing.T) {
	in := csvBytes(t, Options{Kind: Contacts, Rows: 300, Seed: 1, Tricky: true})
	shuffle := func(seed uint64) []byte {
		var out bytes.Buffer
		if err := Shuffle(&out, bytes.NewReader(in), seed); err != nil {
			t.Fatal(err)
		}
		return out.Bytes()
	}
	a := shuffle(1)
	if !bytes.Equal(a, shuffle(1)) {
		t.Error("two runs with seed 1 differ")
	}
	if bytes.Equal(a, shuffle(2)) {
		t.Error("seeds 1 and 2 give the same order")
	}
	orig, got := readCSV(t, in), readCSV(t, a)
	if !slices.Equal(got[0], orig[0]) {
		t.Fatalf("header: got %q, want %q", got[0], orig[0])
	}
	if slices.EqualFunc(got, orig, slices.Equal) {
		t.Fatal("the rows kept their order")
	}
	if !slices.Equal(sortedRecords(got[1:]), sortedRecords(orig[1:])) {
		t.Error("shuffled rows are not the same rows")
	}
}

func TestShuffleEdges(t *testing.T) {
	tests := []struct {
		name, in, want string
		wantErr        bool
	}{
		{"empty", "", "", false},
		{"header only", "a,b\n", "a,b\n", false},
		{"one row", "a,b\n1,2\n", "a,b\n1,2\n", false},
		{"ragged", "a,b\n1,2,3\n", "", true},
		{"bad quote", "a,b\n\"1,2\n", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := Shuffle(&out, strings.NewReader(tt.in), 1)
			if (err != nil) != tt.wantErr {
				t.Fatalf("got error %v, want error: %v", err, tt.wantErr)
			}
			if !tt.wantErr && out.String() != tt.want {
				t.Errorf("got %q, want %q", out.String(), tt.want)
			}
		})
	}
}

func FuzzShuffle(f *testing.F) {
	f.Add([]byte("a,b\n1,2\n3,4\n"), uint64(1))
	f.Add([]byte("h\n\"x\ny\"\n\"a,\"\"b\"\"\"\n"), uint64(2))
	f.Add([]byte(""), uint64(0))
	f.Fuzz(func(t *testing.T, in []byte, seed uint64) {
		var out bytes.Buffer
		if err := Shuffle(&out, bytes.NewReader(in), seed); err != nil {
			return
		}
		orig, err := csv.NewReader(bytes.NewReader(in)).ReadAll()
		if err != nil {
			t.Fatalf("Shuffle accepted input encoding/csv refuses: %v", err)
		}
		got, err := csv.NewReader(&out).ReadAll()
		if err != nil {
			t.Fatalf("Shuffle wrote CSV that does not read back: %v", err)
		}
		if len(got) != len(orig) || (len(orig) > 0 && !slices.Equal(got[0], orig[0])) {
			t.Fatalf("got %d records headed %q, want %d headed %q", len(got), got, len(orig), orig)
		}
		if len(orig) > 0 && !slices.Equal(sortedRecords(got[1:]), sortedRecords(orig[1:])) {
			t.Fatalf("got records %q, want %q in any order", got, orig)
		}
	})
}

// sortedRecords returns the records as sorted strings, to compare them in
// any order.
func sortedRecords(recs [][]string) []string {
	keys := make([]string, 0, len(recs))
	for _, r := range recs {
		keys = append(keys, strings.Join(r, "\x00"))
	}
	slices.Sort(keys)
	return keys
}
