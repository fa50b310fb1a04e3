package broker

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

// Repair rewrites a dead letter into messages that can be linked (one or
// more, to one or more chains), after its cause is fixed. Replay chooses
// it by the dead letter's error code; with none, the original message is
// put back as it was.
type Repair func(ctx context.Context, dl DeadLetter) ([]Message, error)

// DeadLetters reads and settles the dead-letter queue.
type DeadLetters struct {
	conn *Conn
	// Repairs holds a repair function per error code.
	Repairs map[string]Repair
}

// NewDeadLetters returns the dead-letter queue of the broker at conn.
func NewDeadLetters(conn *Conn) *DeadLetters {
	return &DeadLetters{conn: conn, Repairs: map[string]Repair{}}
}

// Action is what Visit does with one dead letter.
type Action int

const (
	Keep   Action = iota // leave it in the queue
	Drop                 // remove it
	Replay               // publish it (repaired) to its queue, then remove it
)

// Visit hands every dead letter in the queue when it starts (up to
// limit; 0 for all) to fn and does
// what fn says. Letters kept go back to the queue, in their order, when
// Visit returns.
func (q *DeadLetters) Visit(ctx context.Context, limit int, fn func(DeadLetter) Action) error {
	ch, err := q.conn.Channel(ctx)
	if err != nil {
		return err
	}
	// Closing the channel gives back every letter not acked.
	defer ch.Close()
	if err := declareTopology(ch, q.conn.Names); err != nil {
		return err
	}
	// Only the letters there now: one replayed that fails again comes
	// back behind them, and is not read twice.
	st, err := ch.QueueDeclarePassive(q.conn.Names.DeadLetters(), true, false, false, false, nil)
	if err != nil {
		return fmt.Errorf("broker %s: %w", q.conn.URL(), err)
	}
	if limit <= 0 || limit > st.Messages {
		limit = st.Messages
	}
	var out *amqp.Channel // for replays, in confirm mode
	defer func() {
		if out != nil {
			out.Close()
		}
	}()
	for n := 0; n < limit; n++ {
		del, ok, err := ch.Get(q.conn.Names.DeadLetters(), false)
		if err != nil {
			return fmt.Errorf("broker %s: read %s: %w", q.conn.URL(), q.conn.Names.DeadLetters(), err)
		}
		if !ok {
			return nil
		}
		var dl DeadLetter
		if err := json.Unmarshal(del.Body, &dl); err != nil {
			dl = DeadLetter{ID: del.MessageId, Error: Error{Code: CodeSchema, Msg: "not a dead letter: " + err.Error()}, Body: del.Body}
		}
		switch fn(dl) {
		case Keep:
			continue
		case Drop:
		case Replay:
			if out == nil {
				if out, err = q.conn.Channel(ctx); err == nil {
					err = out.Confirm(false)
				}
				if err != nil {
					return fmt.Errorf("broker %s: %w", q.conn.URL(), err)
				}
			}
			if err := q.replay(ctx, out, dl); err != nil {
				return fmt.Errorf("replay %s: %w", dl.ID, err)
			}
		}
		if err := del.Ack(false); err != nil {
			return fmt.Errorf("broker %s: ack %s: %w", q.conn.URL(), dl.ID, err)
		}
	}
	return nil
}

// replay publishes the repaired (or the original) message to its queue
// and waits for the broker's confirm.
func (q *DeadLetters) replay(ctx context.Context, ch *amqp.Channel, dl DeadLetter) error {
	type outgoing struct {
		queue, id string
		body      []byte
	}
	var msgs []outgoing
	if fix, ok := q.Repairs[dl.Error.Code]; ok {
		fixed, err := fix(ctx, dl)
		if err != nil {
			return fmt.Errorf("repair (%s): %w", dl.Error.Code, err)
		}
		for _, m := range fixed {
			body, err := json.Marshal(m)
			if err != nil {
				return err
			}
			msgs = append(msgs, outgoing{q.conn.Names.Receipts(m.Chain), m.Capture, body})
		}
	} else {
		body := []byte(dl.Message)
		if len(body) == 0 {
			body = dl.Body
		}
		msgs = append(msgs, outgoing{dl.Queue, dl.ID, body})
	}
	for _, m := range msgs {
		if q.conn.Names.ChainOf(m.queue) == "" {
			return fmt.Errorf("%q is not a receipt queue", m.queue)
		}
		if err := declareReceipts(ch, m.queue); err != nil {
			return err
		}
		dc, err := ch.PublishWithDeferredConfirmWithContext(ctx, "", m.queue, true, false, amqp.Publishing{
			ContentType: "application/json", DeliveryMode: amqp.Persistent, MessageId: m.id, Timestamp: time.Now(), Body: m.body,
		})
		if err != nil {
			return err
		}
		if ok, err := dc.WaitContext(ctx); err != nil || !ok {
			return fmt.Errorf("the broker did not confirm the message to %s (%v)", m.queue, err)
		}
	}
	return nil
}
