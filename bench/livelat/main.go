// Command livelat measures how long a block takes to reach a live walker:
// from `bhctl pipe` returning to `bhctl walk --live -o json` printing the
// block that names the piped asset. It starts the walker as a child, runs
// pipe N times one after the other, and prints the latency's percentiles.
//
//	go build -o /tmp/bhctl ./cmd/bhctl
//	go run ./bench/livelat -bhctl /tmp/bhctl -n 200
//
// It uses a fresh store in a temporary folder (or -home) and touches
// nothing else. A block printed before pipe has returned (the walker can
// win that race) counts as 0.
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/blockhub/blockhub/bench"
)

func main() {
	bin := flag.String("bhctl", "bhctl", "the bhctl binary")
	n := flag.Int("n", 200, "pipes to time (1 to 10000)")
	home := flag.String("home", "", "store folder (default: a new temporary folder, removed at the end)")
	wait := flag.Duration("wait", 5*time.Second, "longest wait for one block before giving up")
	flag.Parse()
	if *n < 1 || *n > 10000 || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: livelat [-bhctl PATH] [-n PIPES] [-home DIR] [-wait DURATION]")
		os.Exit(2)
	}
	if err := run(*bin, *home, *n, *wait); err != nil {
		fmt.Fprintln(os.Stderr, "livelat:", err)
		os.Exit(1)
	}
}

// seen records when the walker printed each asset hash.
type seen struct {
	mu    sync.Mutex
	at    map[string]time.Time
	wake  chan struct{}
	lines int
}

func (s *seen) add(hash string, t time.Time) {
	s.mu.Lock()
	if _, ok := s.at[hash]; !ok {
		s.at[hash] = t
	}
	s.lines++
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *seen) when(hash string) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.at[hash]
	return t, ok
}

// waitFor returns when hash was printed, waiting up to d.
func (s *seen) waitFor(hash string, d time.Duration) (time.Time, error) {
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	for {
		if t, ok := s.when(hash); ok {
			return t, nil
		}
		select {
		case <-s.wake:
		case <-deadline.C:
			return time.Time{}, fmt.Errorf("the walker did not print asset %s within %s", hash, d)
		}
	}
}

func run(bin, home string, n int, wait time.Duration) error {
	if home == "" {
		dir, err := os.MkdirTemp("", "bh-livelat-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		home = dir
	}
	global := []string{"--home", home, "--chain", "livelat", "-q"}
	bhctl := func(args ...string) *exec.Cmd {
		return exec.Command(bin, append(slices.Clone(global), args...)...)
	}
	if out, err := bhctl("chain", "create", "livelat").CombinedOutput(); err != nil {
		return fmt.Errorf("chain create: %v: %s", err, bytes.TrimSpace(out))
	}

	walker := bhctl("walk", "--live", "-o", "json")
	walker.Stderr = os.Stderr
	stdout, err := walker.StdoutPipe()
	if err != nil {
		return err
	}
	if err := walker.Start(); err != nil {
		return err
	}
	defer bench.Interrupt(walker) // our own child, by its pid
	s := &seen{at: map[string]time.Time{}, wake: make(chan struct{}, 1)}
	readErr := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 64<<20)
		for sc.Scan() {
			t := time.Now()
			var b struct {
				Assets []struct {
					Hash string `json:"hash"`
				} `json:"assets"`
			}
			if err := json.Unmarshal(sc.Bytes(), &b); err != nil {
				readErr <- fmt.Errorf("walker printed a line that is not a block: %v", err)
				return
			}
			for _, a := range b.Assets {
				s.add(a.Hash, t)
			}
		}
		readErr <- sc.Err()
	}()
	// The root (its settings asset) is printed first: the walker is live.
	if err := waitLines(s, 1, wait); err != nil {
		return err
	}

	lat := make([]time.Duration, 0, n)    // printed - returned, at least 0
	signed := make([]time.Duration, 0, n) // printed - returned
	took := make([]time.Duration, 0, n)   // pipe's own wall time
	early := 0
	ctx := context.Background()
	for i := range n {
		data := fmt.Sprintf("livelat %d %d\n", i, time.Now().UnixNano())
		sum := sha256.Sum256([]byte(data))
		hash := hex.EncodeToString(sum[:])
		pipe := exec.CommandContext(ctx, bin, append(slices.Clone(global), "pipe")...)
		pipe.Stdin = strings.NewReader(data)
		started := time.Now()
		out, err := pipe.Output()
		returned := time.Now()
		if err != nil {
			return fmt.Errorf("pipe %d: %v", i, err)
		}
		if got := strings.TrimSpace(string(out)); got != hash {
			return fmt.Errorf("pipe %d printed %q, want %s", i, got, hash)
		}
		printed, err := s.waitFor(hash, wait)
		if err != nil {
			select {
			case rerr := <-readErr:
				return errors.Join(err, rerr)
			default:
			}
			return err
		}
		d := printed.Sub(returned)
		signed = append(signed, d)
		took = append(took, returned.Sub(started))
		if d < 0 {
			early++
			d = 0
		}
		lat = append(lat, d)
	}
	ms := func(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }
	line := func(what string, ds []time.Duration) {
		slices.Sort(ds)
		pct := func(p float64) time.Duration { return ds[int(p*float64(len(ds)-1)+0.5)] }
		fmt.Printf("%-40s p50 %9s  p90 %9s  p99 %9s  max %9s\n", what, ms(pct(0.50)), ms(pct(0.90)), ms(pct(0.99)), ms(ds[len(ds)-1]))
	}
	fmt.Printf("pipes %d, blocks printed before pipe returned: %d\n", len(lat), early)
	line("latency (printed - pipe returned, >= 0)", lat)
	line("signed (negative: printed before return)", signed)
	line("pipe wall time", took)
	return nil
}

func waitLines(s *seen, n int, d time.Duration) error {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		s.mu.Lock()
		got := s.lines
		s.mu.Unlock()
		if got >= n {
			return nil
		}
		time.Sleep(5 * time.Millisecond)
	}
	return fmt.Errorf("the walker printed no root within %s", d)
}
