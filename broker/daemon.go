package broker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/blockhub/blockhub/builder"
	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store"
)

// DaemonOptions tune a builder Daemon.
type DaemonOptions struct {
	Blocks *store.Blocks
	Assets *store.Assets
	// Chains returns the roots of the chains to link. It is called at the
	// start and every Poll, so a chain created later is picked up without
	// a restart. An error is logged and the call tried again.
	Chains func(ctx context.Context) ([]chain.Block, error)
	// Poll is how often Chains is called; default 2s.
	Poll time.Duration
	// Heartbeat is how often a heartbeat is published; default 2s.
	Heartbeat time.Duration
	// AssetWait is how long a receipt whose asset is not (yet) in the asset
	// store waits before it is dead-lettered; default 10s.
	AssetWait time.Duration
	// Skew is how far the clocks of capture hosts and builders may differ;
	// a receipt is looked for in the blocks linked since it was published,
	// less Skew. Default 5 minutes.
	Skew time.Duration
	// Notes receives one line per step of the start-up checklist and per
	// chain picked up; nil discards.
	Notes  func(line string)
	Logger *slog.Logger
}

// Stats count what a Daemon did.
type Stats struct {
	Receipts     uint64 `json:"receipts"`      // linked
	Blocks       uint64 `json:"blocks"`        // linked
	Duplicates   uint64 `json:"duplicates"`    // dropped: already on the chain
	DeadLettered uint64 `json:"dead_lettered"` // sent to the dead-letter queue
}

// Daemon links the receipts that captures publish: one consumer per chain
// queue, batching as the chain's settings say (min, max, ttl), and
// acknowledging deliveries only once their block is linked.
type Daemon struct {
	conn    *Conn
	opts    DaemonOptions
	log     *slog.Logger
	host    string
	started time.Time

	mu      sync.Mutex
	linkers map[string]*linker
	stats   Stats
	lastErr string

	side sideChannel // dead letters and heartbeats
}

// NewDaemon returns a Daemon over conn; Run starts it.
func NewDaemon(conn *Conn, opts *DaemonOptions) (*Daemon, error) {
	if opts == nil || opts.Blocks == nil || opts.Assets == nil || opts.Chains == nil {
		return nil, errors.New("broker: daemon: Blocks, Assets and Chains are required")
	}
	d := &Daemon{conn: conn, opts: *opts, log: opts.Logger, started: time.Now(), linkers: map[string]*linker{}}
	d.side.conn = conn
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	if d.opts.Notes == nil {
		d.opts.Notes = func(string) {}
	}
	for _, v := range []struct {
		p   *time.Duration
		def time.Duration
	}{{&d.opts.Poll, 2 * time.Second}, {&d.opts.Heartbeat, 2 * time.Second}, {&d.opts.AssetWait, 10 * time.Second}, {&d.opts.Skew, 5 * time.Minute}} {
		if *v.p <= 0 {
			*v.p = v.def
		}
	}
	d.host, _ = os.Hostname()
	return d, nil
}

// Stats returns the counts so far.
func (d *Daemon) Stats() Stats {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.stats
}

func (d *Daemon) count(f func(*Stats)) {
	d.mu.Lock()
	f(&d.stats)
	d.mu.Unlock()
}

func (d *Daemon) failed(err error) {
	d.mu.Lock()
	d.lastErr = err.Error()
	d.mu.Unlock()
}

// Start runs the start-up checklist: the stores answer, the broker
// connects, every chain's queue is declared and its tail found. It fails
// with the step that did not complete within ctx.
func (d *Daemon) Start(ctx context.Context) error {
	roots, err := d.opts.Chains(ctx)
	if err != nil {
		return fmt.Errorf("block store %s: %w", d.opts.Blocks.URL(), err)
	}
	d.opts.Notes(fmt.Sprintf("block store %s: reachable (%d chains)", d.opts.Blocks.URL(), len(roots)))
	if err := d.opts.Assets.Reachable(ctx); err != nil {
		return fmt.Errorf("asset store %s: %w", d.opts.Assets.URL(), err)
	}
	d.opts.Notes(fmt.Sprintf("asset store %s: reachable", d.opts.Assets.URL()))
	if err := d.side.open(ctx); err != nil {
		return err
	}
	d.opts.Notes(fmt.Sprintf("broker %s: connected; %s and %s declared", d.conn.URL(), d.conn.Names.DeadLetters(), d.conn.Names.Heartbeats()))
	for _, r := range roots {
		if err := d.add(ctx, r); err != nil {
			return err
		}
	}
	return nil
}

