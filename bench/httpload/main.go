// Command httpload is a bounded load generator for `bhctl serve http`: C
// clients post random bodies of SIZE bytes on loopback until DURATION
// passes or N requests were sent, then it prints requests/s and latency
// percentiles of the answers (one line; -json for JSON).
//
//	go run ./bench/httpload -url http://127.0.0.1:18080/load -c 64 -d 10s -n 50000 -size 1024
package main

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

type result struct {
	Requests   int64   `json:"requests"`
	Accepted   int64   `json:"accepted"`
	Errors     int64   `json:"errors"`
	Seconds    float64 `json:"seconds"`
	PerSecond  float64 `json:"per_second"`
	P50Millis  float64 `json:"p50_ms"`
	P99Millis  float64 `json:"p99_ms"`
	MaxMillis  float64 `json:"max_ms"`
	Clients    int     `json:"clients"`
	BodyBytes  int     `json:"body_bytes"`
	FirstError string  `json:"first_error,omitempty"`
}

func main() {
	url := flag.String("url", "http://127.0.0.1:18080/load", "where to post")
	clients := flag.Int("c", 64, "concurrent clients")
	dur := flag.Duration("d", 10*time.Second, "how long to send")
	max := flag.Int64("n", 50000, "at most this many requests")
	size := flag.Int("size", 1024, "body size in bytes")
	token := flag.String("token", "", "X-Token to send")
	asJSON := flag.Bool("json", false, "print one JSON object")
	flag.Parse()

	tr := &http.Transport{MaxIdleConns: *clients, MaxIdleConnsPerHost: *clients}
	client := &http.Client{Transport: tr, Timeout: time.Minute}
	var (
		sent, ok, failed atomic.Int64
		mu               sync.Mutex
		lat              []time.Duration
		firstErr         string
		wg               sync.WaitGroup
	)
	start := time.Now()
	deadline := start.Add(*dur)
	for range *clients {
		wg.Go(func() {
			body := make([]byte, *size)
			mine := make([]time.Duration, 0, 1<<14)
			for time.Now().Before(deadline) && sent.Add(1) <= *max {
				rand.Read(body)
				req, _ := http.NewRequest("POST", *url, bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/octet-stream")
				if *token != "" {
					req.Header.Set("X-Token", *token)
				}
				t0 := time.Now()
				resp, err := client.Do(req)
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode/100 != 2 {
						err = fmt.Errorf("status %d", resp.StatusCode)
					}
				}
				mine = append(mine, time.Since(t0))
				if err != nil {
					failed.Add(1)
					mu.Lock()
					if firstErr == "" {
						firstErr = err.Error()
					}
					mu.Unlock()
					continue
				}
				ok.Add(1)
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	secs := time.Since(start).Seconds()
	slices.Sort(lat)
	pct := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))]) / 1e6
	}
	r := result{
		Requests: int64(len(lat)), Accepted: ok.Load(), Errors: failed.Load(), Seconds: secs,
		PerSecond: float64(ok.Load()) / secs, P50Millis: pct(0.50), P99Millis: pct(0.99), MaxMillis: pct(1),
		Clients: *clients, BodyBytes: *size, FirstError: firstErr,
	}
	if *asJSON {
		json.NewEncoder(os.Stdout).Encode(r)
	} else {
		fmt.Printf("%d requests (%d ok, %d errors) in %.1fs: %.0f req/s, p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
			r.Requests, r.Accepted, r.Errors, r.Seconds, r.PerSecond, r.P50Millis, r.P99Millis, r.MaxMillis)
	}
	if r.Errors > 0 {
		fmt.Fprintf(os.Stderr, "httpload: %d error(s), first: %s\n", r.Errors, firstErr)
		os.Exit(1)
	}
}
