package broker

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// DefaultNamespace starts the name of every queue and exchange BlockHub
// declares.
const DefaultNamespace = "blockhub"

// Names are the queues and exchanges of one namespace (the broker URL's
// ?namespace=, default "blockhub"), so several BlockHub installations, or
// tests, can share a vhost. All are durable.
type Names struct {
	Namespace string
}

// Receipts is the receipt queue of the chain with id chainID:
// <namespace>.receipts.<chain id>.
func (n Names) Receipts(chainID string) string { return n.Namespace + ".receipts." + chainID }

// DeadLetters is the dead-letter queue: <namespace>.dlq.
func (n Names) DeadLetters() string { return n.Namespace + ".dlq" }

// Heartbeats is the fanout exchange of heartbeats: <namespace>.heartbeats.
func (n Names) Heartbeats() string { return n.Namespace + ".heartbeats" }

// ChainOf is the chain id a receipt queue is named after, or "" when queue
// is not one of this namespace's receipt queues.
func (n Names) ChainOf(queue string) string {
	id, ok := strings.CutPrefix(queue, n.Namespace+".receipts.")
	if !ok {
		return ""
	}
	return id
}

var namespaceRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

// splitNamespace takes ?namespace= off a broker URL (the AMQP client
// does not know it).
func splitNamespace(rawURL string) (string, Names, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", Names{}, fmt.Errorf("not a URL")
	}
	q := u.Query()
	ns := q.Get("namespace")
	if ns == "" {
		ns = DefaultNamespace
	} else if !namespaceRE.MatchString(ns) {
		return "", Names{}, fmt.Errorf("namespace %q: want letters, digits, '.', '_' or '-'", ns)
	}
	q.Del("namespace")
	u.RawQuery = q.Encode()
	return u.String(), Names{Namespace: ns}, nil
}
