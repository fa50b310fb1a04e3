package bench

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"iter"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/blockhub/blockhub"
	"github.com/blockhub/blockhub/appender"
	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/walk"
)

// These benchmarks drive the library the way bhctl pipe and bhctl verify
// do, so that a CPU profile shows where their time goes:
//
//	go test ./bench -run '^$' -bench Pipe -benchtime 3x -cpuprofile /tmp/pipe.prof
//	go test ./bench -run '^$' -bench Verify -blocks 100000 -cpuprofile /tmp/verify.prof
//	go tool pprof -top /tmp/pipe.prof
var (
	pipeMiB      = flag.Int("pipe-mib", 256, "BenchmarkPipe: MiB piped per run")
	pipeNoSync   = flag.Bool("pipe-nosync", false, "BenchmarkPipe: use the folder store's ?nosync=1")
	pipeWorkers  = flag.Int("pipe-workers", 0, "BenchmarkPipe: appender workers (0: the default, GOMAXPROCS)")
	verifyBlocks = flag.Int("blocks", 10000, "BenchmarkVerify: blocks in the chain")
)

// BenchmarkPipe does what `bhctl pipe --chunk-size 1MiB < file` does: the
// input file is cut into 1 MiB chunks, appended with Appender.AppendAll
// into a fresh folder store, and every receipt waits for its block.
func BenchmarkPipe(b *testing.B) {
	const chunk = 1 << 20
	dir := b.TempDir()
	input := filepath.Join(dir, "input")
	if err := writeRandom(input, int64(*pipeMiB)*chunk); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.SetBytes(int64(*pipeMiB) * chunk)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		home := filepath.Join(dir, "home", string(rune('a'+i%26))+filepath.Base(b.TempDir()))
		if err := pipeFile(ctx, home, input, chunk, *pipeNoSync, *pipeWorkers); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		os.RemoveAll(home)
		b.StartTimer()
	}
}

// pipeFile appends input to the chain "default" of a new store at home,
// in chunks of size bytes, as cmd/bhctl/cmd_pipe.go does (workers 0 is
// pipe's own default).
func pipeFile(ctx context.Context, home, input string, size int64, nosync bool, workers int) error {
	if err := os.MkdirAll(home, 0o755); err != nil {
		return err
	}
	cfg := blockhub.Config{Home: home}
	if nosync {
		u := "file://" + home + "?nosync=1"
		cfg.BlockStore, cfg.AssetStore = []string{u}, []string{u}
	}
	h, err := blockhub.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer h.Close()
	root, _, err := h.Chain(ctx, "default", nil)
	if err != nil {
		return err
	}
	w, err := h.BulkWriter(ctx, root) // as bhctl pipe
	if err != nil {
		return err
	}
	f, err := os.Open(input)
	if err != nil {
		return err
	}
	defer f.Close()
	var pending []appender.Appended
	for r, err := range w.AppendAll(ctx, fileChunks(f, size), &appender.Options{Workers: workers}) {
		if err != nil {
			w.Close()
			return err
		}
		pending = append(pending, r.Appended)
	}
	if err := w.Close(); err != nil {
		return err
	}
	for _, a := range pending {
		if l := <-a.Linked; l.Err != nil {
			return l.Err
		}
	}
	return nil
}

// fileChunks cuts r into chunks of size bytes with pipe's meta.
func fileChunks(r io.Reader, size int64) iter.Seq2[appender.Chunk, error] {
	return func(yield func(appender.Chunk, error) bool) {
		br := bufio.NewReaderSize(r, 1<<20)
		for i := int64(0); ; i++ {
			buf := make([]byte, size)
			n, err := io.ReadFull(br, buf)
			if n > 0 {
				meta, _ := json.Marshal(map[string]any{"source": "pipe", "bytes": []int64{i * size, i*size + int64(n)}})
				if !yield(appender.Chunk{Data: buf[:n], Type: "application/octet-stream", Meta: meta}, nil) {
					return
				}
			}
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return
			}
			if err != nil {
				yield(appender.Chunk{}, err)
				return
			}
		}
	}
}

func writeRandom(path string, n int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.CopyN(f, rand.Reader, n); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

var (
	verifyOnce sync.Once
	verifyHome string
	verifyRoot chain.Block
	verifyErr  error
)

// BenchmarkVerify does what `bhctl verify` does on a chain of -blocks
// blocks made by MakeChain: resolve the chain by name, then run the
// Verifier over it. The chain is made once per process, untimed.
func BenchmarkVerify(b *testing.B) {
	ctx := context.Background()
	verifyOnce.Do(func() {
		verifyHome, verifyErr = os.MkdirTemp("", "bh-bench-verify-")
		if verifyErr == nil {
			verifyRoot, verifyErr = MakeChain(ctx, verifyHome, "bench", *verifyBlocks, 64)
		}
	})
	if verifyErr != nil {
		b.Fatal(verifyErr)
	}
	b.Cleanup(func() {}) // the chain is removed by TestMain
	b.ResetTimer()
	for b.Loop() {
		h, err := blockhub.Open(ctx, blockhub.Config{Home: verifyHome})
		if err != nil {
			b.Fatal(err)
		}
		root, err := h.Resolve(ctx, "bench")
		if err != nil {
			b.Fatal(err)
		}
		v := &walk.Verifier{Blocks: h.Blocks}
		for f, err := range v.All(ctx, root.ID) {
			if err != nil || f != nil {
				b.Fatal(err, f)
			}
		}
		if v.BlocksChecked != *verifyBlocks+1 {
			b.Fatalf("checked %d blocks, want %d", v.BlocksChecked, *verifyBlocks+1)
		}
		h.Close()
	}
	b.ReportMetric(float64(*verifyBlocks+1)*float64(b.N)/b.Elapsed().Seconds(), "blocks/s")
}

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if verifyHome != "" {
		os.RemoveAll(verifyHome)
	}
	os.Exit(code)
}

// BenchmarkDecodeBlock is the CPU part of verifying one block: parse the
// stored document and check it against its id (chain.DecodeBlock), for a
// block like those of MakeChain. The rest of a verify is reading files.
func BenchmarkDecodeBlock(b *testing.B) {
	blk := chain.Block{
		Chain:  chain.SHA256.Sum([]byte("chain")),
		Prev:   chain.SHA256.Sum([]byte("prev")),
		Height: 12345,
		Time:   chain.Stamp(time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)),
		Crypt:  chain.SHA256,
		Assets: []chain.Receipt{{
			Hash: chain.SHA256.Sum([]byte("data")), Crypt: chain.SHA256, Length: 64,
			Type: "application/octet-stream", Meta: json.RawMessage(`{"source":"pipe","bytes":[0,64]}`),
		}},
	}
	if err := blk.Seal(); err != nil {
		b.Fatal(err)
	}
	doc, err := blk.Canonical(true)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		if _, err := chain.DecodeBlock(doc); err != nil {
			b.Fatal(err)
		}
	}
}
