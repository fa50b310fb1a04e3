// Command fsyncserver is the baseline of bench/durable-http.sh: a bare Go
// HTTP server that makes each request's body durable before it answers
// 201, the plain way: write the body to a new file, fsync the file, fsync
// its folder (so that the name survives a power loss too), answer. No
// hashing, no chain, no group commit. It serves on a loopback address
// until SIGTERM or SIGINT.
//
//	go run ./bench/fsyncserver -listen 127.0.0.1:18081 -dir /var/tmp/bodies
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"syscall"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:18081", "loopback address to listen on")
	dir := flag.String("dir", "", "folder for the bodies (required)")
	dirSync := flag.Bool("dirsync", true, "also fsync the folder after each body (the name's durability)")
	flag.Parse()
	if *dir == "" {
		log.Fatal("fsyncserver: -dir is required")
	}
	if host, _, err := net.SplitHostPort(*listen); err != nil || !net.ParseIP(host).IsLoopback() {
		log.Fatalf("fsyncserver: -listen %q: want a loopback host:port", *listen)
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		log.Fatal(err)
	}
	var n atomic.Int64
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := keep(*dir, strconv.FormatInt(n.Add(1), 10), r.Body, *dirSync); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusCreated)
	})
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		srv.Shutdown(context.Background())
	}()
	if err := srv.Serve(ln); err != http.ErrServerClosed {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "fsyncserver: %d bodies kept\n", n.Load())
}

// keep writes body to dir/name and makes it durable.
func keep(dir, name string, body io.Reader, dirSync bool) error {
	f, err := os.OpenFile(filepath.Join(dir, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, body); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if !dirSync {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
