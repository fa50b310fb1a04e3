package broker_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/blockhub/blockhub"
	"github.com/blockhub/blockhub/appender"
	"github.com/blockhub/blockhub/broker"
	"github.com/blockhub/blockhub/builder"
	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/internal/testenv"
)

// brokerURL is the test broker with a namespace of the test's own, whose
// queues and exchanges are deleted when the test ends.
func brokerURL(t *testing.T) string {
	t.Helper()
	base := testenv.URL(t, testenv.AMQP)
	var b [4]byte
	rand.Read(b[:])
	ns := "bhtest-" + hex.EncodeToString(b[:])
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	u := base + sep + "namespace=" + ns
	t.Cleanup(func() { deleteNamespace(t, base, ns) })
	return u
}

// deleteNamespace removes the queues and exchange a test declared.
func deleteNamespace(t *testing.T, base, ns string) {
	conn, err := amqp.Dial(base)
	if err != nil {
		t.Logf("cleanup: %v", err)
		return
	}
	defer conn.Close()
	for _, q := range declared[ns] {
		if ch, err := conn.Channel(); err == nil {
			ch.QueueDelete(q, false, false, false)
			ch.Close()
		}
	}
	if ch, err := conn.Channel(); err == nil {
		ch.QueueDelete(ns+".dlq", false, false, false)
		ch.ExchangeDelete(ns+".heartbeats", false, false)
		ch.Close()
	}
}

var (
	declaredMu sync.Mutex
	declared   = map[string][]string{}
)

func noteQueue(u, queue string) {
	declaredMu.Lock()
	defer declaredMu.Unlock()
	ns := u[strings.Index(u, "namespace=")+len("namespace="):]
	declared[ns] = append(declared[ns], queue)
}

// rig is a folder store with one chain, a hub that captures through the
// broker, and a running builder daemon.
type rig struct {
	t       *testing.T
	url     string
	home    string
	local   *blockhub.Hub // no broker: reads the chain
	root    chain.Block
	conn    *broker.Conn
	daemon  *broker.Daemon
	stopD   context.CancelFunc
	daemonW sync.WaitGroup
}

func newRig(t *testing.T, name string) *rig {
	t.Helper()
	ctx := context.Background()
	r := &rig{t: t, url: brokerURL(t), home: t.TempDir()}
	var err error
	if r.local, err = blockhub.Open(ctx, blockhub.Config{Home: r.home}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.local.Close() })
	s := chain.DefaultSettings(name)
	s.MaxAssets = 50
	s.TTL = chain.Duration(20 * time.Millisecond)
	if r.root, _, err = r.local.Chain(ctx, name, &s); err != nil {
		t.Fatal(err)
	}
	if r.conn, err = broker.Dial(ctx, r.url, &broker.Options{Timeout: 10 * time.Second}); err != nil {
		t.Fatal(err)
	}
	noteQueue(r.url, r.conn.Names.Receipts(r.root.ID))
	t.Cleanup(func() { r.conn.Close() })
	return r
}

// startDaemon runs a daemon over every chain of the rig's store.
func (r *rig) startDaemon(opts broker.DaemonOptions) *broker.Daemon {
	r.t.Helper()
	opts.Blocks, opts.Assets = r.local.Blocks, r.local.Assets
	opts.Chains = func(ctx context.Context) ([]chain.Block, error) {
		var roots []chain.Block
		for b, err := range r.local.Chains(ctx) {
			if err != nil {
				return nil, err
			}
			noteQueue(r.url, r.conn.Names.Receipts(b.ID))
			roots = append(roots, b)
		}
		return roots, nil
	}
	if opts.Poll == 0 {
		opts.Poll = 200 * time.Millisecond
	}
	d, err := broker.NewDaemon(r.conn, &opts)
	if err != nil {
		r.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := d.Start(ctx); err != nil {
		cancel()
		r.t.Fatal(err)
	}
	r.daemonW.Add(1)
	go func() {
		defer r.daemonW.Done()
		if err := d.Run(ctx); err != nil {
			r.t.Errorf("daemon: %v", err)
		}
	}()
	r.daemon, r.stopD = d, cancel
	r.t.Cleanup(r.stopDaemon)
	return d
}

func (r *rig) stopDaemon() {
	if r.stopD != nil {
		r.stopD()
		r.daemonW.Wait()
		r.stopD = nil
	}
}

// capturer opens a hub of the rig's store that captures through the
// broker.
func (r *rig) capturer(bc blockhub.BrokerConfig) *blockhub.Hub {
	r.t.Helper()
	bc.URL = r.url
	if bc.Timeout == 0 {
		bc.Timeout = 10 * time.Second
	}
	h, err := blockhub.Open(context.Background(), blockhub.Config{Home: r.home, Broker: &bc})
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { h.Close() })
	return h
}