// add prepares the linker of one chain: its queue declared, its tail found.
func (d *Daemon) add(ctx context.Context, root chain.Block) error {
	d.mu.Lock()
	_, ok := d.linkers[root.ID]
	d.mu.Unlock()
	if ok {
		return nil
	}
	l, err := newLinker(ctx, d, root)
	if err != nil {
		return err
	}
	d.mu.Lock()
	d.linkers[root.ID] = l
	d.mu.Unlock()
	d.opts.Notes(fmt.Sprintf("chain %s (%s): queue %s declared, tail at height %d", l.settings.Name, short(root.ID), l.queue, l.tail.Height))
	return nil
}

// Run links until ctx ends, after Start. It returns nil when ctx ended.
func (d *Daemon) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	running := map[string]bool{}
	startNew := func() {
		d.mu.Lock()
		defer d.mu.Unlock()
		for id, l := range d.linkers {
			if !running[id] {
				running[id] = true
				wg.Add(1)
				go func() {
					defer wg.Done()
					l.run(ctx)
				}()
			}
		}
	}
	startNew()
	wg.Add(1)
	go func() {
		defer wg.Done()
		d.beat(ctx)
	}()
	poll := time.NewTicker(d.opts.Poll)
	defer poll.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-poll.C:
		}
		roots, err := d.opts.Chains(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			d.failed(err)
			d.log.Warn("listing chains", "err", err)
			continue
		}
		for _, r := range roots {
			if err := d.add(ctx, r); err != nil && ctx.Err() == nil {
				d.failed(err)
				d.log.Warn("picking up chain", "chain", r.ID, "err", err)
			}
		}
		startNew()
	}
}

func short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// linker consumes one chain's queue and links its receipts.
type linker struct {
	d        *Daemon
	root     chain.Block
	settings chain.Settings
	queue    string

	// What is on the chain, for dropping receipts linked already: the
	// capture ids of every block from low to tail.
	tail       chain.Block
	tailHeight atomic.Uint64 // tail.Height, for the heartbeat
	low        chain.Block
	ids        map[string]struct{}
	failing    atomic.Bool // warned of a failure, no block linked since
}

func (l *linker) setTail(b chain.Block) {
	l.tail = b
	l.tailHeight.Store(b.Height)
}

// maxSeen bounds the capture ids a linker remembers; past it, it forgets
// them and reads back from the tail again as receipts ask.
const maxSeen = 1 << 20

func newLinker(ctx context.Context, d *Daemon, root chain.Block) (*linker, error) {
	s, err := chain.RootSettings(root)
	if err != nil {
		return nil, err
	}
	l := &linker{d: d, root: root, settings: s, queue: d.conn.Names.Receipts(root.ID)}
	if err := d.side.declare(ctx, l.queue); err != nil {
		return nil, err
	}
	tail, err := d.opts.Blocks.Tail(ctx, root.ID)
	if err != nil {
		return nil, fmt.Errorf("chain %s: tail: %w", s.Name, err)
	}
	l.forget(tail)
	return l, nil
}

// forget drops the remembered capture ids but those of tail.
func (l *linker) forget(tail chain.Block) {
	l.ids = map[string]struct{}{}
	l.setTail(tail)
	l.low = tail
	l.remember(tail)
}

func (l *linker) remember(b chain.Block) {
	for _, r := range b.Assets {
		if id, ok := CaptureOf(r); ok {
			l.ids[id] = struct{}{}
		}
	}
}

