package mongo

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/blockhub/blockhub/chain/store"
	"github.com/blockhub/blockhub/connectors"
	"github.com/blockhub/blockhub/internal/records"
)

// Name is the connector's registered name.
const Name = "mongo"

// DefaultRows is how many documents go in one asset without --rows.
const DefaultRows = 1000

// ConnectTimeout bounds finding the server, so an unreachable host fails
// promptly.
const ConnectTimeout = 5 * time.Second

// ContentType is the type of chunks in the default format: canonical
// Extended JSON, one document a line.
const ContentType = "application/x-ndjson"

func init() { connectors.Register(Spec) }

// Spec is the mongo connector's spec.
var Spec = connectors.Spec{
	Name:  Name,
	Usage: "capture MongoDB collections, in _id chunks",
	Help: "Reads each collection in _id order, --rows documents (default 1000) an asset,\n" +
		"with keyset pagination, so chunks are the same on every run and --prevent-dups\n" +
		"skips those already captured. Without --collection, every collection of the\n" +
		"database. Documents are canonical Extended JSON, one a line, so ObjectIds,\n" +
		"dates, decimals and 64-bit integers come back exactly (--format csv, yaml or\n" +
		"xml write top-level fields as columns instead). --incremental FIELD captures\n" +
		"only documents whose FIELD is past the cursor the last capture left on the\n" +
		"chain, so runs from cron take only what changed (no --prevent-dups needed); a\n" +
		"run started while another is capturing the same collections into the chain\n" +
		"captures nothing, says so and exits 0.",
	Options: []connectors.Option{
		{Name: "source", Kind: connectors.String, Required: true, Secret: true,
			Help: "the database: mongodb://[user:pass@]host:27017/db[?options]"},
		{Name: "collection", Kind: connectors.List, Help: "collections to capture (repeatable; default: every collection)"},
		{Name: "filter", Kind: connectors.String, Help: `query documents must match, as (Extended) JSON: '{"status": "paid"}'`},
		{Name: "limit", Kind: connectors.Int, Help: "at most this many documents per collection (0: all)"},
		{Name: "incremental", Kind: connectors.String, Help: "FIELD: capture only documents whose FIELD passed the last capture's cursor on the chain"},
	},
	Examples: []string{
		"bhctl import mongo --source mongodb://db:27017/shop --collection orders --prevent-dups",
		`bhctl import mongo --source mongodb://db:27017/shop --collection orders --filter '{"status": "paid"}'`,
		"bhctl import mongo --source mongodb://db:27017/shop --collection orders --incremental updatedAt",
	},
	New: newSource,
}

// Config is what a mongo source reads.
type Config struct {
	// URL is the --source URL, password included; Redact it to print it.
	URL         string
	Collections []string
	// Filter is a query in Extended JSON (relaxed or canonical).
	Filter string
	Limit  int
	// Incremental is the --incremental field: a run reads only the
	// documents past the cursor the latest capture of each collection left
	// on the chain (the Source is then a connectors.Resumer).
	Incremental string
	Common      connectors.Common
}

func newSource(args []string, v connectors.Values, c connectors.Common) (connectors.Source, error) {
	if len(args) > 0 {
		return nil, connectors.Usagef("import mongo takes no arguments (got %q): name the database with --source", args[0])
	}
	limit, err := v.Int("limit")
	if err != nil {
		return nil, connectors.Usagef("%v", err)
	}
	return New(Config{
		URL:         v.String("source"),
		Collections: v.Strings("collection"),
		Filter:      v.String("filter"),
		Limit:       limit,
		Incremental: v.String("incremental"),
		Common:      c,
	})
}

// New checks cfg and returns a source; it does not connect yet (Chunks
// does, and checks everything before its first chunk).
func New(cfg Config) (*Source, error) {
	if err := cfg.Common.Check(); err != nil {
		return nil, connectors.Usagef("%v", err)
	}
	if cfg.Limit < 0 {
		return nil, connectors.Usagef("--limit %d: want a positive number", cfg.Limit)
	}
	if cfg.Incremental == "_id" || strings.HasPrefix(cfg.Incremental, "$") {
		return nil, connectors.Usagef("--incremental %q: want a field other than _id (chunks already follow _id)", cfg.Incremental)
	}
	host, db, password, err := parseURL(cfg.URL)
	if err != nil {
		return nil, connectors.Usagef("mongo: --source %s: %v", store.Redact(cfg.URL), err)
	}
	filter := bson.D{}
	if strings.TrimSpace(cfg.Filter) != "" {
		if err := bson.UnmarshalExtJSON([]byte(cfg.Filter), false, &filter); err != nil {
			return nil, connectors.Usagef("mongo: --filter %s: want a JSON object: %v", cfg.Filter, err)
		}
	}
	for _, c := range cfg.Collections {
		if c == "" || strings.ContainsRune(c, 0) || strings.HasPrefix(c, "$") {
			return nil, connectors.Usagef("mongo: --collection %q: want a collection name", c)
		}
	}
	rows := cfg.Common.Rows
	if rows == 0 {
		rows = DefaultRows
	}
	return &Source{cfg: cfg, host: host, db: db, password: password, filter: filter, rows: rows}, nil
}

// parseURL reads the host and database of a mongodb:// URL; the driver
// reads the rest.
func parseURL(raw string) (host, db, password string, err error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "mongodb" && u.Scheme != "mongodb+srv") || u.Opaque != "" || u.Host == "" {
		return "", "", "", errors.New("want mongodb://[user:pass@]host:27017/db")
	}
	db = strings.TrimPrefix(u.Path, "/")
	if db == "" || strings.ContainsAny(db, `/\. "$`) {
		return "", "", "", fmt.Errorf("want one database name in the URL path (mongodb://host:27017/db), got %q", u.Path)
	}
	if u.User != nil {
		password, _ = u.User.Password()
	}
	return u.Host, db, password, nil
}

// format is the encoding of the chunks: "" (and json) is canonical
// Extended JSON lines.
func (s *Source) format() string {
	if f := s.cfg.Common.Format; f != records.JSON {
		return f
	}
	return ""
}
