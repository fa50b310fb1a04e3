package broker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/blockhub/blockhub/builder"
	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store"
	"github.com/blockhub/blockhub/chain/walk"
)

// PublisherOptions tune a Publisher.
type PublisherOptions struct {
	// Assets is the asset store the capture writes to: it is made durable
	// (Sync) before any receipt naming its assets is published.
	Assets *store.Assets
	// Blocks is the block store, read to see receipts linked (WaitLinked).
	Blocks *store.Blocks
	// WaitLinked makes a receipt's outcome wait until a builder daemon has
	// linked it onto the chain (the notes' "read from chain"), publishing
	// it again when no block took it within ConfirmTTL.
	WaitLinked bool
	// ConfirmTTL is how long a confirmed receipt may wait to be linked
	// before it is published again (WaitLinked). Default 30s.
	ConfirmTTL time.Duration
	// Timeout is how long a receipt may stay unconfirmed by the broker
	// (it is published again on every new connection) before its outcome
	// is an error. Default 60s.
	Timeout time.Duration
	// PendingDir keeps, across runs, the receipts that were stored but not
	// confirmed (or, with WaitLinked, not linked) when the process was
	// told to stop: they are written there, and the next Publisher of the
	// chain publishes them again. "" keeps nothing.
	PendingDir string
	// Shutdown ends the wait for confirmations and links: when it is done,
	// what is still pending is saved to PendingDir and fails. Nil: never.
	Shutdown context.Context
	Logger   *slog.Logger
}

// Publisher hands receipts of one chain to the broker. It is what a
// capture with --broker queues receipts with instead of a local builder:
// Add returns a channel that receives the outcome once the broker has
// confirmed the receipt (with WaitLinked, once it is on the chain).
type Publisher struct {
	conn     *Conn
	root     chain.Block
	queue    string
	opts     PublisherOptions
	log      *slog.Logger
	ids      *captureIDs
	host     string
	shutdown <-chan struct{}

	mu       sync.Mutex
	queued   []*pub          // to publish (again)
	waiting  map[string]*pub // confirmed, not yet seen linked (WaitLinked)
	open     map[string]*pub // every receipt without its outcome yet (WaitLinked)
	closing  bool
	err      error // set when the publisher gave up
	kick     chan struct{}
	done     chan struct{}
	inherits []*pendingFile

	ch      *amqp.Channel // only the run goroutine touches it
	returns chan amqp.Return
}

// pub is one receipt on its way.
type pub struct {
	msg       Message
	body      []byte
	ch        chan builder.Linked // nil for one inherited from an earlier run
	first     time.Time           // first publish attempt
	confirmed time.Time
	from      *pendingFile
	// linked is where the chain showed it before its copy was confirmed
	// (an earlier run's copy was linked first).
	linked *builder.Linked
}

// NewPublisher returns a Publisher for the chain rooted at root over conn,
// after declaring the chain's queue; it picks up receipts an earlier run
// left in opts.PendingDir. ctx bounds its life: use one that outlives the
// capture's own cancellation, and Shutdown for signals.
func NewPublisher(ctx context.Context, conn *Conn, root chain.Block, opts *PublisherOptions) (*Publisher, error) {
	if opts == nil || opts.Assets == nil || opts.Blocks == nil {
		return nil, errors.New("broker: publisher: Assets and Blocks are required")
	}
	p := &Publisher{
		conn:    conn,
		root:    root,
		queue:   conn.Names.Receipts(root.ID),
		opts:    *opts,
		log:     opts.Logger,
		ids:     newCaptureIDs(),
		waiting: map[string]*pub{},
		open:    map[string]*pub{},
		kick:    make(chan struct{}, 1),
		done:    make(chan struct{}),
	}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	if p.opts.ConfirmTTL <= 0 {
		p.opts.ConfirmTTL = 30 * time.Second
	}
	if p.opts.Timeout <= 0 {
		p.opts.Timeout = 60 * time.Second
	}
	if opts.Shutdown != nil {
		p.shutdown = opts.Shutdown.Done()
	}
	p.host, _ = os.Hostname()
	if err := p.openChannel(ctx); err != nil {
		return nil, err
	}
	// A wait for links starts from the tail as it is now: every block
	// that can hold one of this run's receipts comes after it.
	var tail chain.Block
	if p.opts.WaitLinked {
		var err error
		if tail, err = opts.Blocks.Tail(ctx, root.ID); err != nil {
			return nil, err
		}
	}
	if err := p.inherit(); err != nil {
		return nil, err
	}
	if p.opts.WaitLinked {
		// An inherited receipt may have been linked before this run began
		// (its first copy was in the queue): look from before it was sent.
		if oldest, ok := p.oldestQueued(); ok {
			var err error
			if tail, err = backTo(ctx, opts.Blocks, tail, oldest.Add(-inheritSkew), nil); err != nil {
				return nil, err
			}
		}
		go p.follow(ctx, tail)
	}
	go p.run(ctx)
	return p, nil
}

