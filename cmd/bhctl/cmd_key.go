package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"
	"golang.org/x/mod/sumdb/note"

	"github.com/blockhub/blockhub/chain/merkle"
)

func newKeyCommand() *cli.Command {
	return &cli.Command{
		Name:  "key",
		Usage: "make the Ed25519 keys that sign checkpoints",
		Subcommands: []*cli.Command{{
			Name:      "generate",
			Usage:     "write a new signer key file and print its verifier key",
			ArgsUsage: "NAME",
			Description: "Writes the signer key (C2SP signed-note, Ed25519) to NAME.key, or --file,\n" +
				"readable by its owner only, and prints the verifier key: give it to whoever\n" +
				"checks your checkpoints (bhctl verify --checkpoint FILE --verifier KEY).",
			Flags: []cli.Flag{
				&cli.StringFlag{Name: "file", Usage: "where to write the signer key (default NAME.key); never overwritten"},
			},
			Action: withEnv(runKeyGenerate),
		}},
	}
}

// checkKeyName checks a key name as the note format wants it: no spaces,
// no plus signs.
func checkKeyName(name string) error {
	if name == "" || strings.ContainsAny(name, " \t\n+") {
		return usagef("key name %q: want a name without spaces or '+'", name)
	}
	return nil
}

func runKeyGenerate(c *cli.Context, e *env) error {
	if err := needArgs(c, 1, "one key NAME"); err != nil {
		return err
	}
	name := c.Args().First()
	if err := checkKeyName(name); err != nil {
		return err
	}
	file := c.String("file")
	if file == "" {
		file = name + ".key"
	}
	vkey, err := writeKey(file, name)
	if err != nil {
		return err
	}
	if e.json {
		return e.printJSON(map[string]string{"name": name, "file": file, "verifier": vkey})
	}
	e.notef("signer key %s written to %s (keep it secret)", name, file)
	e.printf("%s\n", vkey)
	return nil
}

// writeKey makes a key pair, writes the signer key to file (which must not
// exist) and returns the verifier key.
func writeKey(file, name string) (string, error) {
	skey, vkey, err := merkle.GenerateKey(name)
	if err != nil {
		return "", fmt.Errorf("key %s: %w", name, err)
	}
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", fmt.Errorf("key %s: %w", name, err)
	}
	if _, err := f.WriteString(skey + "\n"); err != nil {
		f.Close()
		return "", fmt.Errorf("key %s: %w", file, err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("key %s: %w", file, err)
	}
	return vkey, nil
}

// readSigner reads a signer key file.
func readSigner(file string) (note.Signer, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("signer key: %w", err)
	}
	s, err := note.NewSigner(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, fmt.Errorf("signer key %s: %w", file, err)
	}
	return s, nil
}

// defaultSigner is the home's own signer key (keys/default.key), made on
// first use with its verifier key beside it (keys/default.vkey).
func (e *env) defaultSigner(home string) (note.Signer, error) {
	dir := filepath.Join(home, "keys")
	file := filepath.Join(dir, "default.key")
	if _, err := os.Stat(file); errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("signer key: %w", err)
		}
		vkey, err := writeKey(file, "default")
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, "default.vkey"), []byte(vkey+"\n"), 0o644); err != nil {
			return nil, fmt.Errorf("verifier key: %w", err)
		}
		e.notef("created signer key %s (verifier key %s)", file, vkey)
	}
	return readSigner(file)
}

// verifiers are the keys given with --verifier (a key, or a file holding
// one), else the verifier keys in the home (keys/*.vkey).
func verifiers(given []string, home string) (note.Verifiers, error) {
	var keys []string
	for _, v := range given {
		if b, err := os.ReadFile(v); err == nil {
			keys = append(keys, strings.TrimSpace(string(b)))
		} else {
			keys = append(keys, strings.TrimSpace(v))
		}
	}
	if len(given) == 0 && home != "" {
		files, _ := filepath.Glob(filepath.Join(home, "keys", "*.vkey"))
		for _, f := range files {
			if b, err := os.ReadFile(f); err == nil {
				keys = append(keys, strings.TrimSpace(string(b)))
			}
		}
	}
	if len(keys) == 0 {
		return nil, usagef("no verifier key: give --verifier KEY (bhctl key generate prints it)")
	}
	var vs []note.Verifier
	for _, k := range keys {
		v, err := note.NewVerifier(k)
		if err != nil {
			return nil, usagef("verifier key %q: %v", k, err)
		}
		vs = append(vs, v)
	}
	return note.VerifierList(vs...), nil
}
