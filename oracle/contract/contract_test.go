package contract_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/blockhub/blockhub/oracle"
	"github.com/blockhub/blockhub/oracle/contract"
	"github.com/blockhub/blockhub/oracle/oracletest"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func shop() []oracletest.Block {
	return []oracletest.Block{
		{At: t0, Assets: []oracletest.Asset{oracletest.CSV("cart.csv", "order_id,item", "1,pen", "2,desk", "9,old")}},
		{At: t0.Add(time.Hour), Assets: []oracletest.Asset{oracletest.CSV("orders.csv", "order_id,status", "2,created", "1,created", "3,created")}},
		{At: t0.Add(2 * time.Hour), Assets: []oracletest.Asset{oracletest.CSV("paid.csv", "order_id,amount", "1,3.00", "2,120")}},
		{At: t0.Add(72 * time.Hour), Assets: []oracletest.Asset{oracletest.CSV("orders.csv", "order_id,status", "9,created")}},
	}
}

// The Go API: filters and handlers are plain functions.
func shopContract(handle contract.Handler) *contract.Contract {
	path := func(p string) contract.Filter {
		return func(r contract.Record) (bool, error) { return r.Meta["path"] == p, nil }
	}
	key := func(r contract.Record) (string, error) { return fmt.Sprint(r.Fields["order_id"]), nil }
	return &contract.Contract{
		Name: "shop",
		Filters: map[string]contract.Filter{
			"cart": path("cart.csv"),
			"created": func(r contract.Record) (bool, error) {
				return r.Meta["path"] == "orders.csv" && r.Fields["status"] == "created", nil
			},
			"paid": path("paid.csv"),
		},
		Events: []contract.EventSpec{
			{Name: "ORDER_CREATED", Filters: []string{"cart", "created"}, Key: key, WindowTime: 24 * time.Hour, Handlers: []string{"h"}},
			{Name: "ORDER_PROCESSED", Filters: []string{"cart", "paid"}, Key: key, WindowAssets: 5, Handlers: []string{"h"}},
		},
		Handlers: map[string]contract.Handler{"h": handle},
	}
}

func TestEventsInOrderOnce(t *testing.T) {
	src, _ := oracletest.NewChain(t, shop())
	var got []string
	ids := map[string]string{}
	c := shopContract(func(_ context.Context, ev contract.Event) error {
		got = append(got, fmt.Sprintf("%d/%d %s %s", ev.Height, ev.Index, ev.Name, ev.Key))
		ids[ev.Name+ev.Key] = ev.ID
		if len(ev.Assets) != 2 || ev.Assets[0].Height >= ev.Assets[1].Height {
			t.Errorf("event %s %s assets %+v; want two, in chain order", ev.Name, ev.Key, ev.Assets)
		}
		return nil
	})
	cp := filepath.Join(t.TempDir(), "shop.json")
	sum, err := c.Run(context.Background(), src, &contract.RunOptions{Checkpoint: cp})
	if err != nil {
		t.Fatal(err)
	}
	// Order 9's creation comes 72h after its cart: outside the 24h window.
	want := "[2/0 ORDER_CREATED 1 2/0 ORDER_CREATED 2 3/0 ORDER_PROCESSED 1 3/0 ORDER_PROCESSED 2]"
	if fmt.Sprint(got) != want || sum.Events != 4 {
		t.Fatalf("events %v (%d); want %s", got, sum.Events, want)
	}
	// A second run hands nothing out again: it goes on from where the
	// first stopped matching, so it does not even meet the events again.
	got = nil
	first := ids["ORDER_CREATED1"]
	sum, err = c.Run(context.Background(), src, &contract.RunOptions{Checkpoint: cp})
	if err != nil || sum.Events != 0 || sum.Skipped != 0 || len(got) != 0 {
		t.Fatalf("second run: %+v %v %v; want nothing new", sum, got, err)
	}
	// A changed contract matches the chain again from its root, and
	// still hands out none of the events handed out before.
	c.Version = "changed"
	sum, err = c.Run(context.Background(), src, &contract.RunOptions{Checkpoint: cp})
	if err != nil || sum.Events != 0 || sum.Skipped != 4 || len(got) != 0 {
		t.Fatalf("run of a changed contract: %+v %v %v; want the 4 events found and skipped", sum, got, err)
	}
	// A run without the checkpoint gives the same ids.
	if _, err := c.Run(context.Background(), src, nil); err != nil || ids["ORDER_CREATED1"] != first {
		t.Fatalf("ids changed between runs: %s, %s (%v)", first, ids["ORDER_CREATED1"], err)
	}
}

