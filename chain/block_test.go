package chain_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gowebpki/jcs"

	"github.com/blockhub/blockhub/chain"
)

func sampleBlock(t testing.TB) chain.Block {
	root, err := chain.NewRoot(chain.DefaultSettings("orders"), time.Date(2026, 11, 24, 10, 0, 0, 123456789, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	b := chain.Block{
		Chain: root.ID, Prev: root.ID, Height: 1, Time: "2026-11-24T10:00:01.000000000Z", Crypt: chain.SHA256,
		Assets: []chain.Receipt{{
			Hash: chain.SHA256.Sum([]byte("order_id,qty\n1,2\n")), Crypt: chain.SHA256, Length: 17, Type: "text/csv",
			Meta: json.RawMessage(`{"source":"csv","path":"orders.csv","rows":[1,1],"price":10.50,"note":"caf\u00e9 <&> \"q\"\n"}`),
		}},
	}
	if err := b.Seal(); err != nil {
		t.Fatal(err)
	}
	return b
}

// The hand-written canonical encoder must agree with a general RFC 8785
// implementation over the block's JSON without id and next.
func TestCanonicalMatchesJCS(t *testing.T) {
	b := sampleBlock(t)
	checkCanonical(t, b)
}

func checkCanonical(t *testing.T, b chain.Block) {
	t.Helper()
	got, err := b.Canonical(false)
	if err != nil {
		t.Fatal(err)
	}
	plain := b
	plain.ID, plain.Next = "", ""
	raw, err := json.Marshal(plain)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	delete(m, "id")
	delete(m, "next")
	raw, _ = json.Marshal(m)
	want, err := jcs.Transform(raw)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("Canonical =\n%s\nwant (jcs)\n%s", got, want)
	}
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	b := sampleBlock(t)
	b.Next = strings.Repeat("ab", 32)
	doc, err := b.Encode()
	if err != nil {
		t.Fatal(err)
	}
	got, err := chain.DecodeBlock(doc)
	if err != nil {
		t.Fatalf("DecodeBlock(%s): %v", doc, err)
	}
	again, _ := got.Encode()
	if !bytes.Equal(again, doc) {
		t.Fatalf("round trip changed the document:\n%s\n%s", doc, again)
	}
	// The stored document (with id and next) is itself canonical JSON.
	canon, err := jcs.Transform(doc)
	if err != nil || !bytes.Equal(canon, doc) {
		t.Fatalf("Encode is not canonical:\n%s\n%s", doc, canon)
	}
}

func TestDecodeFaults(t *testing.T) {
	good, _ := sampleBlock(t).Encode()
	tests := []struct {
		name string
		doc  string
		want error
	}{
		{"not json", `{"assets":`, chain.ErrInvalid},
		{"trailing data", string(good) + `{}`, chain.ErrInvalid},
		{"unknown field", strings.Replace(string(good), `"chain":`, `"extra":1,"chain":`, 1), chain.ErrInvalid},
		{"unknown crypt", strings.Replace(string(good), `"crypt":"sha256","height"`, `"crypt":"sha1","height"`, 1), chain.ErrInvalid},
		{"changed time", strings.Replace(string(good), `"time":"2026`, `"time":"2025`, 1), chain.ErrTampered},
		{"changed meta", strings.Replace(string(good), `orders.csv`, `orderz.csv`, 1), chain.ErrTampered},
		{"bad asset hash", strings.Replace(string(good), `"hash":"`, `"hash":"Z`, 1), chain.ErrInvalid},
		{"negative length", strings.Replace(string(good), `"length":17`, `"length":-1`, 1), chain.ErrInvalid},
		{"reformatted", strings.Replace(string(good), `,"chain":`, `, "chain":`, 1), chain.ErrInvalid},
		{"duplicate key", strings.Replace(string(good), `"height":1,`, `"height":7,"height":1,`, 1), chain.ErrInvalid},
		{"needless escape", strings.Replace(string(good), `"type":"text/csv"`, `"type":"text\/csv"`, 1), chain.ErrInvalid},
		{"meta not an object", strings.Replace(string(good), `"meta":{`, `"meta":[{`, 1), chain.ErrInvalid},
		{"root with prev", `{"assets":[],"chain":"","crypt":"sha256","height":0,"id":"` + strings.Repeat("a", 64) + `","prev":"` + strings.Repeat("b", 64) + `","time":"2026-01-01T00:00:00Z"}`, chain.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := chain.DecodeBlock([]byte(tt.doc))
			if !errors.Is(err, tt.want) {
				t.Fatalf("DecodeBlock err = %v; want %v", err, tt.want)
			}
		})
	}
}

func TestMD5Chain(t *testing.T) {
	s := chain.DefaultSettings("fast")
	s.Crypt = chain.MD5
	root, err := chain.NewRoot(s, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(root.ID) != 32 || root.Crypt != chain.MD5 {
		t.Fatalf("md5 root id %q crypt %q", root.ID, root.Crypt)
	}
	got, err := chain.RootSettings(root)
	if err != nil || got != s {
		t.Fatalf("RootSettings = %+v, %v; want %+v", got, err, s)
	}
}

func TestIsHex(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{strings.Repeat("a", 64), true},
		{strings.Repeat("0", 32), true},
		{strings.Repeat("A", 64), false},
		{strings.Repeat("a", 40), false},
		{"../../etc/passwd", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := chain.IsHex(tt.in); got != tt.want {
			t.Errorf("IsHex(%q) = %v; want %v", tt.in, got, tt.want)
		}
	}
}

func TestSettingsValidate(t *testing.T) {
	bad := []chain.Settings{
		{Name: "", Crypt: chain.SHA256, MinAssets: 1, MaxAssets: 1},
		{Name: "x", Crypt: "sha1", MinAssets: 1, MaxAssets: 1},
		{Name: "x", Crypt: chain.SHA256, MinAssets: 0, MaxAssets: 1},
		{Name: "x", Crypt: chain.SHA256, MinAssets: 3, MaxAssets: 2},
		{Name: strings.Repeat("a", 64), Crypt: chain.SHA256, MinAssets: 1, MaxAssets: 1},
	}
	for _, s := range bad {
		if err := s.Validate(); !errors.Is(err, chain.ErrInvalid) {
			t.Errorf("Validate(%+v) = %v; want ErrInvalid", s, err)
		}
	}
}
