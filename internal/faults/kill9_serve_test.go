package faults

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestKill9ServeHTTP runs bhctl serve http under a bounded load of
// clients, each posting bodies of its own, and kills the server with
// kill -9 at random moments, restarting it on the same port each time;
// at the end it stops the server with SIGTERM. Every body answered 201
// must be on the chain exactly once.
func TestKill9ServeHTTP(t *testing.T) {
	needBinary(t)
	rng := newRand(t)
	kills := count(10, 50)
	const clients = 8
	r := newRig(t)
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	serve := func() *proc {
		p := r.start(nil, "-q", "serve", "http", "--listen", addr)
		if err := waitPort(context.Background(), port, 30*time.Second); err != nil {
			p.kill9()
			t.Fatalf("serve http: %v: %s", err, p.wait())
		}
		return p
	}
	srv := serve()

	var (
		mu       sync.Mutex
		acked    = map[string]bool{} // body hashes answered 201
		sent     int
		refused  int // connection errors while the server is down
		statuses = map[int]int{}
	)
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ctx.Err() == nil && i < 1_000_000; i++ {
				body := fmt.Appendf(nil, `{"client":%d,"seq":%d,"at":%q}`, c, i, time.Now().Format(time.RFC3339Nano))
				req, _ := http.NewRequestWithContext(ctx, "POST", "http://"+addr+"/hook", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				mu.Lock()
				sent++
				if err != nil {
					refused++
					mu.Unlock()
					time.Sleep(20 * time.Millisecond)
					continue
				}
				statuses[resp.StatusCode]++
				mu.Unlock()
				var rc struct {
					Body string `json:"body"`
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusCreated && json.Unmarshal(b, &rc) == nil && rc.Body != "" {
					mu.Lock()
					acked[rc.Body] = true
					mu.Unlock()
				}
			}
		}()
	}
	for range kills {
		time.Sleep(between(rng, 100*time.Millisecond, 1000*time.Millisecond))
		srv.kill9()
		srv.wait()
		srv = serve()
	}
	time.Sleep(between(rng, 100*time.Millisecond, 500*time.Millisecond))
	stop()
	wg.Wait()
	srv.signal(syscall.SIGTERM)
	if res := srv.wait(); res.code != 0 {
		t.Errorf("serve http after SIGTERM: %s", res)
	}

	// A restart links whatever a killed server left acknowledged.
	srv = serve()
	srv.signal(syscall.SIGTERM)
	srv.wait()

	_, res := r.verify("")
	verdict := "verify clean"
	if res.code != 0 {
		verdict = "verify FAILED"
		t.Errorf("verify: %s", res)
	}
	lost, dup := tally(acked, r.onChain(""))
	summary(t, "kill9 serve http: %d kills, %d clients, %d requests, %d answered 201, %d lost, %d duplicated, %s",
		kills, clients, sent, len(acked), len(lost), len(dup), verdict)
	if len(lost) > 0 || len(dup) > 0 {
		t.Errorf("%d bodies answered 201 are not on the chain (e.g. %v), %d are there more than once", len(lost), first(lost), len(dup))
	}
	if len(acked) == 0 {
		t.Errorf("no request was answered 201 (statuses %v, %d connection errors)", statuses, refused)
	}
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}
