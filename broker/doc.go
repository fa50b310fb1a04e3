// Package broker carries receipts over RabbitMQ (AMQP 0-9-1), so that
// capture processes on many hosts and builder daemons elsewhere share one
// chain: a capture stores its assets in the shared asset store, as a local
// capture does, and publishes each receipt to the chain's durable queue
// with a publisher confirm (Publisher); builder daemons consume the queues
// in batches, link blocks and acknowledge a delivery only once its block is
// on the chain (Daemon). A receipt that cannot be linked goes to the
// dead-letter queue with an error object (DeadLetters). Daemons publish
// heartbeats that Status collects.
//
// Exactly once: every receipt carries a capture id in its meta
// ("capture"); a daemon reads every block linked onto the tail it builds
// on (its own and other daemons') and drops a receipt whose capture id is
// already there, so a redelivery after a crash, or a publish repeated
// after a lost confirm, is never linked twice. Forks are impossible as
// everywhere else: blocks are linked by the store's set-once next.
//
// It imports chain, chain/store, chain/walk and builder (for the Batcher
// and the Linked outcome), never the hub, connectors, oracle or cmd.
package broker
