package chain

import (
	"encoding/json"
	"fmt"
	"time"
)

// SettingsType is the content type of the settings asset that a root
// block's first receipt names.
const SettingsType = "application/vnd.blockhub.chain+json"

// Settings are a chain's name and parameters, fixed when the chain is
// created and kept in its root block.
type Settings struct {
	// Name is the human name; chains are found by it.
	Name string `json:"name"`
	// Crypt hashes the chain's blocks and assets.
	Crypt Crypt `json:"crypt"`
	// MinAssets is how many receipts a long-running builder waits for
	// before it links a block, unless TTL passes first.
	MinAssets int `json:"min"`
	// MaxAssets caps the receipts in one block.
	MaxAssets int `json:"max"`
	// TTL is how long a receipt may wait before its block is linked.
	TTL Duration `json:"ttl"`
}

// DefaultSettings are those of a chain created without flags.
func DefaultSettings(name string) Settings {
	return Settings{Name: name, Crypt: DefaultCrypt, MinAssets: 1, MaxAssets: 1000, TTL: Duration(time.Second)}
}

// Validate reports the first setting that is out of range.
func (s Settings) Validate() error {
	if s.Name == "" || len(s.Name) > 200 {
		return fmt.Errorf("%w chain name %q: want 1 to 200 characters", ErrInvalid, s.Name)
	}
	if IsHex(s.Name) {
		return fmt.Errorf("%w chain name %q: a name must not look like a chain id", ErrInvalid, s.Name)
	}
	if s.Crypt.HexLen() == 0 {
		return fmt.Errorf("%w chain %q: hash function %q (want sha256 or md5)", ErrInvalid, s.Name, s.Crypt)
	}
	if s.MinAssets < 1 || s.MaxAssets < s.MinAssets {
		return fmt.Errorf("%w chain %q: want 1 <= min (%d) <= max (%d)", ErrInvalid, s.Name, s.MinAssets, s.MaxAssets)
	}
	if s.TTL < 0 {
		return fmt.Errorf("%w chain %q: negative ttl", ErrInvalid, s.Name)
	}
	return nil
}

// Encode returns the settings document stored as the root's first asset.
func (s Settings) Encode() []byte {
	b, _ := json.Marshal(s) // no field can fail to marshal
	return b
}

// NewRoot returns the sealed root block of a chain with settings s, created
// at t. The settings document (s.Encode()) must be stored as an asset too.
func NewRoot(s Settings, t time.Time) (Block, error) {
	if err := s.Validate(); err != nil {
		return Block{}, err
	}
	doc := s.Encode()
	b := Block{
		Time:  Stamp(t),
		Crypt: s.Crypt,
		Assets: []Receipt{{
			Hash:   s.Crypt.Sum(doc),
			Crypt:  s.Crypt,
			Length: int64(len(doc)),
			Type:   SettingsType,
			Meta:   doc,
		}},
	}
	if err := b.Seal(); err != nil {
		return Block{}, err
	}
	return b, nil
}

// RootSettings reads the settings a root block carries.
func RootSettings(root Block) (Settings, error) {
	if !root.IsRoot() || len(root.Assets) == 0 || root.Assets[0].Type != SettingsType {
		return Settings{}, fmt.Errorf("%w block %s is not a chain root", ErrInvalid, root.ID)
	}
	var s Settings
	if err := json.Unmarshal(root.Assets[0].Meta, &s); err != nil {
		return Settings{}, fmt.Errorf("%w settings in root %s: %v", ErrInvalid, root.ID, err)
	}
	return s, nil
}

// Duration is a time.Duration written as a Go duration string ("1s").
type Duration time.Duration

// MarshalJSON writes d as "1m30s".
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads "1m30s".
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}