// onChain counts the receipts of the chain by hash (the settings receipt
// of the root aside).
func (r *rig) onChain(root chain.Block) map[string]int {
	r.t.Helper()
	got := map[string]int{}
	for b, err := range r.local.Walker(root).All(context.Background(), nil) {
		if err != nil {
			r.t.Fatalf("walk: %v", err)
		}
		if b.IsRoot() {
			continue
		}
		for _, rc := range b.Assets {
			got[rc.Hash]++
		}
	}
	return got
}

// waitFor polls cond for up to d.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func appendAll(t *testing.T, h *blockhub.Hub, root chain.Block, n int, prefix string) []appender.Appended {
	t.Helper()
	w, err := h.Writer(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	var out []appender.Appended
	for i := range n {
		a, err := w.Append(context.Background(), appender.Chunk{Data: fmt.Appendf(nil, "%s-%d", prefix, i), Type: "text/plain"})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	for _, a := range out {
		if l := <-a.Linked; l.Err != nil || !l.Queued {
			t.Fatalf("outcome of %s: %+v", a.Receipt.Hash, l)
		}
	}
	return out
}

func TestPublishedReceiptsAreLinkedOnce(t *testing.T) {
	r := newRig(t, "once")
	r.startDaemon(broker.DaemonOptions{})
	h := r.capturer(blockhub.BrokerConfig{})
	appended := appendAll(t, h, r.root, 120, "once")

	// The same messages published again, as a capture does when a
	// confirm was lost: the daemon drops them.
	var got map[string]int
	waitFor(t, 10*time.Second, "120 receipts on the chain", func() bool {
		got = r.onChain(r.root)
		return len(got) == 120
	})
	republishChain(t, r, r.root, 30)
	waitFor(t, 10*time.Second, "the duplicates dropped", func() bool { return r.daemon.Stats().Duplicates >= 30 })
	got = r.onChain(r.root)
	for _, a := range appended {
		if got[a.Receipt.Hash] != 1 {
			t.Errorf("asset %s is on the chain %d times, want 1", a.Receipt.Hash, got[a.Receipt.Hash])
		}
	}
	if st := r.daemon.Stats(); st.Receipts != 120 {
		t.Errorf("daemon linked %d receipts, want 120", st.Receipts)
	}
}

// republishChain publishes again, as raw messages, the first n receipts
// linked on the chain (what a capture whose confirms were lost does).
func republishChain(t *testing.T, r *rig, root chain.Block, n int) {
	t.Helper()
	var msgs [][]byte
	for b, err := range r.local.Walker(root).All(context.Background(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		for _, rc := range b.Assets {
			id, ok := broker.CaptureOf(rc)
			if !ok || len(msgs) >= n {
				continue
			}
			body, _ := json.Marshal(broker.Message{V: broker.Version, Chain: root.ID, Capture: id, Time: time.Now().Add(-time.Minute).UTC().Format(time.RFC3339Nano), Receipt: rc})
			msgs = append(msgs, body)
		}
	}
	publishRaw(t, r, r.conn.Names.Receipts(root.ID), msgs...)
}

func publishRaw(t *testing.T, r *rig, queue string, bodies ...[]byte) {
	t.Helper()
	ch, err := r.conn.Channel(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer ch.Close()
	if err := ch.Confirm(false); err != nil {
		t.Fatal(err)
	}
	if _, err := ch.QueueDeclare(queue, true, false, false, false, nil); err != nil {
		t.Fatal(err)
	}
	for _, b := range bodies {
		dc, err := ch.PublishWithDeferredConfirm("", queue, false, false, amqp.Publishing{DeliveryMode: amqp.Persistent, Body: b})
		if err != nil {
			t.Fatal(err)
		}
		if !dc.Wait() {
			t.Fatal("not confirmed")
		}
	}
}

// A receipt linked by a daemon that died before acking comes back to a
// daemon that started later, from an older position: it finds the
// receipt in the blocks linked since it was published and drops it.
func TestRedeliveryAfterLinkIsDropped(t *testing.T) {
	r := newRig(t, "redeliver")
	ctx := context.Background()
	data := []byte("linked before the crash")
	hash, _, err := r.local.Assets.PutBytes(ctx, chain.SHA256, data)
	if err != nil {
		t.Fatal(err)
	}
	published := time.Now().Add(-2 * time.Second).UTC().Format(time.RFC3339Nano)
	rc := chain.Receipt{Hash: hash, Crypt: chain.SHA256, Length: int64(len(data)), Type: "text/plain", Meta: json.RawMessage(`{"capture":"deadbeef-1"}`)}
	// The block the crashed daemon linked, and others linked after it.
	w, err := r.local.Writer(ctx, r.root)
	if err != nil {
		t.Fatal(err)
	}
	w.Queue(rc)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		w, _ := r.local.Writer(ctx, r.root)
		w.Append(ctx, appender.Chunk{Data: fmt.Appendf(nil, "later %d", i), Type: "text/plain"})
		w.Close()
	}
	d := r.startDaemon(broker.DaemonOptions{})
	body, _ := json.Marshal(broker.Message{V: broker.Version, Chain: r.root.ID, Capture: "deadbeef-1", Time: published, Receipt: rc})
	publishRaw(t, r, r.conn.Names.Receipts(r.root.ID), body)
	waitFor(t, 10*time.Second, "the redelivery dropped", func() bool { return d.Stats().Duplicates == 1 })
	if got := r.onChain(r.root)[hash]; got != 1 {
		t.Fatalf("receipt on the chain %d times, want 1", got)
	}
}

func TestDeadLetters(t *testing.T) {
	r := newRig(t, "dead")
	ctx := context.Background()
	d := r.startDaemon(broker.DaemonOptions{AssetWait: 300 * time.Millisecond})
	stored := []byte("stored asset")
	hash, _, err := r.local.Assets.PutBytes(ctx, chain.SHA256, stored)
	if err != nil {
		t.Fatal(err)
	}
	missing := []byte("not stored yet")
	now := time.Now().UTC().Format(time.RFC3339Nano)
	msg := func(capture string, rc chain.Receipt, chainID string) []byte {
		rc.Meta = json.RawMessage(`{"capture":"` + capture + `"}`)
		b, _ := json.Marshal(broker.Message{V: broker.Version, Chain: chainID, Capture: capture, Time: now, Receipt: rc})
		return b
	}
	good := chain.Receipt{Hash: hash, Crypt: chain.SHA256, Length: int64(len(stored)), Type: "text/plain"}
	badHash := good
	badHash.Hash = "xyz"
	wrongLen := good
	wrongLen.Length = 99
	absent := chain.Receipt{Hash: chain.SHA256.Sum(missing), Crypt: chain.SHA256, Length: int64(len(missing)), Type: "text/plain"}
	other := strings.Repeat("ab", 32)
	cases := []struct {
		body []byte
		code string
	}{
		{[]byte("not json"), broker.CodeSchema},
		{[]byte(`{"v":7}`), broker.CodeSchema},
		{msg("c-hash", badHash, r.root.ID), broker.CodeBadHash},
		{msg("c-len", wrongLen, r.root.ID), broker.CodeBadLength},
		{msg("c-missing", absent, r.root.ID), broker.CodeAssetMissing},
		{msg("c-queue", good, other), broker.CodeWrongQueue},
		{append([]byte(`{"pad":"`), append([]byte(strings.Repeat("x", broker.MaxMessageBytes)), `"}`...)...), broker.CodeTooLarge},
	}
	var bodies [][]byte
	for _, c := range cases {
		bodies = append(bodies, c.body)
	}
	publishRaw(t, r, r.conn.Names.Receipts(r.root.ID), bodies...)
	waitFor(t, 10*time.Second, "7 dead letters", func() bool { return d.Stats().DeadLettered == 7 })

	dlq := broker.NewDeadLetters(r.conn)
	// A missing asset is waited for, so its letter may come after the
	// ones that follow it: letters are matched by their original bytes.
	byBody := map[string]broker.DeadLetter{}
	if err := dlq.Visit(ctx, 0, func(dl broker.DeadLetter) broker.Action {
		orig := dl.Body
		if len(dl.Message) > 0 {
			orig = dl.Message
		}
		byBody[string(orig)] = dl
		if dl.Queue != r.conn.Names.Receipts(r.root.ID) {
			t.Errorf("dead letter %s names queue %q", dl.ID, dl.Queue)
		}
		return broker.Keep
	}); err != nil {
		t.Fatal(err)
	}
	if len(byBody) != len(cases) {
		t.Fatalf("%d distinct dead letters, want %d", len(byBody), len(cases))
	}
	for i, c := range cases {
		dl, ok := byBody[string(c.body)]
		if !ok && c.code == broker.CodeTooLarge {
			// An oversized body is kept cut short; find it by its code.
			for _, l := range byBody {
				if l.Error.Code == c.code {
					dl, ok = l, true
				}
			}
		}
		if !ok || dl.Error.Code != c.code {
			t.Fatalf("case %d: dead letter %+v, want code %s", i, dl.Error, c.code)
		}
	}
	if dl := byBody[string(cases[2].body)]; dl.Error.Path != "receipt.hash" || len(dl.Message) == 0 {
		t.Errorf("bad_hash letter: %+v", dl)
	}
	if _, ok := byBody["not json"]; !ok {
		t.Errorf("the schema letter does not keep the original bytes")
	}

	// Fix the causes: store the missing asset; repair the wrong length.
	if _, _, err := r.local.Assets.PutBytes(ctx, chain.SHA256, missing); err != nil {
		t.Fatal(err)
	}
	dlq.Repairs[broker.CodeBadLength] = func(_ context.Context, dl broker.DeadLetter) ([]broker.Message, error) {
		m, perr := broker.Decode(dl.Message, "")
		if perr != nil {
			return nil, perr
		}
		m.Receipt.Length = int64(len(stored))
		return []broker.Message{m}, nil
	}
	replayed, dropped := 0, 0
	if err := dlq.Visit(ctx, 0, func(dl broker.DeadLetter) broker.Action {
		switch dl.Error.Code {
		case broker.CodeAssetMissing, broker.CodeBadLength:
			replayed++
			return broker.Replay
		}
		dropped++
		return broker.Drop
	}); err != nil {
		t.Fatal(err)
	}
	if replayed != 2 || dropped != 5 {
		t.Fatalf("replayed %d, dropped %d", replayed, dropped)
	}
	waitFor(t, 10*time.Second, "the replayed receipts linked", func() bool {
		got := r.onChain(r.root)
		return got[hash] == 1 && got[absent.Hash] == 1
	})
	left := 0
	dlq.Visit(ctx, 0, func(broker.DeadLetter) broker.Action { left++; return broker.Keep })
	if left != 0 {
		t.Fatalf("%d dead letters left", left)
	}
}

func TestNewChainPickedUpAndHeartbeats(t *testing.T) {
	r := newRig(t, "first")
	ctx := context.Background()
	d := r.startDaemon(broker.DaemonOptions{Heartbeat: 200 * time.Millisecond})
	second, _, err := r.local.Chain(ctx, "second", nil)
	if err != nil {
		t.Fatal(err)
	}
	noteQueue(r.url, r.conn.Names.Receipts(second.ID))
	h := r.capturer(blockhub.BrokerConfig{})
	appendAll(t, h, second, 5, "second")
	appendAll(t, h, r.root, 5, "first")
	waitFor(t, 10*time.Second, "both chains linked", func() bool {
		return len(r.onChain(second)) == 5 && len(r.onChain(r.root)) == 5
	})
	beats, err := broker.Heartbeats(ctx, r.conn, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(beats) != 1 || len(beats[0].Chains) != 2 || beats[0].PID != os.Getpid() || beats[0].Receipts != 10 {
		t.Fatalf("heartbeats = %+v", beats)
	}
	q, err := broker.Depth(ctx, r.conn, r.conn.Names.Receipts(second.ID))
	if err != nil || q.Consumers != 1 || q.Messages != 0 {
		t.Fatalf("depth = %+v, %v", q, err)
	}
	_ = d
}

// With WaitLinked and no daemon, a stop saves the receipts; the next run
// publishes them again and they are linked once.
func TestWaitLinkedSavesPendingForNextRun(t *testing.T) {
	r := newRig(t, "pending")
	ctx := context.Background()
	shutdown, stop := context.WithCancel(ctx)
	h := r.capturer(blockhub.BrokerConfig{WaitLinked: true, Shutdown: shutdown})
	w, err := h.Writer(ctx, r.root)
	if err != nil {
		t.Fatal(err)
	}
	var hashes []string
	var outcomes []<-chan builder.Linked
	for i := range 3 {
		a, err := w.Append(ctx, appender.Chunk{Data: fmt.Appendf(nil, "pending %d", i), Type: "text/plain"})
		if err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, a.Receipt.Hash)
		outcomes = append(outcomes, a.Linked)
	}
	time.AfterFunc(500*time.Millisecond, stop)
	err = w.Close()
	if err == nil || !strings.Contains(err.Error(), "saved to") {
		t.Fatalf("Close = %v, want the receipts saved", err)
	}
	for _, o := range outcomes {
		if l := <-o; l.Err == nil {
			t.Fatalf("outcome %+v, want an error", l)
		}
	}
	files, _ := filepath.Glob(filepath.Join(r.home, "broker", "*.pending.jsonl"))
	if len(files) != 1 {
		t.Fatalf("pending files: %v", files)
	}

	// The first copies were confirmed before the stop: the daemon links
	// them before the next run starts, which must still see them linked
	// (and end) rather than wait for links that happened before it.
	r.startDaemon(broker.DaemonOptions{})
	waitFor(t, 10*time.Second, "the first copies linked", func() bool {
		got := r.onChain(r.root)
		return got[hashes[0]]+got[hashes[1]]+got[hashes[2]] == 3
	})
	h2 := r.capturer(blockhub.BrokerConfig{WaitLinked: true})
	w2, err := h2.Writer(ctx, r.root)
	if err != nil {
		t.Fatal(err)
	}
	if err := w2.Close(); err != nil {
		t.Fatal(err)
	}
	got := r.onChain(r.root)
	for _, hsh := range hashes {
		if got[hsh] != 1 {
			t.Errorf("%s on the chain %d times, want 1", hsh, got[hsh])
		}
	}
	if files, _ := filepath.Glob(filepath.Join(r.home, "broker", "*.pending.jsonl")); len(files) != 0 {
		t.Errorf("pending files left: %v", files)
	}
}

// A receipt no block took within ConfirmTTL is published again; the
// daemon that comes later links it once.
func TestWaitLinkedRepublishes(t *testing.T) {
	r := newRig(t, "ttl")
	ctx := context.Background()
	h := r.capturer(blockhub.BrokerConfig{WaitLinked: true, ConfirmTTL: 300 * time.Millisecond})
	w, err := h.Writer(ctx, r.root)
	if err != nil {
		t.Fatal(err)
	}
	a, err := w.Append(ctx, appender.Chunk{Data: []byte("late daemon"), Type: "text/plain"})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond) // a few republishes, nobody consuming
	d := r.startDaemon(broker.DaemonOptions{})
	l := <-a.Linked
	if l.Err != nil || l.Block == "" || l.Height == 0 {
		t.Fatalf("outcome %+v", l)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "the copies dropped", func() bool { return d.Stats().Duplicates >= 1 })
	if got := r.onChain(r.root)[a.Receipt.Hash]; got != 1 {
		t.Fatalf("on the chain %d times, want 1", got)
	}
}

// proxy is a TCP proxy to the broker that a test can cut.
type proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	down   bool
	conns  []net.Conn
}

func newProxy(t *testing.T, target string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target}
	go p.serve()
	t.Cleanup(func() { ln.Close(); p.cut() })
	return p
}

func (p *proxy) addr() string { return p.ln.Addr().String() }

func (p *proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.down {
			p.mu.Unlock()
			c.Close()
			continue
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			p.mu.Unlock()
			c.Close()
			continue
		}
		p.conns = append(p.conns, c, up)
		p.mu.Unlock()
		go func() { io.Copy(up, c); up.Close() }()
		go func() { io.Copy(c, up); c.Close() }()
	}
}

// cut drops every connection and refuses new ones until restore.
func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func (p *proxy) restore() {
	p.mu.Lock()
	p.down = false
	p.mu.Unlock()
}

// viaProxy rewrites a broker URL to go through p.
func viaProxy(t *testing.T, rawURL string, p *proxy) string {
	i := strings.Index(rawURL, "@")
	j := strings.Index(rawURL[i:], "/")
	return rawURL[:i+1] + p.addr() + rawURL[i+j:]
}
