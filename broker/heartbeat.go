package broker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

// Heartbeat is what a daemon publishes every interval, once it has
// connected to the stores and the broker.
type Heartbeat struct {
	Kind     string       `json:"kind"` // "builder"
	Host     string       `json:"host"`
	PID      int          `json:"pid"`
	Started  string       `json:"started"`
	Time     string       `json:"time"`
	Interval float64      `json:"interval"` // seconds to the next one
	Chains   []ChainState `json:"chains"`
	Stats
	LastError string `json:"last_error,omitempty"`
}

// ChainState is one chain a daemon links.
type ChainState struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Height uint64 `json:"height"` // of the tail the daemon knows
}

// heartbeat is the daemon's current state.
func (d *Daemon) heartbeat() Heartbeat {
	d.mu.Lock()
	defer d.mu.Unlock()
	h := Heartbeat{
		Kind: "builder", Host: d.host, PID: os.Getpid(),
		Started: d.started.UTC().Format(time.RFC3339Nano), Time: time.Now().UTC().Format(time.RFC3339Nano),
		Interval: d.opts.Heartbeat.Seconds(), Stats: d.stats, LastError: d.lastErr,
	}
	for id, l := range d.linkers {
		h.Chains = append(h.Chains, ChainState{ID: id, Name: l.settings.Name, Height: l.height()})
	}
	slices.SortFunc(h.Chains, func(a, b ChainState) int { return cmpString(a.Name, b.Name) })
	return h
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// beat publishes a heartbeat at once and then every interval until ctx
// ends. A heartbeat expires after three intervals, so a dead daemon's last
// one does not linger in a listener's queue.
func (d *Daemon) beat(ctx context.Context) {
	t := time.NewTicker(d.opts.Heartbeat)
	defer t.Stop()
	for {
		body, _ := json.Marshal(d.heartbeat())
		err := d.side.publish(ctx, d.conn.Names.Heartbeats(), "", amqp.Publishing{
			ContentType: "application/json",
			Expiration:  strconv.FormatInt((3 * d.opts.Heartbeat).Milliseconds(), 10),
			Timestamp:   time.Now(),
			Body:        body,
		})
		if err != nil && ctx.Err() == nil {
			d.log.Debug("heartbeat not sent", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Heartbeats listens for wait and returns the latest heartbeat of every
// daemon heard, by host and pid.
func Heartbeats(ctx context.Context, conn *Conn, wait time.Duration) ([]Heartbeat, error) {
	ch, err := conn.Channel(ctx)
	if err != nil {
		return nil, err
	}
	var dels <-chan amqp.Delivery
	defer func() { closeConsumer(ch, dels) }()
	if err := declareTopology(ch, conn.Names); err != nil {
		return nil, err
	}
	q, err := ch.QueueDeclare("", false, true, true, false, nil)
	if err != nil {
		return nil, fmt.Errorf("broker %s: %w", conn.URL(), err)
	}
	if err := ch.QueueBind(q.Name, "", conn.Names.Heartbeats(), false, nil); err != nil {
		return nil, fmt.Errorf("broker %s: %w", conn.URL(), err)
	}
	dels, err = ch.Consume(q.Name, "", true, true, false, false, nil)
	if err != nil {
		return nil, fmt.Errorf("broker %s: %w", conn.URL(), err)
	}
	latest := map[string]Heartbeat{}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-timer.C:
			out := make([]Heartbeat, 0, len(latest))
			for _, h := range latest {
				out = append(out, h)
			}
			slices.SortFunc(out, func(a, b Heartbeat) int {
				if c := cmpString(a.Host, b.Host); c != 0 {
					return c
				}
				return a.PID - b.PID
			})
			return out, nil
		case del, ok := <-dels:
			if !ok {
				return nil, fmt.Errorf("broker %s: heartbeat listener closed", conn.URL())
			}
			var h Heartbeat
			if json.Unmarshal(del.Body, &h) == nil {
				latest[h.Host+"/"+strconv.Itoa(h.PID)] = h
			}
		}
	}
}

// QueueDepth is a receipt queue's state.
type QueueDepth struct {
	Queue     string `json:"queue"`
	Messages  int    `json:"messages"`  // waiting, not delivered
	Consumers int    `json:"consumers"` // daemons consuming it
}

// Depth returns a queue's depth; a queue that does not exist is empty.
func Depth(ctx context.Context, conn *Conn, queue string) (QueueDepth, error) {
	ch, err := conn.Channel(ctx)
	if err != nil {
		return QueueDepth{}, err
	}
	defer ch.Close()
	q, err := ch.QueueDeclarePassive(queue, true, false, false, false, nil)
	if err != nil {
		var ae *amqp.Error
		if errors.As(err, &ae) && ae.Code == amqp.NotFound {
			return QueueDepth{Queue: queue}, nil
		}
		return QueueDepth{}, fmt.Errorf("broker %s: queue %s: %w", conn.URL(), queue, err)
	}
	return QueueDepth{Queue: queue, Messages: q.Messages, Consumers: q.Consumers}, nil
}
