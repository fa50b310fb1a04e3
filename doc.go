// Package blockhub is the library entry to BlockHub: Open a hub (an asset
// store and a block store, chosen by URL, the embedded folder store by
// default), find or create chains by name, and get an appender and walker
// for one. Everything the bhctl command does goes through it.
//
//	hub, err := blockhub.Open(ctx, blockhub.Config{Home: "./.bh"})
//	root, err := hub.Chain(ctx, "orders", nil) // created on first use
//	w, err := hub.Writer(ctx, root, nil)
//	w.Append(ctx, appender.Chunk{Data: []byte("hello"), Type: "text/plain"})
//	err = w.Close()
//
// The lower layers can be used on their own: chain (the model), chain/store
// (stores by URL), chain/walk (walker and verifier), appender and builder.
package blockhub
