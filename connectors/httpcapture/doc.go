// Package httpcapture is the capture server behind `bhctl serve http`:
// every request it accepts becomes two assets on a chain, the body as it
// came and a JSON document of the request's information (method, path,
// query, headers without credentials, remote address, content type,
// length and the body's hash) that names the body, as the notes' "web to
// msg" asks.
//
//	srv, err := httpcapture.New(w.Appender, &httpcapture.Options{Token: "s3cret", Chain: root.ID})
//	err = httpcapture.Serve(ctx, ln, srv) // returns once ctx ends and in-flight requests are answered
//	err = w.Close()                        // links everything accepted
//
// The server answers 201 with a JSON Receipt; 401 for a missing or wrong
// X-Token; 403 for a refused address or content type (sniffed from the
// body, never trusted from the header); 413 for a body over the size
// limit. With ?wait=block it answers only once both assets are in a linked
// block, and says which.
//
// It imports chain, appender and builder; it is a library package that no
// connector imports.
package httpcapture
