package appender_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"iter"
	"testing"
	"time"

	"github.com/blockhub/blockhub/appender"
	"github.com/blockhub/blockhub/builder"
	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store"
	_ "github.com/blockhub/blockhub/chain/store/memstore"
	"github.com/blockhub/blockhub/chain/walk"
)

func setup(t *testing.T) (*appender.Appender, *builder.Builder, *store.Blocks, *store.Assets, chain.Block) {
	ctx := context.Background()
	u := "mem://appender-" + t.Name()
	blocks, err := store.OpenBlocks(ctx, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	assets, err := store.OpenAssets(ctx, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	root, err := chain.NewRoot(chain.DefaultSettings("app"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := blocks.Create(ctx, root); err != nil {
		t.Fatal(err)
	}
	b, err := builder.Start(ctx, blocks, root, nil)
	if err != nil {
		t.Fatal(err)
	}
	return appender.New(assets, b, chain.SHA256), b, blocks, assets, root
}

func chunks(n int, failAt int) iter.Seq2[appender.Chunk, error] {
	return func(yield func(appender.Chunk, error) bool) {
		for i := range n {
			if i == failAt {
				yield(appender.Chunk{}, errors.New("input broke"))
				return
			}
			if !yield(appender.Chunk{Data: []byte(fmt.Sprint("chunk ", i)), Type: "text/plain"}, nil) {
				return
			}
		}
	}
}

// AppendAll hashes with several workers but keeps the input order on the
// chain.
func TestAppendAllKeepsOrder(t *testing.T) {
	a, b, blocks, _, root := setup(t)
	ctx := context.Background()
	n := 0
	for res, err := range a.AppendAll(ctx, chunks(200, -1), &appender.Options{Workers: 8}) {
		if err != nil {
			t.Fatal(err)
		}
		if want := chain.SHA256.Sum([]byte(fmt.Sprint("chunk ", n))); res.Receipt.Hash != want {
			t.Fatalf("result %d out of order", n)
		}
		n++
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	i := 0
	for blk, err := range walk.New(blocks, root.ID).All(ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		if blk.IsRoot() {
			continue
		}
		for _, r := range blk.Assets {
			if want := chain.SHA256.Sum([]byte(fmt.Sprint("chunk ", i))); r.Hash != want {
				t.Fatalf("asset %d out of order on the chain", i)
			}
			i++
		}
	}
	if i != 200 {
		t.Fatalf("%d assets on the chain; want 200", i)
	}
}

// An input error ends the run after the chunks before it.
func TestAppendAllInputError(t *testing.T) {
	a, b, _, _, _ := setup(t)
	defer b.Close()
	n, sawErr := 0, false
	for _, err := range a.AppendAll(context.Background(), chunks(50, 20), nil) {
		if err != nil {
			sawErr = true
			break
		}
		n++
	}
	if !sawErr || n != 20 {
		t.Fatalf("%d results, error %v; want 20 then the error", n, sawErr)
	}
}

func TestAppendReader(t *testing.T) {
	a, b, _, assets, _ := setup(t)
	data := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	got, err := a.AppendReader(context.Background(), bytes.NewReader(data), "application/octet-stream", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if l := <-got.Linked; l.Err != nil || l.Height != 1 {
		t.Fatalf("linked %+v", l)
	}
	back, err := assets.ReadAll(context.Background(), got.Receipt.Hash)
	if err != nil || !bytes.Equal(back, data) || got.Receipt.Length != int64(len(data)) {
		t.Fatalf("asset back: %d bytes, %v", len(back), err)
	}
}

// A chunk whose Prepare fails stops the run in its place: the chunks
// before it are appended and stored, none after it is stored, though
// the workers prepare them meanwhile (and those Prepares are fast where
// the refused one is slow).
func TestAppendAllPrepareRefusal(t *testing.T) {
	app, b, _, assets, _ := setup(t)
	const n, refused = 200, 37
	var data [n][]byte
	for i := range n {
		data[i] = []byte(fmt.Sprint("prepared chunk ", i))
	}
	in := func(yield func(appender.Chunk, error) bool) {
		for i := range n {
			c := appender.Chunk{Type: "text/plain", Prepare: func(c *appender.Chunk) error {
				if i == refused {
					time.Sleep(50 * time.Millisecond)
					return errors.New("refused")
				}
				c.Data = data[i]
				return nil
			}}
			if !yield(c, nil) {
				return
			}
		}
	}
	got := 0
	var runErr error
	for r, err := range app.AppendAll(context.Background(), in, &appender.Options{Workers: 16}) {
		if err != nil {
			runErr = err
			break
		}
		if r.Receipt.Hash != chain.SHA256.Sum(data[got]) {
			t.Fatalf("result %d is not chunk %d", got, got)
		}
		got++
	}
	if runErr == nil || runErr.Error() != "refused" || got != refused {
		t.Fatalf("%d results, then %v; want %d, then the refusal", got, runErr, refused)
	}
	b.Close()
	for i := range n {
		has, err := assets.Has(context.Background(), chain.SHA256.Sum(data[i]))
		if err != nil {
			t.Fatal(err)
		}
		if has != (i < refused) {
			t.Errorf("chunk %d stored: %v; want %v", i, has, i < refused)
		}
	}
}
