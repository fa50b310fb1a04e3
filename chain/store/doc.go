// Package store opens asset and block stores by URL and wraps their drivers
// in two portable types, Assets and Blocks, that every caller uses. The
// portable types validate ids and hashes before they reach a driver, check
// content against its hash, decode and check blocks, and wrap every error
// with the (redacted) store URL, so drivers stay small.
//
// Drivers live in sub-packages (memstore, filestore, ...) and register a URL
// scheme in init; import them for their side effect, or import
// chain/store/all for every driver.
//
// It imports chain, chain/store/driver and internal/openurl only.
package store