// run consumes the queue until ctx ends, opening a new channel whenever
// the connection is lost.
func (l *linker) run(ctx context.Context) {
	for ctx.Err() == nil {
		err := l.consume(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			l.d.failed(err)
			// One warning until a block is linked again (see link).
			// A lost connection is the connection's to warn of.
			if !errors.Is(err, errDeliveriesEnded) && !l.failing.Swap(true) {
				l.d.log.Warn("cannot link; retrying", "chain", l.settings.Name, "err", err)
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// consume serves one channel: batches of deliveries, linked, then acked.
// Deliveries not acked when the channel dies are redelivered by the
// broker, to this or another daemon.
func (l *linker) consume(ctx context.Context) error {
	ch, err := l.d.conn.Channel(ctx)
	if err != nil {
		return err
	}
	var dels <-chan amqp.Delivery
	defer func() { closeConsumer(ch, dels) }()
	if err := ch.Qos(max(2*l.settings.MaxAssets, 64), 0, false); err != nil {
		return err
	}
	if err := declareReceipts(ch, l.queue); err != nil {
		return err
	}
	dels, err = ch.Consume(l.queue, "", false, false, false, false, nil)
	if err != nil {
		return fmt.Errorf("consume %s: %w", l.queue, err)
	}
	// Deliveries are taken off the client's channel while a block is being
	// linked, so that what arrived meanwhile fills the next block (up to
	// max) instead of one block each. The buffer holds at most the
	// prefetch; it is closed when the client's channel is.
	in := make(chan amqp.Delivery, max(2*l.settings.MaxAssets, 64))
	go func(from <-chan amqp.Delivery) {
		defer close(in)
		for d := range from {
			in <- d
		}
	}(dels)
	dels = nil // closeConsumer: the goroutine above drains the client's channel
	defer func() {
		go func() {
			for range in {
			}
		}()
	}()
	batch := builder.NewBatcher[amqp.Delivery](builder.BatchPolicy{Count: l.settings.MinAssets, Period: time.Duration(l.settings.TTL)})
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		if wait := batch.UntilNext(); wait >= 0 {
			timer.Reset(wait)
		} else {
			timer.Reset(time.Hour)
		}
		select {
		case <-ctx.Done():
			return nil
		case del, ok := <-in:
			if !ok {
				return errDeliveriesEnded
			}
			batch.Add(del, 1)
			// Take what is already waiting in the channel before linking,
			// so a backlog fills blocks up to max.
			for batch.Len() < l.settings.MaxAssets {
				select {
				case del, ok := <-in:
					if !ok {
						return errDeliveriesEnded
					}
					batch.Add(del, 1)
					continue
				default:
				}
				break
			}
		case <-timer.C:
		}
		for batch.Ready() {
			items := batch.Flush(l.settings.MaxAssets)
			if err := l.link(ctx, ch, items); err != nil {
				// Nothing of the batch is acked: the broker delivers it
				// again once this channel is gone.
				if ch.IsClosed() {
					return errDeliveriesEnded
				}
				return err
			}
		}
	}
}

// errDeliveriesEnded: the channel closed under the consumer (the
// connection was lost, or the queue deleted).
var errDeliveriesEnded = errors.New("deliveries ended")

// candidate is one delivery that decoded.
type candidate struct {
	del amqp.Delivery
	msg Message
}

// link puts a batch of deliveries on the chain and acks them: receipts
// that cannot be linked go to the dead-letter queue, receipts already on
// the chain are dropped, the rest go in one block.
func (l *linker) link(ctx context.Context, ch *amqp.Channel, dels []amqp.Delivery) error {
	start := time.Now()
	var good []candidate
	for _, del := range dels {
		m, perr := Decode(del.Body, l.root.ID)
		if perr != nil {
			if err := l.deadLetter(ctx, del, perr); err != nil {
				return err
			}
			continue
		}
		good = append(good, candidate{del, m})
	}
	good, err := l.checkAssets(ctx, good)
	if err != nil {
		return err
	}
	oldest := time.Now()
	for _, c := range good {
		if t, err := time.Parse(time.RFC3339Nano, c.msg.Time); err == nil && t.Before(oldest) {
			oldest = t
		}
	}
	if err := l.readBack(ctx, oldest.Add(-l.d.opts.Skew)); err != nil {
		return err
	}
	for {
		if err := l.catchUp(ctx); err != nil {
			return err
		}
		good = l.fresh(good)
		if len(good) == 0 {
			break
		}
		receipts := make([]chain.Receipt, len(good))
		for i, c := range good {
			receipts[i] = c.msg.Receipt
		}
		blk, err := builder.NewBlock(l.root.ID, l.settings.Crypt, l.tail, receipts)
		if err != nil {
			return err
		}
		blocks := l.d.opts.Blocks
		if err := blocks.Create(ctx, blk); err != nil && !errors.Is(err, chain.ErrExists) {
			return err
		}
		err = blocks.SetNext(ctx, l.tail.ID, blk.ID)
		if errors.Is(err, chain.ErrNextSet) {
			continue // another builder linked first: read its blocks, build again
		}
		if err != nil {
			return err
		}
		l.setTail(blk)
		l.remember(blk)
		if l.failing.Swap(false) {
			l.d.log.Warn("linking again", "chain", l.settings.Name)
		}
		blocks.NoteTail(ctx, l.root.ID, blk.ID)
		l.d.count(func(s *Stats) { s.Blocks++; s.Receipts += uint64(len(good)) })
		l.d.log.Debug("linked block", "chain", l.settings.Name, "height", blk.Height, "receipts", len(good), "took", time.Since(start))
		break
	}
	// Deliveries of a channel arrive in order and earlier batches are
	// acked: one multiple ack covers the batch.
	if err := ch.Ack(dels[len(dels)-1].DeliveryTag, true); err != nil {
		return fmt.Errorf("ack on %s: %w", l.queue, err)
	}
	return nil
}

// fresh drops the candidates whose capture id is on the chain already, or
// earlier in the batch.
func (l *linker) fresh(cs []candidate) []candidate {
	out := cs[:0]
	inBatch := map[string]bool{}
	dups := 0
	for _, c := range cs {
		if _, on := l.ids[c.msg.Capture]; on || inBatch[c.msg.Capture] {
			dups++
			continue
		}
		inBatch[c.msg.Capture] = true
		out = append(out, c)
	}
	if dups > 0 {
		l.d.count(func(s *Stats) { s.Duplicates += uint64(dups) })
		l.d.log.Debug("dropped receipts already on the chain", "chain", l.settings.Name, "receipts", dups)
	}
	return out
}

// catchUp reads every block linked after the remembered tail.
func (l *linker) catchUp(ctx context.Context) error {
	if len(l.ids) > maxSeen {
		l.forget(l.tail)
	}
	next := l.tail.Next
	if next == "" {
		b, err := l.d.opts.Blocks.Get(ctx, l.tail.ID)
		if err != nil {
			return err
		}
		next = b.Next
	}
	for next != "" {
		b, err := l.d.opts.Blocks.Get(ctx, next)
		if err != nil {
			return err
		}
		l.remember(b)
		l.setTail(b)
		next = b.Next
	}
	return nil
}

// readBack reads blocks before the earliest remembered one until their
// time is before since (or the root), so that a receipt published at
// since or later is found if it is linked.
func (l *linker) readBack(ctx context.Context, since time.Time) error {
	low, err := backTo(ctx, l.d.opts.Blocks, l.low, since, l.remember)
	l.low = low
	return err
}

// checkAssets keeps the candidates whose asset is in the asset store with
// the receipt's length; the others are dead-lettered, a missing asset
// after waiting AssetWait for it (a capture on another host may still be
// writing it... though captures publish only after storing).
func (l *linker) checkAssets(ctx context.Context, cs []candidate) ([]candidate, error) {
	deadline := time.Now().Add(l.d.opts.AssetWait)
	var out []candidate
	for len(cs) > 0 {
		var missing []candidate
		for _, c := range cs {
			r := c.msg.Receipt
			size, err := l.d.opts.Assets.Stat(ctx, r.Hash)
			switch {
			case errors.Is(err, chain.ErrNotFound):
				missing = append(missing, c)
			case err != nil:
				return nil, err // the store is down: nothing is decided
			case size != r.Length:
				if err := l.deadLetter(ctx, c.del, &Error{Code: CodeBadLength, Path: "receipt.length", Msg: fmt.Sprintf("the receipt says %d bytes, the asset store holds %d", r.Length, size)}); err != nil {
					return nil, err
				}
			default:
				out = append(out, c)
			}
		}
		cs = missing
		if len(cs) == 0 {
			break
		}
		if time.Now().After(deadline) {
			for _, c := range cs {
				if err := l.deadLetter(ctx, c.del, &Error{Code: CodeAssetMissing, Path: "receipt.hash", Msg: fmt.Sprintf("asset %s is not in the asset store %s (waited %s)", c.msg.Receipt.Hash, l.d.opts.Assets.URL(), l.d.opts.AssetWait)}); err != nil {
					return nil, err
				}
			}
			break
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
	return out, nil
}

// deadLetter sends a delivery to the dead-letter queue with why; the
// caller acks it with its batch.
func (l *linker) deadLetter(ctx context.Context, del amqp.Delivery, why *Error) error {
	l.d.log.Warn("dead-lettering a receipt", "queue", l.queue, "code", why.Code, "err", why.Msg)
	if err := l.d.side.deadLetter(ctx, l.queue, del, why); err != nil {
		return err
	}
	l.d.count(func(s *Stats) { s.DeadLettered++ })
	return nil
}

// height is the height of the tail the linker knows (read by the
// heartbeat, from another goroutine).
func (l *linker) height() uint64 { return l.tailHeight.Load() }

// closeConsumer closes a channel that consumes into dels (nil when none).
// The client hands deliveries on from the goroutine that also reads the
// broker's answer to the close: someone must take them meanwhile, or the
// close never returns. Deliveries not acked are the broker's again.
func closeConsumer(ch *amqp.Channel, dels <-chan amqp.Delivery) {
	if dels != nil {
		go func() {
			for range dels {
			}
		}()
	}
	ch.Close()
}
