package httpcapture_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"

	"github.com/blockhub/blockhub"
	"github.com/blockhub/blockhub/connectors/httpcapture"
)

// A capture server in a Go program: requests become assets on the chain
// "webhooks"; closing the writer links what was accepted.
func Example() {
	ctx := context.Background()
	home, _ := os.MkdirTemp("", "bh-example-*")
	defer os.RemoveAll(home)
	hub, _ := blockhub.Open(ctx, blockhub.Config{Home: home})
	defer hub.Close()
	root, _, _ := hub.Chain(ctx, "webhooks", nil)
	w, _ := hub.Writer(context.WithoutCancel(ctx), root)

	srv, _ := httpcapture.New(w.Appender, &httpcapture.Options{Token: "s3cret", Chain: "webhooks"})
	ts := httptest.NewServer(srv) // or srv.Serve(ctx, listener) for a graceful stop
	req, _ := http.NewRequest("POST", ts.URL+"/hooks/orders?wait=block", strings.NewReader(`{"order":42}`))
	req.Header.Set("X-Token", "s3cret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()
	ts.Close()
	fmt.Println(resp.Status, len(resp.Header.Get("X-Blockhub-Body")))
	fmt.Println(w.Close())
	// Output:
	// 201 Created 64
	// <nil>
}
