package broker

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

// sideChannel is a daemon's confirm-mode channel for what is not a
// receipt delivery: declaring queues, dead letters and heartbeats. It is
// opened again when its connection was lost.
type sideChannel struct {
	conn *Conn
	mu   sync.Mutex
	ch   *amqp.Channel
}

func (s *sideChannel) open(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, err := s.channel(ctx)
	return err
}

// channel returns the open channel, opening it (and declaring the
// dead-letter queue and the heartbeat exchange) when needed. Callers hold
// s.mu.
func (s *sideChannel) channel(ctx context.Context) (*amqp.Channel, error) {
	if s.ch != nil && !s.ch.IsClosed() {
		return s.ch, nil
	}
	ch, err := s.conn.Channel(ctx)
	if err != nil {
		return nil, err
	}
	if err := ch.Confirm(false); err != nil {
		ch.Close()
		return nil, fmt.Errorf("broker %s: confirm mode: %w", s.conn.URL(), err)
	}
	if err := declareTopology(ch, s.conn.Names); err != nil {
		ch.Close()
		return nil, fmt.Errorf("broker %s: %w", s.conn.URL(), err)
	}
	s.ch = ch
	return ch, nil
}

// declareTopology declares what every daemon and tool shares: the
// dead-letter queue and the heartbeat exchange.
func declareTopology(ch *amqp.Channel, n Names) error {
	if _, err := ch.QueueDeclare(n.DeadLetters(), true, false, false, false, nil); err != nil {
		return fmt.Errorf("declare queue %s: %w", n.DeadLetters(), err)
	}
	if err := ch.ExchangeDeclare(n.Heartbeats(), amqp.ExchangeFanout, true, false, false, false, nil); err != nil {
		return fmt.Errorf("declare exchange %s: %w", n.Heartbeats(), err)
	}
	return nil
}

// declare declares a chain's receipt queue.
func (s *sideChannel) declare(ctx context.Context, queue string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, err := s.channel(ctx)
	if err != nil {
		return err
	}
	if err := declareReceipts(ch, queue); err != nil {
		s.ch.Close()
		return fmt.Errorf("broker %s: %w", s.conn.URL(), err)
	}
	return nil
}

// publish sends one message and waits for the broker's confirm.
func (s *sideChannel) publish(ctx context.Context, exchange, key string, p amqp.Publishing) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, err := s.channel(ctx)
	if err != nil {
		return err
	}
	dc, err := ch.PublishWithDeferredConfirmWithContext(ctx, exchange, key, false, false, p)
	if err != nil {
		ch.Close()
		return fmt.Errorf("broker %s: publish to %q: %w", s.conn.URL(), exchange+key, err)
	}
	wait, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	ok, err := dc.WaitContext(wait)
	if err != nil {
		ch.Close()
		return fmt.Errorf("broker %s: confirm: %w", s.conn.URL(), err)
	}
	if !ok {
		return fmt.Errorf("broker %s: the broker refused (nack) a message to %q", s.conn.URL(), exchange+key)
	}
	return nil
}

// DeadLetter is a message in the dead-letter queue: why it is there, the
// queue it came from and the original message.
type DeadLetter struct {
	ID    string `json:"id"`
	Error Error  `json:"error"`
	Queue string `json:"queue"`
	Time  string `json:"time"`
	// Message is the original message when it was JSON; Body holds the
	// original bytes otherwise.
	Message json.RawMessage `json:"message,omitempty"`
	Body    []byte          `json:"body,omitempty"`
}

// deadLetter publishes del to the dead-letter queue with why.
func (s *sideChannel) deadLetter(ctx context.Context, queue string, del amqp.Delivery, why *Error) error {
	dl := DeadLetter{ID: del.MessageId, Error: *why, Queue: queue, Time: time.Now().UTC().Format(time.RFC3339Nano)}
	if dl.ID == "" {
		dl.ID = newCaptureIDs().next()
	}
	if json.Valid(del.Body) {
		dl.Message = del.Body
	} else {
		dl.Body = del.Body
	}
	body, err := json.Marshal(dl)
	if err != nil {
		return err
	}
	return s.publish(ctx, "", s.conn.Names.DeadLetters(), amqp.Publishing{
		ContentType:  "application/json",
		DeliveryMode: amqp.Persistent,
		MessageId:    dl.ID,
		Timestamp:    time.Now(),
		Headers:      amqp.Table{"x-bh-code": why.Code, "x-bh-queue": queue},
		Body:         body,
	})
}
