package merkle

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Origin is the checkpoint origin line of chain chainID.
func Origin(chainID string) string { return "blockhub/" + chainID }

// Checkpoint is the body of a C2SP tlog-checkpoint: the origin, the tree
// size and the root hash.
type Checkpoint struct {
	Origin string
	Size   int64
	Root   Hash
}

// Text is the checkpoint body: origin, size in decimal, base64 root, one
// line each.
func (c Checkpoint) Text() string {
	return c.Origin + "\n" + strconv.FormatInt(c.Size, 10) + "\n" + base64.StdEncoding.EncodeToString(c.Root[:]) + "\n"
}

// Sign returns the checkpoint as a signed note (C2SP signed-note).
func (c Checkpoint) Sign(signers ...note.Signer) ([]byte, error) {
	if len(signers) == 0 {
		return nil, errors.New("checkpoint: no signer key")
	}
	return note.Sign(&note.Note{Text: c.Text()}, signers...)
}

// ParseCheckpoint reads a checkpoint body.
func ParseCheckpoint(text string) (Checkpoint, error) {
	lines := strings.SplitAfter(text, "\n")
	if len(lines) < 4 || lines[len(lines)-1] != "" {
		return Checkpoint{}, errors.New("checkpoint: want an origin, a size and a root hash, one a line")
	}
	var c Checkpoint
	c.Origin = strings.TrimSuffix(lines[0], "\n")
	size, err := strconv.ParseInt(strings.TrimSuffix(lines[1], "\n"), 10, 64)
	if err != nil || size < 0 || c.Origin == "" {
		return Checkpoint{}, fmt.Errorf("checkpoint: origin %q, size %q", c.Origin, strings.TrimSpace(lines[1]))
	}
	c.Size = size
	root, err := base64.StdEncoding.DecodeString(strings.TrimSuffix(lines[2], "\n"))
	if err != nil || len(root) != tlog.HashSize {
		return Checkpoint{}, fmt.Errorf("checkpoint: root hash %q: want base64 of 32 bytes", strings.TrimSpace(lines[2]))
	}
	copy(c.Root[:], root)
	return c, nil
}

// OpenCheckpoint checks the signed note msg with verifiers (at least one
// signature must be theirs) and returns its checkpoint.
func OpenCheckpoint(msg []byte, verifiers note.Verifiers) (Checkpoint, *note.Note, error) {
	n, err := note.Open(msg, verifiers)
	if err != nil {
		var unknown *note.UnverifiedNoteError
		if errors.As(err, &unknown) {
			names := []string{}
			for _, s := range unknown.Note.UnverifiedSigs {
				names = append(names, s.Name)
			}
			return Checkpoint{}, nil, fmt.Errorf("checkpoint: signed by %s, no key given to check it (--verifier)", strings.Join(names, ", "))
		}
		return Checkpoint{}, nil, fmt.Errorf("checkpoint: signature: %w", err)
	}
	c, err := ParseCheckpoint(n.Text)
	return c, n, err
}

// GenerateKey returns a new Ed25519 signer key and its verifier key, in
// the note package's text forms, for the key name.
func GenerateKey(name string) (signer, verifier string, err error) {
	return note.GenerateKey(rand.Reader, name)
}
