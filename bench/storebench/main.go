// Command storebench is the helper of bench/stores.sh, the benchmark of
// the remote stores (s3://, mysql://, mongodb://) beside the folder store.
//
//	storebench mkchain -blocks URL -assets URL [-chain NAME] [-n 10000] [-workers 8]
//	storebench probe   -blocks URL [-chain NAME]
//	storebench walk    -blocks URL [-chain NAME] [-runs 3]
//	storebench rawput  -s3 URL [-bytes 256MiB] [-object 1MiB] [-parallel 2]
//	storebench clean   -s3 URL | -mysql URL | -mongo URL
//
// mkchain builds a chain of n blocks after its root through the library
// (blockhub.Open, Hub.Create, Assets.PutBytes, Blocks.Create,
// Blocks.SetNext), each block naming one small asset of its own. Blocks
// are sealed in order (each names the one before), then stored by several
// workers at once, then linked (every SetNext is a set-once on its own
// key, so they too run in parallel). The result is the chain bhctl would
// have made, read back by `bhctl --block-store URL verify`.
//
// probe times single block reads and the Ranger's After calls.
//
// walk times the walker and verifier in process (walk.Verifier over the
// block store), without the CLI's start-up; one line per run.
//
// rawput uploads bytes to an S3 bucket with minio-go and nothing else: the
// network and store limit that `bhctl pipe` is compared with. With
// -object 0 the bytes go as one streamed object; otherwise as objects of
// that size, -parallel at a time.
//
// clean removes what the benchmark wrote: every object under the s3 URL's
// bucket/prefix (then the bucket, when the prefix was the whole bucket),
// the MySQL tables of the URL's table_prefix, or the MongoDB database.
package main

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/url"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dustin/go-humanize"
	_ "github.com/go-sql-driver/mysql"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/blockhub/blockhub"
	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store/driver"
	"github.com/blockhub/blockhub/chain/walk"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var err error
	switch os.Args[1] {
	case "mkchain":
		err = mkchain(ctx, os.Args[2:])
	case "walk":
		err = walkCmd(ctx, os.Args[2:])
	case "rawput":
		err = rawput(ctx, os.Args[2:])
	case "probe":
		err = probe(ctx, os.Args[2:])
	case "clean":
		err = clean(ctx, os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "storebench:", redact(err.Error()))
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: storebench mkchain|walk|rawput|clean [flags] (see the package doc)")
	os.Exit(2)
}

var secretRE = regexp.MustCompile(`(s3://[^:/@]*:)[^@]*@`)

// redact hides the secret of an s3:// URL quoted in a message.
func redact(s string) string { return secretRE.ReplaceAllString(s, "${1}xxxxx@") }

// openHub opens the stores in a fresh, temporary home; done closes them
// and removes the home.
func openHub(ctx context.Context, blocks, assets string) (h *blockhub.Hub, done func(), err error) {
	home, err := os.MkdirTemp("", "storebench-home.")
	if err != nil {
		return nil, nil, err
	}
	h, err = blockhub.Open(ctx, blockhub.Config{Home: home, BlockStore: []string{blocks}, AssetStore: []string{assets}})
	if err != nil {
		os.RemoveAll(home)
		return nil, nil, err
	}
	return h, func() { h.Close(); os.RemoveAll(home) }, nil
}

// fanOut calls f(w, i) for each i from from up to (not including) to,
// on workers goroutines (w numbers the goroutine), each taking the next i
// in turn. It hands out no more after the first error or once ctx is
// done, and returns that first error (not ctx's).
func fanOut(ctx context.Context, workers, from, to int, f func(w, i int) error) error {
	var (
		next  atomic.Int64
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	next.Store(int64(from))
	for w := range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= to || ctx.Err() != nil {
					return
				}
				if err := f(w, i); err != nil {
					once.Do(func() { first = err })
					next.Store(int64(to))
					return
				}
			}
		})
	}
	wg.Wait()
	return first
}

// ---------------------------------------------------------------- mkchain