// inheritSkew is how far the clock of the run that left a pending file
// may be ahead of the clocks that stamped the blocks.
const inheritSkew = 5 * time.Minute

// oldestQueued is the earliest send time of the receipts queued so far.
func (p *Publisher) oldestQueued() (time.Time, bool) {
	if len(p.queued) == 0 {
		return time.Time{}, false
	}
	oldest := time.Now()
	for _, b := range p.queued {
		t, err := time.Parse(time.RFC3339Nano, b.msg.Time)
		if err != nil {
			return time.Time{}, true // unknown: look from the root
		}
		if t.Before(oldest) {
			oldest = t
		}
	}
	return oldest, true
}

// backTo steps back from b through its predecessors to the first block
// stamped before since (or the root), handing each block it reads to
// visit (when set). On an error it returns the earliest block reached.
func backTo(ctx context.Context, blocks *store.Blocks, b chain.Block, since time.Time, visit func(chain.Block)) (chain.Block, error) {
	for !b.IsRoot() {
		if t, err := b.At(); err == nil && t.Before(since) {
			return b, nil
		}
		prev, err := blocks.Get(ctx, b.Prev)
		if err != nil {
			return b, fmt.Errorf("broker: reading back the chain: %w", err)
		}
		if visit != nil {
			visit(prev)
		}
		b = prev
	}
	return b, nil
}

// Add publishes the receipt of a stored asset. Its meta gains "capture",
// the id by which builders link it once only.
func (p *Publisher) Add(r chain.Receipt) (<-chan builder.Linked, error) {
	id := p.ids.next()
	meta, err := withCapture(r.Meta, id)
	if err != nil {
		return nil, err
	}
	r.Meta = meta
	m := Message{V: Version, Chain: p.root.ID, Capture: id, Time: time.Now().UTC().Format(time.RFC3339Nano), Host: p.host, PID: os.Getpid(), Receipt: r}
	body, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	ch := make(chan builder.Linked, 1)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return nil, p.err
	}
	if p.closing {
		return nil, builder.ErrClosed
	}
	p.enqueue(&pub{msg: m, body: body, ch: ch, first: time.Now()})
	p.signal()
	return ch, nil
}

// enqueue queues a new receipt. Callers hold p.mu (or own p alone).
func (p *Publisher) enqueue(b *pub) {
	p.queued = append(p.queued, b)
	if p.opts.WaitLinked {
		p.open[b.msg.Capture] = b
	}
}

