package testservers

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// TestRunningServer checks the server named by BH_TEST_MONGO (as exported by
// scripts/testservers.sh) answers the MongoDB wire protocol.
func TestRunningServer(t *testing.T) {
	uri := os.Getenv("BH_TEST_MONGO")
	if uri == "" {
		t.Skip("BH_TEST_MONGO not set (source scripts/testservers.sh and run bh_servers_up)")
	}
	exercise(t, uri)
}

// TestCommand builds cmd/ferretdb, starts it on a free loopback port with a
// temp folder, checks it answers, and stops it with SIGTERM.
func TestCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a server")
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "ferretdb")
	build := exec.Command("go", "build", "-o", bin, "./cmd/ferretdb")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	addr := freeAddr(t)
	var logs strings.Builder
	cmd := exec.Command(bin, "-listen", addr, "-dir", filepath.Join(tmp, "data"))
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("ferretdb exited with %v after SIGTERM; log:\n%s", err, logs.String())
			}
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			t.Errorf("ferretdb did not stop within 15s of SIGTERM")
		}
	}()

	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			break
		}
		select {
		case err := <-done:
			t.Fatalf("ferretdb exited early: %v; log:\n%s", err, logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("ferretdb not listening on %s after 30s; log:\n%s", addr, logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	exercise(t, "mongodb://"+addr+"/bhtest")
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// exercise pings the server, then checks the operations BlockHub's mongo
// store relies on: insert, find, a unique index with duplicate-key errors,
// and a conditional ("set if unset") update.
func exercise(t *testing.T, uri string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	client, err := mongo.Connect(options.Client().ApplyURI(uri).SetServerSelectionTimeout(10 * time.Second))
	if err != nil {
		t.Fatalf("connect %s: %v", uri, err)
	}
	defer client.Disconnect(context.Background())
	if err := client.Ping(ctx, nil); err != nil {
		t.Fatalf("ping %s: %v", uri, err)
	}

	coll := client.Database("bhtest").Collection("ping_" + strings.ReplaceAll(t.Name(), "/", "_"))
	_ = coll.Drop(ctx)
	defer coll.Drop(context.Background())

	if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: "a"}, {Key: "n", Value: 1}}); err != nil {
		t.Fatalf("insert: %v", err)
	}
	_, err = coll.InsertOne(ctx, bson.D{{Key: "_id", Value: "a"}, {Key: "n", Value: 2}})
	if !mongo.IsDuplicateKeyError(err) {
		t.Fatalf("second insert of same _id: want duplicate-key error, got %v", err)
	}
	var got struct {
		N    int    `bson:"n"`
		Next string `bson:"next"`
	}
	if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: "a"}}).Decode(&got); err != nil {
		t.Fatalf("find: %v", err)
	}
	if got.N != 1 {
		t.Fatalf("find: n = %d, want 1", got.N)
	}

	// set "next" only if unset: the first wins, the second matches nothing.
	filter := bson.D{{Key: "_id", Value: "a"}, {Key: "next", Value: bson.D{{Key: "$exists", Value: false}}}}
	res, err := coll.UpdateOne(ctx, filter, bson.D{{Key: "$set", Value: bson.D{{Key: "next", Value: "x"}}}})
	if err != nil || res.ModifiedCount != 1 {
		t.Fatalf("first conditional update: %+v, %v", res, err)
	}
	res, err = coll.UpdateOne(ctx, filter, bson.D{{Key: "$set", Value: bson.D{{Key: "next", Value: "y"}}}})
	if err != nil || res.MatchedCount != 0 {
		t.Fatalf("second conditional update: want no match, got %+v, %v", res, err)
	}
	if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: "a"}}).Decode(&got); err != nil || got.Next != "x" {
		t.Fatalf("after updates: next = %q, %v; want x", got.Next, err)
	}
}
