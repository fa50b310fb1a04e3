package broker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v5"
	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/blockhub/blockhub/chain/store"
)

// Options tune a connection to the broker; nil means the defaults.
type Options struct {
	// Logger receives one warning when the broker is lost and one line
	// when it is back; nil discards.
	Logger *slog.Logger
	// Name is shown for the connection in RabbitMQ's management tools.
	Name string
	// Timeout bounds how long one operation waits for an unreachable broker
	// (dialing again with backoff) before it fails. Default 60s.
	Timeout time.Duration
}

// Conn is a connection to RabbitMQ that dials again, with backoff, when
// it is lost. Callers take channels from it; a channel dies with its
// connection, and the caller asks for a new one.
type Conn struct {
	url      string
	redacted string
	name     string
	log      *slog.Logger
	timeout  time.Duration
	// Names are the queues and exchanges of the URL's namespace.
	Names Names

	mu      sync.Mutex
	conn    *amqp.Connection
	lostAt  time.Time // zero while connected
	closed  bool
	outages int
}

// Dial connects to the broker at rawURL (amqp://user:pass@host:port/vhost),
// waiting up to the timeout for it to answer.
func Dial(ctx context.Context, rawURL string, opts *Options) (*Conn, error) {
	if opts == nil {
		opts = &Options{}
	}
	c := &Conn{url: rawURL, redacted: store.Redact(rawURL), name: opts.Name, log: opts.Logger, timeout: opts.Timeout}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.timeout <= 0 {
		c.timeout = 60 * time.Second
	}
	if c.name == "" {
		c.name = fmt.Sprintf("bhctl pid %d", os.Getpid())
	}
	u, names, err := splitNamespace(rawURL)
	if err != nil {
		return nil, fmt.Errorf("broker %s: %w", c.redacted, err)
	}
	if _, err := amqp.ParseURI(u); err != nil {
		return nil, fmt.Errorf("broker %s: %w", c.redacted, err)
	}
	c.url, c.Names = u, names
	if _, err := c.connection(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// URL is the broker's URL with its password masked.
func (c *Conn) URL() string { return c.redacted }

// Outages counts the times the connection was lost and found again.
func (c *Conn) Outages() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.outages
}

// Channel opens a channel, dialing the broker again first when the
// connection was lost.
func (c *Conn) Channel(ctx context.Context) (*amqp.Channel, error) {
	for {
		conn, err := c.connection(ctx)
		if err != nil {
			return nil, err
		}
		ch, err := conn.Channel()
		if err == nil {
			return ch, nil
		}
		if !conn.IsClosed() {
			return nil, fmt.Errorf("broker %s: open channel: %w", c.redacted, err)
		}
		// Lost between the two calls: dial again.
	}
}

// connection returns the live connection, dialing with backoff (up to the
// timeout) when there is none.
func (c *Conn) connection(ctx context.Context) (*amqp.Connection, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, fmt.Errorf("broker %s: %w", c.redacted, net.ErrClosed)
	}
	if c.conn != nil && !c.conn.IsClosed() {
		return c.conn, nil
	}
	if c.conn != nil && c.lostAt.IsZero() {
		c.lostAt = time.Now()
		c.log.Warn("broker connection lost; reconnecting", "broker", c.redacted)
	}
	cfg := amqp.Config{
		Heartbeat:  5 * time.Second,
		Properties: amqp.Table{"connection_name": c.name},
		Dial:       amqp.DefaultDial(5 * time.Second),
	}
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = 100 * time.Millisecond
	b.MaxInterval = 2 * time.Second
	refused := 0
	var last error // what the last try met, for when ctx ends the wait
	conn, err := backoff.Retry(ctx, func() (*amqp.Connection, error) {
		conn, err := amqp.DialConfig(c.url, cfg)
		last = err
		var ae *amqp.Error
		if errors.As(err, &ae) && (ae.Code == amqp.AccessRefused || ae.Code == amqp.NotAllowed) {
			// Wrong user, password or vhost: waiting will not help. (Once
			// may be a connection torn during the handshake.)
			if refused++; refused >= 3 {
				return nil, backoff.Permanent(err)
			}
		}
		return conn, err
	}, backoff.WithBackOff(b), backoff.WithMaxElapsedTime(c.timeout), backoff.WithMaxTries(0))
	if err != nil {
		if ctx.Err() != nil {
			if last != nil {
				return nil, fmt.Errorf("broker %s: %w (last try: %v)", c.redacted, ctx.Err(), last)
			}
			return nil, fmt.Errorf("broker %s: %w", c.redacted, ctx.Err())
		}
		return nil, fmt.Errorf("broker %s: unreachable for %s: %w", c.redacted, c.timeout, err)
	}
	if c.conn != nil {
		c.outages++
		c.log.Info("broker connection back", "broker", c.redacted, "after", time.Since(c.lostAt).Round(time.Millisecond))
	}
	c.lostAt = time.Time{}
	c.conn = conn
	return conn, nil
}

// Close closes the connection; channels taken from it die with it.
func (c *Conn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	if c.conn == nil || c.conn.IsClosed() {
		return nil
	}
	return c.conn.Close()
}

// Declare declares a chain's receipt queue (durable) on a channel of its
// own: the start-up checklists of captures say it is there before the
// first receipt is published.
func (c *Conn) Declare(ctx context.Context, queue string) error {
	ch, err := c.Channel(ctx)
	if err != nil {
		return err
	}
	defer ch.Close()
	if err := declareReceipts(ch, queue); err != nil {
		return fmt.Errorf("broker %s: %w", c.redacted, err)
	}
	return nil
}