func (p *Publisher) signal() {
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// Close waits until every receipt added was confirmed (with WaitLinked,
// linked), or Shutdown ended the wait, and returns the first error.
func (p *Publisher) Close() error {
	p.mu.Lock()
	p.closing = true
	p.signal()
	p.mu.Unlock()
	<-p.done
	if p.ch != nil {
		p.ch.Close()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// run publishes what is queued, in batches, until Close or Shutdown.
func (p *Publisher) run(ctx context.Context) {
	defer close(p.done)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	pause := 100 * time.Millisecond
	for {
		p.mu.Lock()
		batch := p.queued
		if len(batch) > 500 {
			batch = batch[:500]
		}
		p.queued = p.queued[len(batch):]
		batch = p.takeLinked(batch)
		finished := p.closing && len(p.queued) == 0 && len(batch) == 0 && len(p.waiting) == 0
		p.mu.Unlock()

		if finished {
			p.release()
			return
		}
		if len(batch) > 0 {
			if err := p.publish(ctx, batch); err != nil {
				// The connection warns once per outage; this is detail.
				p.log.Debug("publish failed; retrying", "broker", p.conn.URL(), "queue", p.queue, "err", err)
				p.requeue(batch, err)
				if !p.sleep(ctx, pause) {
					p.stop(ctx)
					return
				}
				pause = min(2*pause, 2*time.Second)
				continue
			}
			pause = 100 * time.Millisecond
			p.confirmed(batch)
			continue
		}
		select {
		case <-p.kick:
		case <-tick.C:
			p.retryUnlinked()
		case <-p.shutdown:
			p.stop(ctx)
			return
		case <-ctx.Done():
			p.stop(ctx)
			return
		}
	}
}

// sleep waits d, or less when Shutdown or ctx end (then it returns false).
func (p *Publisher) sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-p.shutdown:
		return false
	case <-ctx.Done():
		return false
	}
}

// publish makes the batch's assets durable, publishes every message and
// waits for the broker to confirm them all.
func (p *Publisher) publish(ctx context.Context, batch []*pub) error {
	if err := p.opts.Assets.Sync(ctx); err != nil {
		return err
	}
	if p.ch == nil || p.ch.IsClosed() {
		if err := p.openChannel(ctx); err != nil {
			return err
		}
	}
	confirms := make([]*amqp.DeferredConfirmation, len(batch))
	for i, b := range batch {
		dc, err := p.ch.PublishWithDeferredConfirmWithContext(ctx, "", p.queue, true, false, amqp.Publishing{
			ContentType:  "application/json",
			DeliveryMode: amqp.Persistent,
			MessageId:    b.msg.Capture,
			Timestamp:    time.Now(),
			Body:         b.body,
		})
		if err != nil {
			p.dropChannel()
			return fmt.Errorf("publish to %s: %w", p.queue, err)
		}
		confirms[i] = dc
	}
	wait, cancel := context.WithTimeout(ctx, p.opts.Timeout)
	defer cancel()
	for _, dc := range confirms {
		ok, err := dc.WaitContext(wait)
		if err != nil {
			p.dropChannel()
			return fmt.Errorf("confirm from %s: %w", p.queue, err)
		}
		if !ok {
			return fmt.Errorf("the broker refused (nack) a receipt on %s", p.queue)
		}
	}
	// A mandatory message that no queue took comes back before its ack.
	select {
	case r := <-p.returns:
		p.dropChannel()
		return fmt.Errorf("queue %s is gone (receipt %s returned: %s)", p.queue, r.MessageId, r.ReplyText)
	default:
	}
	return nil
}

// openChannel opens a confirm-mode channel and declares the chain's
// queue, trying again (until Timeout) when the connection is lost on the
// way.
func (p *Publisher) openChannel(ctx context.Context) error {
	deadline := time.Now().Add(p.opts.Timeout)
	for {
		ch, err := p.conn.Channel(ctx)
		if err != nil {
			return err
		}
		err = ch.Confirm(false)
		if err == nil {
			err = declareReceipts(ch, p.queue)
		}
		if err == nil {
			p.returns = ch.NotifyReturn(make(chan amqp.Return, 1000))
			p.ch = ch
			return nil
		}
		ch.Close()
		if !ch.IsClosed() || time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("broker %s: %w", p.conn.URL(), err)
		}
	}
}

func (p *Publisher) dropChannel() {
	if p.ch != nil {
		p.ch.Close()
		p.ch = nil
	}
}

// declareReceipts declares a chain's receipt queue: durable, so receipts
// outlive a broker restart.
func declareReceipts(ch *amqp.Channel, queue string) error {
	if _, err := ch.QueueDeclare(queue, true, false, false, false, nil); err != nil {
		return fmt.Errorf("declare queue %s: %w", queue, err)
	}
	return nil
}

// requeue puts a batch that failed back at the head of the queue; the
// receipts that stayed unconfirmed longer than Timeout fail with err.
func (p *Publisher) requeue(batch []*pub, err error) {
	var again []*pub
	for _, b := range batch {
		if time.Since(b.first) > p.opts.Timeout {
			p.fail(b, fmt.Errorf("broker %s: receipt %s not confirmed within %s: %w", p.conn.URL(), b.msg.Receipt.Hash, p.opts.Timeout, err))
			continue
		}
		again = append(again, b)
	}
	p.mu.Lock()
	p.queued = append(again, p.queued...)
	p.mu.Unlock()
}

// fail ends one receipt with an error; the publisher gives up with it.
func (p *Publisher) fail(b *pub, err error) {
	p.mu.Lock()
	if p.err == nil {
		p.err = err
	}
	p.mu.Unlock()
	if b.ch != nil {
		b.ch <- builder.Linked{Err: err}
	}
}