func mkchain(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("mkchain", flag.ExitOnError)
	blocks := fs.String("blocks", "", "block store URL")
	assets := fs.String("assets", "", "asset store URL (default: -blocks)")
	name := fs.String("chain", "bench", "chain name (must be free)")
	n := fs.Int("n", 10000, "blocks after the root")
	size := fs.Int("asset-size", 64, "bytes of each block's asset, at least 8")
	workers := fs.Int("workers", 8, "blocks and assets stored at once")
	fs.Parse(args)
	if *blocks == "" || *n < 0 || *size < 8 || *workers < 1 || fs.NArg() != 0 {
		return errors.New("mkchain: want -blocks URL [-assets URL] [-n N] [-workers W]")
	}
	if *assets == "" {
		*assets = *blocks
	}
	h, done, err := openHub(ctx, *blocks, *assets)
	if err != nil {
		return err
	}
	defer done()
	start := time.Now()
	root, err := h.Create(ctx, chain.DefaultSettings(*name))
	if err != nil {
		return err
	}
	at, err := root.At()
	if err != nil {
		return err
	}

	// Seal every block in order: each names the one before.
	list := make([]chain.Block, *n+1)
	list[0] = root
	datas := make([][]byte, *n+1)
	for i := 1; i <= *n; i++ {
		data := make([]byte, *size)
		binary.BigEndian.PutUint64(data, uint64(i))
		copy(data[8:], root.ID) // distinct from other chains' assets
		datas[i] = data
		meta, _ := json.Marshal(map[string]any{"source": "pipe", "bytes": []int{(i - 1) * *size, i * *size}})
		b := chain.Block{
			Chain:  root.ID,
			Prev:   list[i-1].ID,
			Height: uint64(i),
			Time:   chain.Stamp(at.Add(time.Duration(i) * time.Microsecond)),
			Crypt:  chain.SHA256,
			Assets: []chain.Receipt{{Hash: chain.SHA256.Sum(data), Crypt: chain.SHA256, Length: int64(*size), Type: "application/octet-stream", Meta: meta}},
		}
		if err := b.Seal(); err != nil {
			return err
		}
		list[i] = b
	}
	sealed := time.Since(start)

	// Store assets and blocks, then link, each step by several workers.
	each := func(what string, f func(i int) error) error {
		t := time.Now()
		first := fanOut(ctx, *workers, 1, *n+1, func(_, i int) error {
			if err := f(i); err != nil {
				return fmt.Errorf("%s %d: %w", what, i, err)
			}
			return nil
		})
		if first == nil {
			first = ctx.Err()
		}
		fmt.Fprintf(os.Stderr, "mkchain: %s: %d in %s\n", what, *n, time.Since(t).Round(time.Millisecond))
		return first
	}
	if err := each("create", func(i int) error {
		if _, _, err := h.Assets.PutBytes(ctx, chain.SHA256, datas[i]); err != nil {
			return err
		}
		return h.Blocks.Create(ctx, list[i])
	}); err != nil {
		return err
	}
	if err := each("link", func(i int) error {
		return h.Blocks.SetNext(ctx, list[i-1].ID, list[i].ID)
	}); err != nil {
		return err
	}
	h.Blocks.NoteTail(ctx, root.ID, list[*n].ID)
	fmt.Fprintf(os.Stderr, "mkchain: chain %q (%s): %d blocks after the root in %s (sealing %s)\n",
		*name, root.ID, *n, time.Since(start).Round(time.Millisecond), sealed.Round(time.Millisecond))
	fmt.Println(root.ID)
	return nil
}

// ---------------------------------------------------------------- walk

func walkCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("walk", flag.ExitOnError)
	blocks := fs.String("blocks", "", "block store URL")
	name := fs.String("chain", "bench", "chain name or id")
	runs := fs.Int("runs", 3, "walks, one after the other (at most 100)")
	fs.Parse(args)
	if *blocks == "" || *runs < 1 || *runs > 100 || fs.NArg() != 0 {
		return errors.New("walk: want -blocks URL [-chain NAME] [-runs N]")
	}
	h, done, err := openHub(ctx, *blocks, *blocks)
	if err != nil {
		return err
	}
	defer done()
	root, err := h.Resolve(ctx, *name)
	if err != nil {
		return err
	}
	for r := 0; r < *runs; r++ {
		t := time.Now()
		v := &walk.Verifier{Blocks: h.Blocks}
		faults := 0
		for f, err := range v.All(ctx, root.ID) {
			if err != nil {
				return err
			}
			faults++
			if faults <= 3 {
				fmt.Fprintln(os.Stderr, "walk: fault:", f)
			}
		}
		s := time.Since(t).Seconds()
		fmt.Printf("walk %d blocks %.3f s %.0f blocks/s faults %d\n", v.BlocksChecked, s, float64(v.BlocksChecked)/s, faults)
		if faults > 0 {
			return fmt.Errorf("walk: %d faults", faults)
		}
	}
	return nil
}

// ---------------------------------------------------------------- probe