func TestHandlerRetriesThenFails(t *testing.T) {
	src, _ := oracletest.NewChain(t, shop())
	calls := 0
	flaky := shopContract(func(_ context.Context, ev contract.Event) error {
		calls++
		if calls%3 != 0 {
			return errors.New("busy")
		}
		return nil
	})
	opts := &contract.RunOptions{Checkpoint: filepath.Join(t.TempDir(), "cp.json"), InitialBackoff: time.Millisecond, MaxTries: 3}
	sum, err := flaky.Run(context.Background(), src, opts)
	if err != nil || sum.Events != 4 || calls != 12 {
		t.Fatalf("flaky handler: %+v, %d calls, %v; want 4 events after 12 calls", sum, calls, err)
	}
	// A handler that always fails stops the run; what was handed out
	// before stays handed out.
	n := 0
	broken := shopContract(func(_ context.Context, ev contract.Event) error {
		if ev.Name == "ORDER_PROCESSED" {
			return errors.New("down")
		}
		n++
		return nil
	})
	opts.Checkpoint = filepath.Join(t.TempDir(), "cp2.json")
	sum, err = broken.Run(context.Background(), src, opts)
	if err == nil || !strings.Contains(err.Error(), "ORDER_PROCESSED") || !strings.Contains(err.Error(), "failed 3 times") || sum.Events != 2 {
		t.Fatalf("broken handler: %+v, %v; want 2 events then an error naming ORDER_PROCESSED", sum, err)
	}
	fixed := shopContract(func(_ context.Context, ev contract.Event) error { n++; return nil })
	sum, err = fixed.Run(context.Background(), src, opts)
	if err != nil || sum.Events != 2 || sum.Skipped != 2 || n != 4 {
		t.Fatalf("after the fix: %+v, %d calls, %v; want the 2 missing events", sum, n, err)
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		yaml, want string
	}{
		{"name: x\nfilters: {a: 'qty >'}\nevents: [{name: E, filters: [a], key: id}]\n", "filter a"},
		{"name: x\nfilters: {a: 'true'}\nevents: [{name: E, filters: [b], key: id}]\n", `no filter "b"`},
		{"name: x\nfilters: {a: 'true'}\nevents: [{name: E, filters: [a], key: id, handlers: [h]}]\n", `no handler "h"`},
		{"name: x\nfilters: {a: 'true'}\nevents: [{name: E, filters: [a]}]\n", "no key"},
		{"name: x\nfilters: {a: 'true'}\nevents: [{name: E, filters: [a], key: id, handlers: [h]}]\nhandlers: {h: {url: 'http://x', chain: c}}\n", "one of command, url or chain"},
		{"name: x\nbogus: 1\n", "bogus"},
		{"name: x\nfilters: {a: 'true'}\nevents: [{name: E, filters: [a], key: id, window: {time: soon}}]\n", "window time"},
	}
	for _, tt := range tests {
		_, err := contract.Parse([]byte(tt.yaml), ".", nil)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q) = %v; want an error with %q", tt.yaml, err, tt.want)
		}
	}
}

// TestResumeMatchesEachRecordOnce: a chain grown block by block, with a
// run after each block, gives exactly the events of one run over the whole
// chain, fields and all, and matches every record once in total: each run
// goes on from the last one's checkpoint, with the matches still waiting
// for the rest of their event (read again from their assets).
func TestResumeMatchesEachRecordOnce(t *testing.T) {
	ctx := context.Background()
	h, root := oracletest.NewHub(t)
	src := oracle.Source{Blocks: h.Blocks, Assets: h.Assets, Root: root}
	var events []string
	counting := func(calls *int) *contract.Contract {
		c := shopContract(func(_ context.Context, ev contract.Event) error {
			b, err := json.Marshal(ev)
			events = append(events, string(b))
			return err
		})
		for name, f := range c.Filters {
			c.Filters[name] = func(r contract.Record) (bool, error) {
				*calls++
				return f(r)
			}
		}
		return c
	}
	cp := filepath.Join(t.TempDir(), "cp.json")
	calls := 0
	for _, b := range shop() {
		if _, err := oracletest.Append(ctx, h, root, []oracletest.Block{b}); err != nil {
			t.Fatal(err)
		}
		if sum, err := counting(&calls).Run(ctx, src, &contract.RunOptions{Checkpoint: cp}); err != nil || sum.Skipped != 0 {
			t.Fatalf("run after a block: %+v, %v; want nothing skipped", sum, err)
		}
	}
	grown := events

	events = nil
	once := 0
	if _, err := counting(&once).Run(ctx, src, nil); err != nil {
		t.Fatal(err)
	}
	if len(grown) != 4 || !slices.Equal(grown, events) {
		t.Fatalf("events run by run:\n%s\nwant those of one run:\n%s", strings.Join(grown, "\n"), strings.Join(events, "\n"))
	}
	if calls != once {
		t.Errorf("filters called %d times over the runs; want %d, as in one run", calls, once)
	}
}

// Two runs on one checkpoint at once would both hand out the events after
// it: while one runs, another is refused with ErrCheckpointBusy, and
// once it ended the next run goes on from its checkpoint.
func TestOneRunPerCheckpoint(t *testing.T) {
	src, _ := oracletest.NewChain(t, shop())
	cp := filepath.Join(t.TempDir(), "shop.json")
	inHandler, release := make(chan struct{}), make(chan struct{})
	handed := 0
	first := shopContract(func(context.Context, contract.Event) error {
		if handed == 0 {
			close(inHandler)
			<-release
		}
		handed++
		return nil
	})
	done := make(chan error, 1)
	go func() {
		_, err := first.Run(context.Background(), src, &contract.RunOptions{Checkpoint: cp})
		done <- err
	}()
	<-inHandler
	second := shopContract(func(context.Context, contract.Event) error {
		t.Error("the second run handed out an event")
		return nil
	})
	if _, err := second.Run(context.Background(), src, &contract.RunOptions{Checkpoint: cp}); !errors.Is(err, contract.ErrCheckpointBusy) {
		t.Errorf("second run while the first runs: err = %v; want ErrCheckpointBusy", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if sum, err := second.Run(context.Background(), src, &contract.RunOptions{Checkpoint: cp}); err != nil || sum.Events != 0 {
		t.Fatalf("run after the first ended: %+v, %v; want nothing new", sum, err)
	}
	if handed != 4 {
		t.Errorf("%d events handed out; want 4", handed)
	}
}
