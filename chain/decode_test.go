package chain_test

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/blockhub/blockhub/chain"
)

// child returns a sealed block after parent holding receipts with metas.
func child(t testing.TB, parent chain.Block, metas ...string) chain.Block {
	t.Helper()
	b := chain.Block{
		Chain: parent.ChainID(), Prev: parent.ID, Height: parent.Height + 1,
		Time: "2026-11-24T10:00:01.000000000Z", Crypt: parent.Crypt,
	}
	for i, m := range metas {
		r := chain.Receipt{Hash: parent.Crypt.Sum([]byte{byte(i)}), Crypt: parent.Crypt, Length: int64(i), Type: "text/csv"}
		if m != "" {
			r.Meta = json.RawMessage(m)
		}
		b.Assets = append(b.Assets, r)
	}
	if err := b.Seal(); err != nil {
		t.Fatal(err)
	}
	return b
}

// soundBlocks are blocks of every shape the fast decoding path reads.
func soundBlocks(t testing.TB) map[string]chain.Block {
	t.Helper()
	at := time.Date(2026, 11, 24, 10, 0, 0, 123456789, time.UTC)
	root, err := chain.NewRoot(chain.DefaultSettings("orders"), at)
	if err != nil {
		t.Fatal(err)
	}
	md5Settings := chain.DefaultSettings("fast")
	md5Settings.Crypt = chain.MD5
	md5Root, err := chain.NewRoot(md5Settings, at)
	if err != nil {
		t.Fatal(err)
	}
	linked := child(t, root, `{"source":"pipe","bytes":[0,64]}`)
	linked.Next = strings.Repeat("0a", 32)
	huge := child(t, root)
	huge.Height = math.MaxUint64
	huge.Assets = []chain.Receipt{{Hash: root.ID, Crypt: chain.SHA256, Length: math.MaxInt64, Type: ""}}
	if err := huge.Seal(); err != nil {
		t.Fatal(err)
	}
	return map[string]chain.Block{
		"root":            root,
		"md5 root":        md5Root,
		"md5 block":       child(t, md5Root, `{"a":1}`),
		"pipe meta":       child(t, root, `{"source":"pipe","bytes":[0,64]}`),
		"with next":       linked,
		"no assets":       child(t, root),
		"no meta":         child(t, root, ""),
		"empty meta":      child(t, root, `{}`),
		"several assets":  child(t, root, `{"b":2}`, "", `{"a":[]}`),
		"nested meta":     child(t, root, `{"a":{"b":{"c":[[],{}]}},"n":[0,-1,123456789012345,-123456789012345],"t":[true,false,null]}`),
		"escaped strings": child(t, root, `{"s":"tab\t nl\n q\" bs\\ ctl\u0001 del\u007f é \u2028 😀 <&>"}`),
		"extreme numbers": huge,
	}
}

func TestDecodeFastPath(t *testing.T) {
	for name, b := range soundBlocks(t) {
		t.Run(name, func(t *testing.T) {
			doc, err := b.Encode()
			if err != nil {
				t.Fatal(err)
			}
			fast, ok := chain.DecodeCanonical(doc)
			if !ok {
				t.Fatalf("the fast path declines a sound block:\n%s", doc)
			}
			general, err := chain.DecodeGeneral(doc)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(fast, general) {
				t.Fatalf("fast path decodes\n%#v\nthe general path\n%#v", fast, general)
			}
		})
	}
}

// Sound blocks outside what the fast path follows still decode, through
// the general path.
func TestDecodeFallsBack(t *testing.T) {
	root, err := chain.NewRoot(chain.DefaultSettings("orders"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	escapedType := child(t, root, "")
	escapedType.Assets[0].Type = "a\"b"
	if err := escapedType.Seal(); err != nil {
		t.Fatal(err)
	}
	tests := map[string]chain.Block{
		"float":           child(t, root, `{"price":10.5}`),
		"big integer":     child(t, root, `{"n":1234567890123456}`),
		"exponent":        child(t, root, `{"n":1e+21}`),
		"non-ASCII key":   child(t, root, `{"é":1}`),
		"escaped key":     child(t, root, `{"a\nb":1}`),
		"escaped in type": escapedType,
	}
	for name, b := range tests {
		t.Run(name, func(t *testing.T) {
			doc, err := b.Encode()
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := chain.DecodeCanonical(doc); ok {
				t.Errorf("the fast path took %s", doc)
			}
			got, err := chain.DecodeBlock(doc)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, b) {
				t.Fatalf("decoded\n%#v\nwant\n%#v", got, b)
			}
		})
	}
}

// Documents that are one byte off canonical are refused, whichever path
// reads them.
func TestDecodeNotCanonical(t *testing.T) {
	b := soundBlocks(t)["nested meta"]
	good, _ := b.Encode()
	tests := map[string][2]string{
		"meta keys out of order": {`{"a":{"b"`, `{"n":0,"a":{"b"`},
		"duplicate meta key":     {`{"a":{"b"`, `{"a":0,"a":{"b"`},
		"leading zero":           {`[0,-1,`, `[00,-1,`},
		"minus zero":             {`[0,-1,`, `[-0,-1,`},
		"uppercase escape":       {`"n":[`, `"n":["\u001F",`},
		"needless escape":        {`"n":[`, `"n":["\u0041",`},
		"escaped newline as u":   {`"n":[`, `"n":["\u000a",`},
		"space in meta":          {`"n":[`, `"n": [`},
		"height leading zero":    {`"height":1,`, `"height":01,`},
		"empty next":             {`,"prev":`, `,"next":"","prev":`},
	}
	for name, edit := range tests {
		t.Run(name, func(t *testing.T) {
			doc := strings.Replace(string(good), edit[0], edit[1], 1)
			if doc == string(good) {
				t.Fatalf("%q is not in %s", edit[0], good)
			}
			if _, ok := chain.DecodeCanonical([]byte(doc)); ok {
				t.Errorf("the fast path took %s", doc)
			}
			if _, err := chain.DecodeBlock([]byte(doc)); err == nil {
				t.Errorf("DecodeBlock took %s", doc)
			}
		})
	}
}
