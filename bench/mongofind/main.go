// Command mongofind is the baseline of bench/mongo.sh: it fills a
// collection with test documents, or reads a whole collection with one
// find sorted on _id (what a capture of it must at least do), writing each
// document as canonical Extended JSON to stdout.
//
//	mongofind -url mongodb://127.0.0.1:27017/db -coll orders fill 20000
//	mongofind -url mongodb://127.0.0.1:27017/db -coll orders find >/dev/null
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

func main() {
	uri := flag.String("url", "", "mongodb:// URL with the database")
	coll := flag.String("coll", "orders", "collection")
	flag.Parse()
	if *uri == "" || flag.NArg() < 1 {
		fmt.Fprintln(os.Stderr, "usage: mongofind -url URL [-coll C] fill N | find")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	if err := run(ctx, *uri, *coll, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "mongofind:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, uri, coll string, args []string) error {
	client, err := mongo.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		return err
	}
	defer client.Disconnect(context.WithoutCancel(ctx))
	name := dbName(uri)
	if name == "" {
		return fmt.Errorf("%s: no database in the URL", uri)
	}
	db := client.Database(name)
	c := db.Collection(coll)
	switch args[0] {
	case "fill":
		if len(args) != 2 {
			return fmt.Errorf("fill: want a number of documents")
		}
		n, err := strconv.Atoi(args[1])
		if err != nil || n <= 0 {
			return fmt.Errorf("fill %q: want a positive number", args[1])
		}
		return fill(ctx, c, n)
	case "find":
		return find(ctx, c)
	}
	return fmt.Errorf("%s: want fill or find", args[0])
}

func dbName(uri string) string {
	rest := uri[len("mongodb://"):]
	for i := 0; i < len(rest); i++ {
		if rest[i] == '/' {
			name := rest[i+1:]
			for j := 0; j < len(name); j++ {
				if name[j] == '?' {
					return name[:j]
				}
			}
			return name
		}
	}
	return ""
}

// fill drops the collection and inserts n order-like documents, 1,000 per
// insert.
func fill(ctx context.Context, c *mongo.Collection, n int) error {
	if err := c.Drop(ctx); err != nil {
		return err
	}
	statuses := []string{"paid", "open", "void"}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for from := 1; from <= n; from += 1000 {
		var docs []any
		for i := from; i < from+1000 && i <= n; i++ {
			d := bson.D{
				{Key: "_id", Value: int64(i)},
				{Key: "customer", Value: "customer-" + strconv.Itoa(i%5000)},
				{Key: "amount", Value: float64(i%100000) / 100},
				{Key: "status", Value: statuses[i%3]},
				{Key: "created_at", Value: bson.NewDateTimeFromTime(t0.Add(time.Duration(i) * time.Second))},
			}
			if i%7 != 0 {
				d = append(d, bson.E{Key: "note", Value: "note " + strconv.Itoa(i)})
			}
			docs = append(docs, d)
		}
		if _, err := c.InsertMany(ctx, docs); err != nil {
			return err
		}
	}
	return nil
}

// find reads every document with one find sorted on _id.
func find(ctx context.Context, c *mongo.Collection) error {
	cur, err := c.Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return err
	}
	defer cur.Close(context.WithoutCancel(ctx))
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	n := 0
	for cur.Next(ctx) {
		b, err := bson.MarshalExtJSON(cur.Current, true, false)
		if err != nil {
			return err
		}
		w.Write(b)
		w.WriteByte('\n')
		n++
	}
	if err := cur.Err(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "mongofind: %d documents\n", n)
	return w.Flush()
}
