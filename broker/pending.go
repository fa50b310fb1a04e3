package broker

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
)

// A pending file holds, one JSON message a line, the receipts a run had
// stored but not seen confirmed (or linked) when it was told to stop. It
// is named <chain id>.<run id>.pending.jsonl in PendingDir. A run that
// picks it up holds a flock on it until every receipt in it is confirmed,
// then removes it; a run killed meanwhile leaves it for the next.
type pendingFile struct {
	path string
	f    *os.File
	left int // receipts in it not yet delivered
}

func (f *pendingFile) remove() {
	os.Remove(f.path)
	f.close()
}

func (f *pendingFile) close() {
	if f.f != nil {
		f.f.Close()
		f.f = nil
	}
}

// inherit queues the receipts of the chain's pending files that no live
// run holds.
func (p *Publisher) inherit() error {
	if p.opts.PendingDir == "" {
		return nil
	}
	paths, err := filepath.Glob(filepath.Join(p.opts.PendingDir, p.root.ID+".*.pending.jsonl"))
	if err != nil {
		return err
	}
	n := 0
	for _, path := range paths {
		f, err := os.Open(path)
		if err != nil {
			continue // taken and removed by another run meanwhile
		}
		if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
			f.Close()
			continue // a live run holds it
		}
		if _, err := os.Stat(path); err != nil {
			f.Close() // removed between open and lock
			continue
		}
		pf := &pendingFile{path: path, f: f}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 64<<10), MaxMessageBytes+1)
		for sc.Scan() {
			line := bytes.TrimSpace(sc.Bytes())
			if len(line) == 0 {
				continue
			}
			m, perr := Decode(line, p.root.ID)
			if perr != nil {
				f.Close()
				return fmt.Errorf("broker: pending file %s: %w", path, perr)
			}
			body := append([]byte(nil), line...)
			p.enqueue(&pub{msg: m, body: body, first: time.Now(), from: pf})
			pf.left++
		}
		if err := sc.Err(); err != nil {
			f.Close()
			return fmt.Errorf("broker: pending file %s: %w", path, err)
		}
		p.inherits = append(p.inherits, pf)
		n += pf.left
	}
	if n > 0 {
		p.log.Warn("publishing again the receipts an earlier run left unconfirmed", "receipts", n, "dir", p.opts.PendingDir)
	}
	return nil
}

// release removes the inherited files whose receipts are all delivered.
func (p *Publisher) release() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.releaseLocked()
}

func (p *Publisher) releaseLocked() {
	kept := p.inherits[:0]
	for _, f := range p.inherits {
		if f.left <= 0 {
			f.remove()
			continue
		}
		kept = append(kept, f)
	}
	p.inherits = kept
}

// save writes receipts to a new pending file, durably, and returns its
// path ("" when PendingDir is unset).
func (p *Publisher) save(left []*pub) (string, error) {
	if p.opts.PendingDir == "" {
		return "", nil
	}
	if err := os.MkdirAll(p.opts.PendingDir, 0o700); err != nil {
		return "", err
	}
	var buf bytes.Buffer
	for _, b := range left {
		buf.Write(b.body)
		buf.WriteByte('\n')
	}
	path := filepath.Join(p.opts.PendingDir, p.root.ID+"."+p.ids.run+".pending.jsonl")
	tmp, err := os.CreateTemp(p.opts.PendingDir, ".pending-*")
	if err != nil {
		return "", err
	}
	_, err = tmp.Write(buf.Bytes())
	err = errors.Join(err, tmp.Sync(), tmp.Close())
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", err
	}
	if d, err := os.Open(p.opts.PendingDir); err == nil {
		d.Sync()
		d.Close()
	}
	return path, nil
}

// encodeMessages is used by tests and tools that write pending files.
func encodeMessages(ms []Message) ([]byte, error) {
	var buf bytes.Buffer
	for _, m := range ms {
		b, err := json.Marshal(m)
		if err != nil {
			return nil, err
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	return buf.Bytes(), nil
}
