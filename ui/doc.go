// Package ui is the chain browser: a read-only HTTP API under /api/
// (chains, ranges of blocks, one block, one asset's verified bytes, the
// tail, a live feed of new blocks as Server-Sent Events, the document
// query and verify of a range; docs/api.openapi.yaml) and the page that
// uses it, embedded in the binary (static/, plain HTML, CSS and
// JavaScript: go build alone builds it).
//
// A Server binds to loopback unless it has a token (CheckAddr); with a
// token, every call must carry it (Authorization: Bearer, X-Token, or the
// cookie the login form sets). A request may name other stores than the
// server's own in the X-Block-Store and X-Asset-Store headers (the page's
// store settings, kept in the browser's session storage): they are opened
// for that request only, never written down or logged.
//
// It imports blockhub (to open stores), chain, chain/store, chain/walk
// and query; nothing imports it but the CLI.
package ui
