package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/blockhub/blockhub"
	"github.com/blockhub/blockhub/index"
)

// TestAssetLargeCorrupt takes the path of assets above memLimit (checked
// in a temporary file first) and checks that a corrupted one writes
// nothing, and a good one writes its bytes.
func TestAssetLargeCorrupt(t *testing.T) {
	defer func(n int64) { memLimit = n }(memLimit)
	memLimit = 1024
	home := t.TempDir()
	data := bytes.Repeat([]byte("0123456789abcdef"), 4096) // 64 KiB
	var out, errs bytes.Buffer
	if code := run([]string{"bhctl", "--home", home, "pipe", "-q"}, bytes.NewReader(data), &out, &errs); code != 0 {
		t.Fatalf("pipe: exit %d: %s", code, errs.String())
	}
	hash := strings.TrimSpace(out.String())

	out.Reset()
	if code := run([]string{"bhctl", "--home", home, "asset", "--raw", hash}, nil, &out, &errs); code != 0 {
		t.Fatalf("asset: exit %d: %s", code, errs.String())
	}
	if !bytes.Equal(out.Bytes(), data) {
		t.Fatalf("asset wrote %d bytes, want the %d captured", out.Len(), len(data))
	}

	out.Reset()
	if code := run([]string{"bhctl", "--home", home, "asset", "--raw=false", hash}, nil, &out, &errs); code != 0 {
		t.Fatalf("asset --raw=false: exit %d: %s", code, errs.String())
	}
	if !strings.Contains(out.String(), "size     65536 bytes\n") || !strings.HasSuffix(out.String(), "\n\n"+string(data)) {
		t.Fatalf("asset --raw=false of a large text asset:\n%.300s", out.String())
	}

	blob := filepath.Join(home, "assets", hash[:2], hash+".blob")
	os.Chmod(blob, 0o644)
	forged := bytes.Clone(data)
	forged[len(forged)-1] ^= 1 // the last byte: a streaming copy would have written all the others
	if err := os.WriteFile(blob, forged, 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	errs.Reset()
	if code := run([]string{"bhctl", "--home", home, "asset", "--raw", hash}, nil, &out, &errs); code != 1 {
		t.Fatalf("asset of a corrupted asset: exit %d, want 1", code)
	}
	if out.Len() != 0 {
		t.Fatalf("asset of a corrupted asset wrote %d bytes to stdout, want none", out.Len())
	}
	if !strings.Contains(errs.String(), "does not match its hash") {
		t.Fatalf("stderr = %q", errs.String())
	}
	for _, args := range [][]string{{"--raw=false"}, {"-o", "json"}} {
		out.Reset()
		code := run(append(append([]string{"bhctl", "--home", home, "asset"}, args...), hash), nil, &out, &errs)
		if code != 1 || out.Len() != 0 {
			t.Fatalf("asset %s of a corrupted large asset: exit %d, %d bytes on stdout; want 1, none", args, code, out.Len())
		}
	}
}

func TestParseHashArg(t *testing.T) {
	full := strings.Repeat("ab", 32)
	md5 := strings.Repeat("cd", 16)
	for _, tt := range []struct {
		in      string
		heights bool
		want    hashArg
		err     string
	}{
		{in: full, want: hashArg{full: full, height: -1}},
		{in: md5, want: hashArg{full: md5, height: -1}},
		{in: "5891b5b5", want: hashArg{prefix: "5891b5b5", height: -1}},
		{in: "5891", want: hashArg{prefix: "5891", height: -1}},
		{in: "589", err: "at least 4 hex digits"},
		{in: "5891B5", err: "lower-case hex"},
		{in: "", err: "lower-case hex"},
		{in: full + "ab", err: "longer than a hash"},
		{in: "120", err: "at least 4 hex digits"},
		{in: "120", heights: true, want: hashArg{height: 120}},
		{in: "0", heights: true, want: hashArg{height: 0}},
		{in: "12345", heights: true, want: hashArg{height: 12345}},
		{in: "99999999999999999999", heights: true, err: "want a height"},
		{in: "-1", heights: true, err: "want a height"},
		{in: "bde3", heights: true, want: hashArg{prefix: "bde3", height: -1}},
		{in: strings.Repeat("1", 64), heights: true, want: hashArg{full: strings.Repeat("1", 64), height: -1}},
	} {
		got, err := parseHashArg("x", tt.in, tt.heights)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("parseHashArg(%q, %v) error = %v, want %q", tt.in, tt.heights, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("parseHashArg(%q, %v) = %+v, %v; want %+v", tt.in, tt.heights, got, err, tt.want)
		}
	}
}

// TestLookupWhileIndexBusy holds the chain's index open, as an import with
// --prevent-dups does for its whole run: prefixes and positions are then
// read from the chain itself, with the same answers.
func TestLookupWhileIndexBusy(t *testing.T) {
	defer func(d time.Duration) { indexWait = d }(indexWait)
	indexWait = 100 * time.Millisecond
	ctx := context.Background()
	home := t.TempDir()
	var out, errs bytes.Buffer
	if code := run([]string{"bhctl", "--home", home, "pipe", "-q"}, strings.NewReader("hello\n"), &out, &errs); code != 0 {
		t.Fatalf("pipe: exit %d: %s", code, errs.String())
	}
	h, err := blockhub.Open(ctx, blockhub.Config{Home: home})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	root, err := h.Resolve(ctx, "default")
	if err != nil {
		t.Fatal(err)
	}
	x, err := index.Open(ctx, home, h.Blocks, root)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	tail, err := h.Blocks.Tail(ctx, root.ID)
	if err != nil {
		t.Fatal(err)
	}

	out.Reset()
	if code := run([]string{"bhctl", "--home", home, "asset", "-o", "json", "5891b5"}, nil, &out, &errs); code != 0 {
		t.Fatalf("asset 5891b5 with the index busy: exit %d: %s", code, errs.String())
	}
	if !strings.Contains(out.String(), `"on_chain":true,"block":"`+tail.ID+`","height":1,"index":0}`) {
		t.Fatalf("asset -o json = %s", out.String())
	}
	out.Reset()
	if code := run([]string{"bhctl", "--home", home, "block", tail.ID[:8]}, nil, &out, &errs); code != 0 {
		t.Fatalf("block prefix with the index busy: exit %d: %s", code, errs.String())
	}
	if !strings.Contains(out.String(), `"id":"`+tail.ID+`"`) {
		t.Fatalf("block %s = %s", tail.ID[:8], out.String())
	}

	errs.Reset()
	if code := run([]string{"bhctl", "--home", home, "asset", "ffff0000"}, nil, &out, &errs); code != 1 || !strings.Contains(errs.String(), "matches nothing") {
		t.Fatalf("asset ffff0000: exit %d: %s", code, errs.String())
	}
}

// A block id prefix of digits alone reads as a height; past the tail it
// is looked up as a prefix, so that copying the start of an id works
// whatever its digits. The chain grows until a block's id starts with
// minPrefix digits or more (one in six or seven does).
func TestBlockDigitsPrefix(t *testing.T) {
	home := t.TempDir()
	var out, errs bytes.Buffer
	for i := range 200 {
		out.Reset()
		if code := run([]string{"bhctl", "--home", home, "pipe", "-q"}, strings.NewReader(fmt.Sprintln("line", i)), &out, &errs); code != 0 {
			t.Fatalf("pipe: exit %d: %s", code, errs.String())
		}
		out.Reset()
		if code := run([]string{"bhctl", "--home", home, "walk", "-o", "json", "--from", strconv.Itoa(i + 1)}, nil, &out, &errs); code != 0 {
			t.Fatalf("walk: exit %d: %s", code, errs.String())
		}
		var b struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(bytes.TrimSpace(out.Bytes()), &b); err != nil {
			t.Fatalf("walk -o json: %v: %s", err, out.String())
		}
		digits := len(b.ID) - len(strings.TrimLeft(b.ID, "0123456789"))
		if digits < minPrefix {
			continue
		}
		p := b.ID[:digits]
		out.Reset()
		if code := run([]string{"bhctl", "--home", home, "block", p}, nil, &out, &errs); code != 0 || !strings.Contains(out.String(), `"id":"`+b.ID+`"`) {
			t.Fatalf("block %s (digits, past the tail at height %d): exit %d: %s %s", p, i+1, code, out.String(), errs.String())
		}
		return
	}
	t.Fatal("no block id of 200 started with 4 digits")
}
