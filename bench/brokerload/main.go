// Command brokerload measures RabbitMQ for bench/broker.sh.
//
//	brokerload -mode bare -url amqp://guest:guest@127.0.0.1:5672/ -n 20000
//
// bare: the broker's own rate for receipt-sized messages, the way BlockHub
// uses it: P publishers, each on its own connection in confirm mode,
// persistent messages to one durable queue, and C consumers with manual
// acks; prints the messages per second from the first publish to the last
// ack.
//
//	brokerload -mode latency -url ... -home DIR -chain ID -n 500 -rate 100
//
//	brokerload -mode drop -url ...?namespace=NS -chain ID
//
// drop: deletes the namespace's queues of chain ID, its dead-letter queue
// and heartbeat exchange (what a bench run declared).
//
// latency: publishes receipts of fresh assets with broker.Publisher into
// the chain ID of the folder store DIR (a `bhctl serve builder` must run),
// at a steady rate, and follows the chain: for each receipt, the time from
// the broker's confirm to the block that holds it being linked; prints
// p50 and p99.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"log"
	"os"
	"slices"
	"sync"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/blockhub/blockhub"
	"github.com/blockhub/blockhub/broker"
	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/walk"
)

func main() {
	mode := flag.String("mode", "bare", "bare or latency")
	url := flag.String("url", "amqp://guest:guest@127.0.0.1:5672/", "broker")
	n := flag.Int("n", 20000, "messages (bare) or receipts (latency)")
	pubs := flag.Int("publishers", 4, "publishers (bare)")
	cons := flag.Int("consumers", 1, "consumers (bare)")
	size := flag.Int("size", 420, "message bytes (bare; a receipt message is about this size)")
	home := flag.String("home", "", "folder store (latency)")
	chainID := flag.String("chain", "", "chain id (latency)")
	rate := flag.Int("rate", 100, "receipts per second (latency)")
	flag.Parse()
	var err error
	switch *mode {
	case "bare":
		err = bare(*url, *n, *pubs, *cons, *size)
	case "latency":
		err = latency(*url, *home, *chainID, *n, *rate)
	case "drop":
		err = drop(*url, *chainID)
	default:
		err = fmt.Errorf("-mode %q: want bare or latency", *mode)
	}
	if err != nil {
		log.Fatal(err)
	}
}

func bare(url string, n, pubs, cons, size int) error {
	var b [4]byte
	rand.Read(b[:])
	queue := "bench-bare-" + hex.EncodeToString(b[:])
	setup, err := amqp.Dial(url)
	if err != nil {
		return err
	}
	defer setup.Close()
	sch, err := setup.Channel()
	if err != nil {
		return err
	}
	if _, err := sch.QueueDeclare(queue, true, false, false, false, nil); err != nil {
		return err
	}
	defer sch.QueueDelete(queue, false, false, false)
	body := make([]byte, size)
	for i := range body {
		body[i] = 'x'
	}
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, pubs+cons)
	per := n / pubs
	for range pubs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- publishAll(url, queue, body, per)
		}()
	}
	var got sync.WaitGroup
	counts := make(chan int, 1)
	counts <- 0
	want := per * pubs
	got.Add(1)
	done := make(chan struct{})
	for range cons {
		go func() {
			errs <- consumeAll(url, queue, counts, want, done, &got)
		}()
	}
	got.Wait()
	el := time.Since(start)
	close(done)
	wg.Wait()
	select {
	case err := <-errs:
		if err != nil {
			return err
		}
	default:
	}
	fmt.Printf("bare broker: %d messages of %d bytes, %d publishers (confirms), %d consumers (manual acks): %.2fs, %.0f msg/s\n", want, size, pubs, cons, el.Seconds(), float64(want)/el.Seconds())
	return nil
}

// publishAll publishes n messages with confirms, up to 256 in flight.
func publishAll(url, queue string, body []byte, n int) error {
	conn, err := amqp.Dial(url)
	if err != nil {
		return err
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		return err
	}
	if err := ch.Confirm(false); err != nil {
		return err
	}
	var window []*amqp.DeferredConfirmation
	for i := range n {
		dc, err := ch.PublishWithDeferredConfirm("", queue, false, false, amqp.Publishing{DeliveryMode: amqp.Persistent, Body: body})
		if err != nil {
			return err
		}
		window = append(window, dc)
		if len(window) == 256 || i == n-1 {
			for _, dc := range window {
				if !dc.Wait() {
					return fmt.Errorf("nack")
				}
			}
			window = window[:0]
		}
	}
	return nil
}

