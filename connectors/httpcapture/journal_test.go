package httpcapture

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/blockhub/blockhub"
	"github.com/blockhub/blockhub/chain"
)

// A server that stops before linking what it answered 201 leaves its
// journal; the next start links each of those receipts exactly once,
// leaves alone a segment that a live server holds, ignores a torn last
// record, and removes what it recovered.
func TestJournalRecover(t *testing.T) {
	ctx := context.Background()
	home := t.TempDir()
	h, err := blockhub.Open(ctx, blockhub.Config{Home: home})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	// Blocks wait for 100 receipts or 3 s: the first server is gone
	// before it links anything.
	set := chain.DefaultSettings("journal")
	set.MinAssets, set.TTL = 100, chain.Duration(3*time.Second)
	root, _, err := h.Chain(ctx, "journal", &set)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(home, "journal")
	open := func() *Journal {
		j, err := OpenJournal(ctx, JournalOptions{Dir: dir, Chain: root.ID, Blocks: h.Blocks, Sync: h.Assets.Sync})
		if err != nil {
			t.Fatal(err)
		}
		return j
	}

	// The first server answers three requests (one body sent twice) and
	// dies: its builder never links, its segment stays with a torn tail.
	wctx, kill := context.WithCancel(ctx)
	w1, err := h.Writer(wctx, root)
	if err != nil {
		t.Fatal(err)
	}
	j1 := open()
	srv, err := New(w1.Appender, &Options{Journal: j1, Chain: root.ID})
	if err != nil {
		t.Fatal(err)
	}
	var acks []Receipt
	for _, body := range []string{"one", "two", "one"} {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest("POST", "/hook", strings.NewReader(body)))
		if rec.Code != http.StatusCreated {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		var rc Receipt
		json.Unmarshal(rec.Body.Bytes(), &rc)
		acks = append(acks, rc)
	}
	kill()
	srv.commit.Close()
	torn := j1.cur.path
	if _, err := j1.cur.f.WriteAt([]byte(`{"body":{"hash":"`), j1.cur.size); err != nil {
		t.Fatal(err)
	}
	j1.cur.f.Close() // the kernel drops a dead process's lock

	// A live server's segment is not touched.
	live := open()
	defer live.Close()

	w2, err := h.Writer(ctx, root)
	if err != nil {
		t.Fatal(err)
	}
	j2 := open()
	got, err := j2.Recover(ctx, w2.Appender, h.Assets)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Recovered{Segments: 1, Records: 3, Linked: 6}); got != want {
		t.Errorf("recovered %+v; want %+v", got, want)
	}
	if _, err := os.Stat(torn); !os.IsNotExist(err) {
		t.Errorf("the recovered segment is still there (%v)", err)
	}
	if _, err := os.Stat(live.cur.path); err != nil {
		t.Errorf("the live server's segment: %v", err)
	}
	// Once more: nothing left to do.
	if got, err := j2.Recover(ctx, w2.Appender, h.Assets); err != nil || got != (Recovered{}) {
		t.Errorf("second recovery: %+v, %v; want nothing", got, err)
	}
	if err := w2.Close(); err != nil {
		t.Fatal(err)
	}
	if err := j2.Close(); err != nil {
		t.Fatal(err)
	}

	count := map[string]int{}
	for b, err := range h.Walker(root).All(ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range b.Assets {
			if k := receiptKey(r); k != "" {
				count[k]++
			}
		}
	}
	for _, a := range acks {
		for _, k := range []string{a.Body + " of " + a.Info, a.Info} {
			if count[k] != 1 {
				t.Errorf("receipt %s is on the chain %d times; want once", k, count[k])
			}
		}
	}
	if len(count) != 6 {
		t.Errorf("%d http receipts on the chain; want 6: %v", len(count), count)
	}
}