// probe times the driver calls a walk makes: Fetch of single blocks in
// turn, and the Ranger's After, to tell where a walk's time goes.
func probe(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("probe", flag.ExitOnError)
	blocks := fs.String("blocks", "", "block store URL")
	name := fs.String("chain", "bench", "chain name or id")
	n := fs.Int("n", 50, "blocks fetched one by one")
	fs.Parse(args)
	h, done, err := openHub(ctx, *blocks, *blocks)
	if err != nil {
		return err
	}
	defer done()
	root, err := h.Resolve(ctx, *name)
	if err != nil {
		return err
	}
	t := time.Now()
	id := root.ID
	for i := 0; i < *n && id != ""; i++ {
		raw, err := h.Blocks.Fetch(ctx, id)
		if err != nil {
			return err
		}
		id = raw.Next
	}
	fmt.Printf("probe: fetch one by one: %.2f ms a block\n", float64(time.Since(t).Microseconds())/1e3/float64(*n))
	r, ok := h.Blocks.Driver().(driver.Ranger)
	if !ok {
		fmt.Println("probe: the driver is no Ranger")
		return nil
	}
	for _, from := range []uint64{0, 256, 4096, 9000} {
		t = time.Now()
		list, err := r.After(ctx, root.ID, from, 256)
		if err != nil {
			return err
		}
		fmt.Printf("probe: After(height %d, 256): %d blocks in %.1f ms\n", from, len(list), float64(time.Since(t).Microseconds())/1e3)
	}
	return nil
}

// ---------------------------------------------------------------- rawput

// s3Target is what an s3:// URL names, for the raw client.
type s3Target struct {
	c      *minio.Client
	bucket string
	prefix string
}

func openS3(raw string) (s3Target, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "s3" {
		return s3Target{}, fmt.Errorf("%q: want s3://key:secret@host:port/bucket/prefix", redact(raw))
	}
	secret, _ := u.User.Password()
	secure := u.Query().Get("secure") != "false"
	c, err := minio.New(u.Host, &minio.Options{Creds: credentials.NewStaticV4(u.User.Username(), secret, ""), Secure: secure})
	if err != nil {
		return s3Target{}, err
	}
	path := strings.Trim(u.Path, "/")
	bucket, prefix, _ := strings.Cut(path, "/")
	if prefix != "" {
		prefix += "/"
	}
	return s3Target{c: c, bucket: bucket, prefix: prefix}, nil
}

func rawput(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("rawput", flag.ExitOnError)
	s3url := fs.String("s3", "", "s3://key:secret@host:port/bucket/prefix?secure=false")
	total := fs.String("bytes", "256MiB", "bytes to upload")
	object := fs.String("object", "1MiB", "bytes per object; 0: one streamed object")
	parallel := fs.Int("parallel", 2, "objects in flight")
	fs.Parse(args)
	nTotal, err1 := humanize.ParseBytes(*total)
	nObj, err2 := humanize.ParseBytes(*object)
	if *s3url == "" || err1 != nil || err2 != nil || nTotal == 0 || *parallel < 1 || fs.NArg() != 0 {
		return errors.New("rawput: want -s3 URL [-bytes N] [-object N] [-parallel P]")
	}
	t, err := openS3(*s3url)
	if err != nil {
		return err
	}
	if ok, err := t.c.BucketExists(ctx, t.bucket); err != nil {
		return err
	} else if !ok {
		if err := t.c.MakeBucket(ctx, t.bucket, minio.MakeBucketOptions{}); err != nil {
			return err
		}
	}
	// A run tag keeps runs' objects apart; the bytes are random, as
	// captured data would be, and generated before the clock starts.
	tag := fmt.Sprintf("raw-%d/", time.Now().UnixNano())
	start := time.Now()
	if nObj == 0 {
		r := io.LimitReader(newRandReader(), int64(nTotal))
		_, err := t.c.PutObject(ctx, t.bucket, t.prefix+tag+"all", r, int64(nTotal), minio.PutObjectOptions{ContentType: "application/octet-stream"})
		if err != nil {
			return err
		}
	} else {
		count := int((nTotal + nObj - 1) / nObj)
		bufs := make([][]byte, *parallel)
		rr := newRandReader()
		for i := range bufs {
			bufs[i] = make([]byte, nObj)
		}
		var mu sync.Mutex // of rr
		err := fanOut(ctx, *parallel, 0, count, func(w, i int) error {
			buf := bufs[w]
			n := min(int64(nObj), int64(nTotal)-int64(i)*int64(nObj))
			mu.Lock()
			io.ReadFull(rr, buf[:n])
			mu.Unlock()
			// Name it by its hash, as an asset store would.
			sum := sha256.Sum256(buf[:n])
			key := fmt.Sprintf("%s%s%x.blob", t.prefix, tag, sum)
			_, err := t.c.PutObject(ctx, t.bucket, key, bytesReader(buf[:n]), n, minio.PutObjectOptions{ContentType: "application/octet-stream", DisableMultipart: true})
			return err
		})
		if err != nil {
			return err
		}
	}
	s := time.Since(start).Seconds()
	fmt.Printf("rawput %d bytes object %d parallel %d: %.3f s %.1f MB/s %.1f MiB/s\n", nTotal, nObj, *parallel, s, float64(nTotal)/1e6/s, float64(nTotal)/(1<<20)/s)
	return nil
}

