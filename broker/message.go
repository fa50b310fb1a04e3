package broker

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/blockhub/blockhub/chain"
)

// Version is the version of the receipt message format.
const Version = 1

// MaxMessageBytes bounds a receipt message; a larger one is dead-lettered
// (code "too_large"): receipts are small, assets travel through the store.
const MaxMessageBytes = 1 << 20

// Message is one receipt on its way to a builder: what a capture publishes
// to the chain's queue, as JSON.
type Message struct {
	V       int           `json:"v"`
	Chain   string        `json:"chain"`   // chain id
	Capture string        `json:"capture"` // unique per receipt; also meta.capture
	Time    string        `json:"time"`    // when the capture published it (RFC 3339, UTC)
	Host    string        `json:"host,omitempty"`
	PID     int           `json:"pid,omitempty"`
	Receipt chain.Receipt `json:"receipt"`
}

// Error is why a message cannot be linked: the notes' error object.
// Code is what a repair function is chosen by; Path names the field.
type Error struct {
	Code string `json:"code"`
	Path string `json:"path,omitempty"`
	Msg  string `json:"msg"`
}

func (e *Error) Error() string {
	if e.Path != "" {
		return fmt.Sprintf("%s: %s: %s", e.Code, e.Path, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Msg)
}

// Error codes of dead-lettered messages.
const (
	CodeSchema       = "schema"        // not a receipt message
	CodeBadHash      = "bad_hash"      // hash not of its crypt's form
	CodeWrongQueue   = "wrong_queue"   // the message names another chain than its queue
	CodeAssetMissing = "asset_missing" // the asset is not in the asset store (after retries)
	CodeBadLength    = "bad_length"    // the stored asset's size is not the receipt's length
	CodeTooLarge     = "too_large"     // the message is over MaxMessageBytes
)

// Decode parses and checks a message body against the chain of its queue
// (chainID; "" to take the message's own). It returns an *Error that says
// what is wrong.
func Decode(body []byte, chainID string) (Message, *Error) {
	var m Message
	if len(body) > MaxMessageBytes {
		return m, &Error{Code: CodeTooLarge, Msg: fmt.Sprintf("%d bytes, over the limit of %d", len(body), MaxMessageBytes)}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return m, &Error{Code: CodeSchema, Msg: err.Error()}
	}
	switch {
	case m.V != Version:
		return m, &Error{Code: CodeSchema, Path: "v", Msg: fmt.Sprintf("version %d, want %d", m.V, Version)}
	case !chain.IsHex(m.Chain):
		return m, &Error{Code: CodeSchema, Path: "chain", Msg: fmt.Sprintf("%q is not a chain id", m.Chain)}
	case chainID != "" && m.Chain != chainID:
		return m, &Error{Code: CodeWrongQueue, Path: "chain", Msg: fmt.Sprintf("chain %s in the queue of chain %s", m.Chain, chainID)}
	case m.Capture == "":
		return m, &Error{Code: CodeSchema, Path: "capture", Msg: "missing"}
	}
	if _, err := time.Parse(time.RFC3339Nano, m.Time); err != nil {
		return m, &Error{Code: CodeSchema, Path: "time", Msg: err.Error()}
	}
	r := m.Receipt
	if r.Crypt.HexLen() == 0 {
		return m, &Error{Code: CodeBadHash, Path: "receipt.crypt", Msg: fmt.Sprintf("unknown hash function %q", r.Crypt)}
	}
	if len(r.Hash) != r.Crypt.HexLen() || !chain.IsHex(r.Hash) {
		return m, &Error{Code: CodeBadHash, Path: "receipt.hash", Msg: fmt.Sprintf("%q is not a %s hash", r.Hash, r.Crypt)}
	}
	if r.Length < 0 {
		return m, &Error{Code: CodeSchema, Path: "receipt.length", Msg: "negative"}
	}
	if got, _ := CaptureOf(r); got != m.Capture {
		return m, &Error{Code: CodeSchema, Path: "receipt.meta.capture", Msg: fmt.Sprintf("%q, the message says %q", got, m.Capture)}
	}
	return m, nil
}

// CaptureOf returns the capture id in a receipt's meta, if any.
func CaptureOf(r chain.Receipt) (string, bool) {
	if len(r.Meta) == 0 || !bytes.Contains(r.Meta, []byte(`"capture"`)) {
		return "", false
	}
	var m struct {
		Capture string `json:"capture"`
	}
	if json.Unmarshal(r.Meta, &m) != nil || m.Capture == "" {
		return "", false
	}
	return m.Capture, true
}

// withCapture returns meta with "capture" set to id.
func withCapture(meta json.RawMessage, id string) (json.RawMessage, error) {
	m := map[string]json.RawMessage{}
	if len(meta) > 0 {
		if err := json.Unmarshal(meta, &m); err != nil {
			return nil, fmt.Errorf("broker: meta: %w", err)
		}
	}
	m["capture"] = json.RawMessage(strconv.Quote(id))
	return json.Marshal(m)
}

// captureIDs makes capture ids: a random run id and a counter, unique
// across hosts and runs without coordination.
type captureIDs struct {
	run string
	n   atomic.Uint64
}

func newCaptureIDs() *captureIDs {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return &captureIDs{run: hex.EncodeToString(b[:])}
}

func (c *captureIDs) next() string { return c.run + "-" + strconv.FormatUint(c.n.Add(1), 10) }