// confirmed hands on the outcome of a confirmed batch, or, with
// WaitLinked, waits for the chain to show it.
func (p *Publisher) confirmed(batch []*pub) {
	now := time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, b := range batch {
		if p.opts.WaitLinked {
			if b.linked != nil {
				p.deliver(b, *b.linked)
				continue
			}
			if _, seen := p.waiting[b.msg.Capture]; !seen {
				b.confirmed = now
				p.waiting[b.msg.Capture] = b
			}
			continue
		}
		p.deliver(b, builder.Linked{Queued: true})
	}
}

// takeLinked delivers the receipts of batch already seen on the chain
// and returns the others. Callers hold p.mu.
func (p *Publisher) takeLinked(batch []*pub) []*pub {
	out := batch[:0:0]
	for _, b := range batch {
		if b.linked != nil {
			p.deliver(b, *b.linked)
			continue
		}
		out = append(out, b)
	}
	return out
}

// deliver gives a receipt its outcome. Callers hold p.mu.
func (p *Publisher) deliver(b *pub, l builder.Linked) {
	delete(p.open, b.msg.Capture)
	if b.ch != nil {
		b.ch <- l
		b.ch = nil
	}
	if b.from != nil {
		b.from.left--
	}
}

// retryUnlinked publishes again the receipts confirmed longer than
// ConfirmTTL ago that no block took: builders drop the copy they already
// linked, so this is safe.
func (p *Publisher) retryUnlinked() {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for id, b := range p.waiting {
		if time.Since(b.confirmed) > p.opts.ConfirmTTL {
			delete(p.waiting, id)
			b.first = time.Now()
			p.queued = append(p.queued, b)
			n++
		}
	}
	if n > 0 {
		p.log.Warn("receipts not linked in time; publishing them again", "queue", p.queue, "receipts", n, "confirm_ttl", p.opts.ConfirmTTL)
		p.signal()
	}
	p.releaseLocked()
}

// follow walks the chain live from tail and delivers the outcome of every
// waiting receipt it finds linked.
func (p *Publisher) follow(ctx context.Context, tail chain.Block) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		<-p.done
		cancel()
	}()
	for {
		for b, err := range walk.New(p.opts.Blocks, p.root.ID).All(ctx, &walk.Options{From: tail.ID, Live: true}) {
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				p.log.Warn("following the chain for links", "err", err)
				break
			}
			tail = b
			p.seen(b)
		}
		if !p.sleep(ctx, time.Second) {
			return
		}
	}
}

// seen delivers the outcomes of the waiting receipts that block b holds.
func (p *Publisher) seen(b chain.Block) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.open) == 0 {
		return
	}
	for i, r := range b.Assets {
		id, ok := CaptureOf(r)
		if !ok {
			continue
		}
		l := builder.Linked{Block: b.ID, Height: b.Height, Index: i}
		if w, ok := p.waiting[id]; ok {
			delete(p.waiting, id)
			p.deliver(w, l)
		} else if o, ok := p.open[id]; ok && o.linked == nil {
			o.linked = &l // queued or on its way: it ends when it comes back
		}
	}
	if len(p.waiting) == 0 {
		p.signal()
	}
	p.releaseLocked()
}

// stop ends a run that Shutdown or ctx cut short: what is not confirmed
// (or not linked) is saved for the next run and fails.
func (p *Publisher) stop(ctx context.Context) {
	p.mu.Lock()
	left := append([]*pub(nil), p.queued...)
	for _, w := range p.waiting {
		left = append(left, w)
	}
	p.queued, p.waiting, p.open = nil, map[string]*pub{}, map[string]*pub{}
	p.mu.Unlock()
	if len(left) == 0 {
		p.release()
		return
	}
	saved, err := p.save(left)
	cause := "stopped before the broker confirmed it"
	if p.opts.WaitLinked {
		cause = "stopped before a builder linked it"
	}
	switch {
	case err != nil:
		err = fmt.Errorf("broker: %d receipt(s) %s, and saving them failed: %w", len(left), cause, err)
	case saved != "":
		err = fmt.Errorf("broker: %d receipt(s) %s; saved to %s for the next run", len(left), cause, saved)
	default:
		err = fmt.Errorf("broker: %d receipt(s) %s", len(left), cause)
	}
	for _, b := range left {
		p.fail(b, err)
	}
	// What was inherited is in the new file now.
	p.mu.Lock()
	for _, f := range p.inherits {
		if saved != "" {
			f.remove()
		} else {
			f.close()
		}
	}
	p.inherits = nil
	p.mu.Unlock()
}