// consumeAll acks what it gets (one multiple ack per 64) until the
// shared count reaches want.
func consumeAll(url, queue string, counts chan int, want int, done chan struct{}, got *sync.WaitGroup) error {
	conn, err := amqp.Dial(url)
	if err != nil {
		return err
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		return err
	}
	if err := ch.Qos(512, 0, false); err != nil {
		return err
	}
	dels, err := ch.Consume(queue, "", false, false, false, false, nil)
	if err != nil {
		return err
	}
	unacked := 0
	for {
		select {
		case <-done:
			return nil
		case d := <-dels:
			unacked++
			if unacked == 64 || len(dels) == 0 {
				if err := d.Ack(true); err != nil {
					return err
				}
				c := <-counts
				c += unacked
				unacked = 0
				if c == want {
					got.Done()
				}
				counts <- c
			}
		}
	}
}

func latency(url, home, chainID string, n, rate int) error {
	ctx := context.Background()
	local, err := blockhub.Open(ctx, blockhub.Config{Home: home})
	if err != nil {
		return err
	}
	defer local.Close()
	root, err := local.Resolve(ctx, chainID)
	if err != nil {
		return err
	}
	conn, err := broker.Dial(ctx, url, nil)
	if err != nil {
		return err
	}
	defer conn.Close()
	pub, err := broker.NewPublisher(ctx, conn, root, &broker.PublisherOptions{Assets: local.Assets, Blocks: local.Blocks})
	if err != nil {
		return err
	}
	tail, err := local.Blocks.Tail(ctx, root.ID)
	if err != nil {
		return err
	}
	var mu sync.Mutex
	confirmed := map[string]time.Time{}
	// A block may be seen before the goroutine that takes a receipt's
	// confirm has run (under load): its time is kept until the confirm.
	linkedAt := map[string]time.Time{}
	early := 0 // seen linked before their confirm was taken: counted as 0
	var lat []time.Duration
	follow, stop := context.WithCancel(ctx)
	defer stop()
	followed := make(chan error, 1)
	go func() {
		for b, err := range walk.New(local.Blocks, root.ID).All(follow, &walk.Options{From: tail.ID, Live: true}) {
			if err != nil {
				followed <- err
				return
			}
			now := time.Now()
			mu.Lock()
			for _, r := range b.Assets {
				if t, ok := confirmed[r.Hash]; ok {
					lat = append(lat, now.Sub(t))
					delete(confirmed, r.Hash)
				} else {
					linkedAt[r.Hash] = now
				}
			}
			mu.Unlock()
		}
		followed <- nil
	}()
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	var wg sync.WaitGroup
	for i := range n {
		<-tick.C
		data := fmt.Appendf(nil, "latency %d %d", time.Now().UnixNano(), i)
		hash, _, err := local.Assets.PutBytes(ctx, chain.SHA256, data)
		if err != nil {
			return err
		}
		out, err := pub.Add(chain.Receipt{Hash: hash, Crypt: chain.SHA256, Length: int64(len(data)), Type: "text/plain"})
		if err != nil {
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if l := <-out; l.Err == nil {
				now := time.Now()
				mu.Lock()
				if at, ok := linkedAt[hash]; ok {
					lat = append(lat, max(0, at.Sub(now)))
					delete(linkedAt, hash)
					early++
				} else {
					confirmed[hash] = now
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if err := pub.Close(); err != nil {
		return err
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		mu.Lock()
		left := len(confirmed)
		mu.Unlock()
		if left == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	<-followed
	mu.Lock()
	defer mu.Unlock()
	if len(lat) < n {
		fmt.Fprintf(os.Stderr, "brokerload: %d of %d receipts seen linked\n", len(lat), n)
	}
	slices.Sort(lat)
	q := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	if early > 0 {
		fmt.Fprintf(os.Stderr, "brokerload: %d receipts seen linked before their confirm was taken (counted as 0)\n", early)
	}
	fmt.Printf("confirm to linked: %d receipts at %d/s: p50 %s, p99 %s, max %s\n", len(lat), rate, q(0.50).Round(100*time.Microsecond), q(0.99).Round(100*time.Microsecond), lat[len(lat)-1].Round(100*time.Microsecond))
	return nil
}

func drop(url, chainID string) error {
	conn, err := broker.Dial(context.Background(), url, nil)
	if err != nil {
		return err
	}
	defer conn.Close()
	ch, err := conn.Channel(context.Background())
	if err != nil {
		return err
	}
	defer ch.Close()
	for _, q := range []string{conn.Names.Receipts(chainID), conn.Names.DeadLetters()} {
		if _, err := ch.QueueDelete(q, false, false, false); err != nil {
			return err
		}
	}
	return ch.ExchangeDelete(conn.Names.Heartbeats(), false, false)
}
