// Package api is the dated-API connector (`bhctl import api`): for vendor
// APIs that take a date range (the notes' "cake use case"), it cuts a
// period into windows (hour, day, week or month), sends one request per
// window with the window's bounds in the URL, and yields each response as
// one asset with meta window [from, to], url (credentials removed) and
// status.
//
// Each window has its own source key, "api:" + URL template + "#" + from,
// so with --prevent-dups a later run skips the windows already on the
// chain and a cron job fills only the gaps; with --every the Source is a
// connectors.Resumer and skips them on every run, one run at a time. Requests are retried with
// exponential backoff on 5xx, 429 and network errors, honouring
// Retry-After; a window that keeps failing is reported and the run goes
// on, ending with an error that lists the failed windows.
//
// It imports connectors and the standard library only.
package api
