package main

import (
	"io"
	"strings"
	"testing"
)

func TestNormalizeArgs(t *testing.T) {
	app := newApp(strings.NewReader(""), io.Discard, io.Discard)
	tests := []struct {
		in, want string
	}{
		{"bhctl walk -o json", "bhctl -o json walk"},
		{"bhctl -o json walk", "bhctl -o json walk"},
		{"bhctl walk --from 3 --chain orders", "bhctl --chain orders walk --from 3"},
		{"bhctl chain create orders --hash md5", "bhctl chain create --hash md5 orders"},
		{"bhctl block abc -o=json", "bhctl -o=json block abc"},
		{"bhctl pipe --rows=2 --meta a=b", "bhctl pipe --rows=2 --meta a=b"},
		{"bhctl walk --live --home /tmp/x", "bhctl --home /tmp/x walk --live"},
		{"bhctl asset -- -weird", "bhctl asset -- -weird"},
		{"bhctl help walk", "bhctl help walk"},
		{"bhctl help import csv", "bhctl help import csv"},
		{"bhctl asset 5891 --raw", "bhctl asset --raw 5891"},
		{"bhctl emit csv --rows 10 -o x.csv", "bhctl emit csv --rows 10 -o x.csv"},
		{"bhctl -q emit junk --bytes 1K", "bhctl -q emit junk --bytes 1K"},
	}
	for _, tt := range tests {
		got := strings.Join(normalizeArgs(app, strings.Fields(tt.in)), " ")
		if got != tt.want {
			t.Errorf("normalizeArgs(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestParsePipeOptions(t *testing.T) {
	tests := []struct {
		rows      int
		size, typ string
		meta      []string
		err       string
		wantSize  int64
		wantType  string
	}{
		{0, "", "", nil, "", 0, ""}, // sniffed from the bytes
		{10, "", "", nil, "", 0, "text/plain"},
		{0, "1MiB", "", nil, "", 1 << 20, ""},
		{0, "10M", "text/csv", []string{"a=b"}, "", 10_000_000, "text/csv"},
		{-1, "", "", nil, "--rows -1", 0, ""},
		{5, "1M", "", nil, "one or the other", 0, ""},
		{0, "lots", "", nil, `--chunk-size "lots"`, 0, ""},
		{0, "", "", []string{"novalue"}, `--meta "novalue"`, 0, ""},
	}
	for _, tt := range tests {
		o, err := parsePipeOptions(tt.rows, tt.size, tt.typ, tt.meta, "warn")
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("parsePipeOptions(%d, %q) err = %v; want %q", tt.rows, tt.size, err, tt.err)
			}
			continue
		}
		if err != nil || o.chunkSize != tt.wantSize || o.typ != tt.wantType {
			t.Errorf("parsePipeOptions(%d, %q, %q) = %+v, %v", tt.rows, tt.size, tt.typ, o, err)
		}
	}
}