// randReader yields fast pseudo-random bytes.
type randReader struct{ r *rand.ChaCha8 }

func newRandReader() io.Reader {
	var seed [32]byte
	binary.BigEndian.PutUint64(seed[:], uint64(time.Now().UnixNano()))
	return &randReader{rand.NewChaCha8(seed)}
}

func (r *randReader) Read(p []byte) (int, error) { return r.r.Read(p) }

type byteReader struct {
	b   []byte
	off int
}

func bytesReader(b []byte) io.Reader { return &byteReader{b: b} }

func (r *byteReader) Read(p []byte) (int, error) {
	if r.off >= len(r.b) {
		return 0, io.EOF
	}
	n := copy(p, r.b[r.off:])
	r.off += n
	return n, nil
}

// ---------------------------------------------------------------- clean

func clean(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("clean", flag.ExitOnError)
	s3url := fs.String("s3", "", "remove every object under this bucket/prefix")
	myurl := fs.String("mysql", "", "drop the tables of this URL's table_prefix (required, not empty)")
	mgurl := fs.String("mongo", "", "drop this URL's database")
	fs.Parse(args)
	switch {
	case *s3url != "":
		return cleanS3(ctx, *s3url)
	case *myurl != "":
		return cleanMySQL(ctx, *myurl)
	case *mgurl != "":
		return cleanMongo(ctx, *mgurl)
	}
	return errors.New("clean: want -s3, -mysql or -mongo URL")
}

func cleanS3(ctx context.Context, raw string) error {
	t, err := openS3(raw)
	if err != nil {
		return err
	}
	if ok, err := t.c.BucketExists(ctx, t.bucket); err != nil || !ok {
		return err
	}
	objs := t.c.ListObjects(ctx, t.bucket, minio.ListObjectsOptions{Prefix: t.prefix, Recursive: true})
	n := 0
	counted := make(chan minio.ObjectInfo)
	go func() {
		defer close(counted)
		for o := range objs {
			n++
			counted <- o
		}
	}()
	for e := range t.c.RemoveObjects(ctx, t.bucket, counted, minio.RemoveObjectsOptions{}) {
		if e.Err != nil {
			return e.Err
		}
	}
	if t.prefix == "" {
		if err := t.c.RemoveBucket(ctx, t.bucket); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "clean: removed %d objects from s3 %s/%s\n", n, t.bucket, t.prefix)
	return nil
}

func cleanMySQL(ctx context.Context, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "mysql" {
		return fmt.Errorf("clean: %q: want mysql://user@host:port/db?table_prefix=P", raw)
	}
	prefix := u.Query().Get("table_prefix")
	if prefix == "" || !regexp.MustCompile(`^[A-Za-z0-9_]{1,40}$`).MatchString(prefix) {
		return errors.New("clean: the mysql URL must name a table_prefix (the benchmark's own tables)")
	}
	pass, _ := u.User.Password()
	dsn := fmt.Sprintf("%s:%s@tcp(%s)/%s", u.User.Username(), pass, u.Host, strings.Trim(u.Path, "/"))
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	for _, t := range []string{"blocks", "assets", "asset_chunks", "tails"} {
		if _, err := db.ExecContext(ctx, "DROP TABLE IF EXISTS `"+prefix+t+"`"); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "clean: dropped tables %s*\n", prefix)
	return nil
}

func cleanMongo(ctx context.Context, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "mongodb" {
		return fmt.Errorf("clean: %q: want mongodb://host:port/db", raw)
	}
	dbname := strings.Trim(u.Path, "/")
	if dbname == "" {
		return errors.New("clean: the mongodb URL must name a database")
	}
	c, err := mongo.Connect(options.Client().ApplyURI(raw).SetTimeout(30 * time.Second))
	if err != nil {
		return err
	}
	defer c.Disconnect(context.Background())
	if err := c.Database(dbname).Drop(ctx); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "clean: dropped database %s\n", dbname)
	return nil
}
