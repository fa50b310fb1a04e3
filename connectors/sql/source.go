package sql

import (
	"context"
	dbsql "database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"

	"github.com/go-sql-driver/mysql"

	"github.com/blockhub/blockhub/chain/store"
	"github.com/blockhub/blockhub/connectors"
	"github.com/blockhub/blockhub/internal/mysqlconn"
	"github.com/blockhub/blockhub/internal/records"
)

// Source reads tables of one database. Make it with New.
type Source struct {
	cfg    Config
	mysql  *mysql.Config
	rows   int
	format string
}

var (
	_ connectors.Source  = (*Source)(nil)
	_ connectors.Resumer = (*Source)(nil)
)

// column is one column of a table.
type column struct {
	name string
	kind kind
}

// table is what a run reads from one table, found before the first chunk.
type table struct {
	name string
	// sel are the columns selected: the kept ones (written), then the key
	// columns not kept (read for the cursor only).
	sel  []column
	keep int // sel[:keep] are written
	// order are the indexes in sel of the ordering columns: the
	// --incremental column (if any), then the key.
	order []int
	pk    []string
	// after is where reading starts: the values of the order columns of
	// the last row read (nil: from the start).
	after []any
	count int // rows to read (COUNT(*), capped by --limit), for batch [i, n]
}

// Key is the source key of a table's chunks: the chain remembers the
// latest capture under it (never holds the password).
func (s *Source) Key(table string) string {
	return "sql:" + s.mysql.Addr + "/" + s.mysql.DBName + "/" + table
}

// Resumes implements connectors.Resumer: with Incremental, every run is
// handed the chain's State, with or without --prevent-dups, and reads each
// table after the cursor its latest capture left. The name is the
// database and the tables read (sorted; none named is every table), so
// two runs over the same tables of one database exclude each other on a
// chain.
func (s *Source) Resumes() string {
	if s.cfg.Incremental == "" {
		return ""
	}
	name := "sql:" + s.mysql.Addr + "/" + s.mysql.DBName
	if len(s.cfg.Tables) == 0 {
		return name
	}
	tables := slices.Compact(slices.Sorted(slices.Values(s.cfg.Tables)))
	return name + "/" + strings.Join(tables, ",")
}

// Chunks connects, checks every table, option and the --where clause
// before its first chunk, then yields each table's pages in key order.
func (s *Source) Chunks(ctx context.Context, st connectors.State) iter.Seq2[connectors.Chunk, error] {
	return func(yield func(connectors.Chunk, error) bool) {
		conn, err := mysql.NewConnector(s.mysql)
		if err != nil {
			yield(connectors.Chunk{}, s.errorf("%v", err))
			return
		}
		db := dbsql.OpenDB(conn)
		defer db.Close()
		db.SetMaxOpenConns(2)
		tables, err := s.prepare(ctx, db, st)
		if err != nil {
			yield(connectors.Chunk{}, err)
			return
		}
		// The rows are counted (which also checks --where) on the other
		// connection while the first table's stream opens; nothing is
		// yielded before every table is counted, so a bad --where still
		// fails before anything is captured.
		ctx, cancel := context.WithCancel(ctx)
		counted := make(chan error, 1)
		conds := make([]string, len(tables))
		args := make([][]any, len(tables))
		for i, t := range tables {
			conds[i], args[i] = s.where(t) // before a read moves t.after
		}
		go func() {
			for i, t := range tables {
				if err := s.countRows(ctx, db, t, conds[i], args[i]); err != nil {
					counted <- err
					return
				}
			}
			counted <- nil
		}()
		wait := func() error {
			if counted == nil {
				return nil
			}
			err := <-counted
			counted = nil
			return err
		}
		defer func() {
			cancel()
			wait() // the counts end before the connections close
		}()
		var done int64
		for _, t := range tables {
			for c, err := range s.read(ctx, db, t, wait) {
				if err != nil {
					if werr := wait(); werr != nil {
						err = werr // the --where the read failed on too
					}
					yield(connectors.Chunk{}, err)
					return
				}
				done += int64(len(c.Data))
				c.Done = done
				if !yield(c, nil) {
					return
				}
			}
		}
	}
}

// errorf makes an error that names the source by its redacted URL and
// cannot hold the password.
func (s *Source) errorf(format string, a ...any) error {
	msg := fmt.Sprintf(format, a...)
	if p := s.mysql.Passwd; p != "" {
		msg = strings.ReplaceAll(msg, p, "xxxxx")
	}
	return errors.New("sql: " + store.Redact(s.cfg.URL) + ": " + msg)
}

// connectError says in one line why the server could not be used.
func (s *Source) connectError(ctx context.Context, err error) error {
	m := s.mysql
	var me *mysql.MySQLError
	switch {
	case ctx.Err() != nil:
		return s.errorf("%v", ctx.Err())
	case errors.As(err, &me) && me.Number == 1049:
		return s.errorf("database %q does not exist", m.DBName)
	case errors.As(err, &me) && (me.Number == 1045 || me.Number == 1044):
		return s.errorf("access denied for user %q (check the user and password): %v", m.User, err)
	case errors.Is(err, context.DeadlineExceeded):
		return s.errorf("%s did not answer within %s", m.Addr, ConnectTimeout)
	}
	return s.errorf("cannot reach %s: %v", m.Addr, err)
}

// prepare connects and finds every table's columns, key, cursor and row
// count, so that a missing table, a bad password or a bad --where fails
// before anything is captured.
func (s *Source) prepare(ctx context.Context, db *dbsql.DB, st connectors.State) ([]*table, error) {
	pctx, cancel := context.WithTimeout(ctx, ConnectTimeout)
	err := db.PingContext(pctx)
	cancel()
	if err != nil {
		return nil, s.connectError(ctx, err)
	}
	// The runner hands a resuming source the State whenever there is a
	// chain; a dry run before the chain exists has none and nothing to
	// resume. Anything else without a State is a caller's mistake that
	// would read every row again.
	if s.cfg.Incremental != "" && st == nil && !s.cfg.Common.DryRun {
		return nil, s.errorf("--incremental needs the chain's index (connectors.ImportOptions.Index): the cursor is read from it")
	}
	names, err := s.tableNames(ctx, db)
	if err != nil {
		return nil, err
	}
	excluded := map[string]bool{}
	var tables []*table
	for _, name := range names {
		t, err := s.describe(ctx, db, name, excluded)
		if err != nil {
			return nil, err
		}
		if s.cfg.Incremental != "" && st != nil {
			if err := s.resume(t, st); err != nil {
				return nil, err
			}
		}
		tables = append(tables, t)
	}
	for _, e := range s.cfg.Common.Exclude {
		if !excluded[e] {
			return nil, s.errorf("--exclude %q: no such column in %s", e, strings.Join(names, ", "))
		}
	}
	return tables, nil
}

// tableNames returns the tables to read: those named (each checked to
// exist), or every base table of the database.
func (s *Source) tableNames(ctx context.Context, db *dbsql.DB) ([]string, error) {
	all, err := queryStrings(ctx, db, "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME")
	if err != nil {
		return nil, s.errorf("listing tables: %v", err)
	}
	if len(s.cfg.Tables) == 0 {
		if len(all) == 0 {
			return nil, s.errorf("database %q has no tables", s.mysql.DBName)
		}
		return all, nil
	}
	have := make(map[string]bool, len(all))
	for _, n := range all {
		have[n] = true
	}
	for _, n := range s.cfg.Tables {
		if !have[n] {
			known := all
			if len(known) > 20 {
				known = append(known[:20:20], "...")
			}
			return nil, s.errorf("no table %q in database %q (tables: %s)", n, s.mysql.DBName, strings.Join(known, ", "))
		}
	}
	return s.cfg.Tables, nil
}

func queryStrings(ctx context.Context, db *dbsql.DB, q string, args ...any) ([]string, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// describe reads a table's columns and key, and applies --exclude and
// --incremental to them; excluded collects the --exclude names found.
func (s *Source) describe(ctx context.Context, db *dbsql.DB, name string, excluded map[string]bool) (*table, error) {
	rows, err := db.QueryContext(ctx, "SELECT COLUMN_NAME, DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION", name)
	if err != nil {
		return nil, s.errorf("columns of %s: %v", name, err)
	}
	var cols []column
	float32s := map[string]bool{}
	for rows.Next() {
		var c, typ string
		if err := rows.Scan(&c, &typ); err != nil {
			rows.Close()
			return nil, s.errorf("columns of %s: %v", name, err)
		}
		cols = append(cols, column{name: c, kind: kindOf(typ)})
		float32s[c] = strings.EqualFold(typ, "float")
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, s.errorf("columns of %s: %v", name, err)
	}
	pk, err := s.key(ctx, db, name)
	if err != nil {
		return nil, err
	}
	t := &table{name: name, pk: pk}
	drop := map[string]bool{}
	for _, e := range s.cfg.Common.Exclude {
		drop[e] = true
	}
	byName := map[string]column{}
	for _, c := range cols {
		byName[c.name] = c
		if drop[c.name] {
			excluded[c.name] = true
			continue
		}
		t.sel = append(t.sel, c)
	}
	t.keep = len(t.sel)
	if len(s.cfg.Tables) == 1 && len(s.cfg.Common.Exclude) > 0 {
		for _, e := range s.cfg.Common.Exclude {
			if !excluded[e] {
				names := make([]string, len(cols))
				for i, c := range cols {
					names[i] = c.name
				}
				return nil, s.errorf("--exclude %q: no such column in %s (columns: %s)", e, name, strings.Join(names, ", "))
			}
		}
	}
	if t.keep == 0 {
		return nil, s.errorf("--exclude drops every column of %s", name)
	}
	orderBy := pk
	if inc := s.cfg.Incremental; inc != "" {
		if _, ok := byName[inc]; !ok {
			return nil, s.errorf("--incremental %q: no such column in %s", inc, name)
		}
		orderBy = append([]string{inc}, pk...)
	}
	for _, n := range orderBy {
		if float32s[n] {
			// The server prints a FLOAT rounded: a row would not compare
			// greater than its own printed value, and pages would repeat.
			return nil, s.errorf("%s: column %s is a FLOAT: it cannot order pages (use DOUBLE or DECIMAL, or another key)", name, n)
		}
		i := indexOf(t.sel, n)
		if i < 0 {
			t.sel = append(t.sel, byName[n])
			i = len(t.sel) - 1
		}
		t.order = append(t.order, i)
	}
	return t, nil
}

func indexOf(cols []column, name string) int {
	for i, c := range cols {
		if c.name == name {
			return i
		}
	}
	return -1
}

// key returns the columns of the table's primary key, or else of its
// first unique key over NOT NULL columns: the order chunks are cut in.
func (s *Source) key(ctx context.Context, db *dbsql.DB, name string) ([]string, error) {
	rows, err := db.QueryContext(ctx, "SELECT INDEX_NAME, COLUMN_NAME, NULLABLE FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND NON_UNIQUE = 0 ORDER BY INDEX_NAME = 'PRIMARY' DESC, INDEX_NAME, SEQ_IN_INDEX", name)
	if err != nil {
		return nil, s.errorf("keys of %s: %v", name, err)
	}
	defer rows.Close()
	var (
		order    []string
		cols     = map[string][]string{}
		nullable = map[string]bool{}
	)
	for rows.Next() {
		var idx, col, null string
		if err := rows.Scan(&idx, &col, &null); err != nil {
			return nil, s.errorf("keys of %s: %v", name, err)
		}
		if _, ok := cols[idx]; !ok {
			order = append(order, idx)
		}
		cols[idx] = append(cols[idx], col)
		if null == "YES" {
			nullable[idx] = true
		}
	}
	if err := rows.Err(); err != nil {
		return nil, s.errorf("keys of %s: %v", name, err)
	}
	for _, idx := range order {
		if !nullable[idx] {
			return cols[idx], nil
		}
	}
	return nil, s.errorf("table %s has no primary key (nor a unique key on NOT NULL columns): its rows cannot be cut into stable chunks; add one, or name other tables with --table", name)
}

// resume sets t.after from the cursor the latest capture of the table
// left in its meta.
func (s *Source) resume(t *table, st connectors.State) error {
	raw, ok := st.Last(s.Key(t.name))
	if !ok {
		return nil
	}
	var m struct {
		Cursor *cursor `json:"cursor"`
	}
	d := json.NewDecoder(strings.NewReader(string(raw)))
	d.UseNumber()
	if err := d.Decode(&m); err != nil || m.Cursor == nil {
		st.Note("sql: %s: the latest capture has no cursor; reading from the start", t.name)
		return nil
	}
	want := make([]string, len(t.order))
	for i, o := range t.order {
		want[i] = t.sel[o].name
	}
	if strings.Join(m.Cursor.Columns, "\x00") != strings.Join(want, "\x00") || len(m.Cursor.Values) != len(want) {
		st.Note("sql: %s: the latest capture's cursor is on (%s), not (%s); reading from the start", t.name, strings.Join(m.Cursor.Columns, ", "), strings.Join(want, ", "))
		return nil
	}
	after := make([]any, len(want))
	for i, o := range t.order {
		v, err := arg(t.sel[o].kind, m.Cursor.Values[i])
		if err != nil {
			return s.errorf("%s: the latest capture's cursor: %v", t.name, err)
		}
		after[i] = v
	}
	t.after = after
	return nil
}

// cursor is kept in each chunk's meta under --incremental: the ordering
// columns and their values in the chunk's last row.
type cursor struct {
	Columns []string `json:"columns"`
	Values  []any    `json:"values"`
}

// where returns the WHERE clause (with its arguments) of a page that
// starts after t.after.
func (s *Source) where(t *table) (string, []any) {
	var conds []string
	var args []any
	if s.cfg.Where != "" {
		conds = append(conds, "("+s.cfg.Where+")")
	}
	if s.cfg.Incremental != "" && t.after == nil {
		conds = append(conds, mysqlconn.Quote(s.cfg.Incremental)+" IS NOT NULL")
	}
	if t.after != nil {
		c, a := s.after(t)
		conds = append(conds, c)
		args = a
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// after is the keyset condition "(order columns) > (t.after)", written out
// as c1 >= ? AND (c1 > ? OR (c1 = ? AND (c2 > ? OR ...))) so that the
// server uses the key's index for the range.
func (s *Source) after(t *table) (string, []any) {
	cols := make([]column, len(t.order))
	for i, o := range t.order {
		cols[i] = t.sel[o]
	}
	var expand func(i int) (string, []any)
	expand = func(i int) (string, []any) {
		c, ph := mysqlconn.Quote(cols[i].name), placeholder(cols[i].kind)
		if i == len(cols)-1 {
			return c + " > " + ph, []any{t.after[i]}
		}
		rest, ra := expand(i + 1)
		return "(" + c + " > " + ph + " OR (" + c + " = " + ph + " AND " + rest + "))", append([]any{t.after[i], t.after[i]}, ra...)
	}
	rest, ra := expand(0)
	if len(cols) == 1 {
		return rest, ra
	}
	c0 := mysqlconn.Quote(cols[0].name) + " >= " + placeholder(cols[0].kind)
	return c0 + " AND " + rest, append([]any{t.after[0]}, ra...)
}

// countRows counts the rows a run will read, which also checks --where.
// w and args are the table's WHERE clause, from s.where.
func (s *Source) countRows(ctx context.Context, db *dbsql.DB, t *table, w string, args []any) error {
	var n int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+mysqlconn.Quote(t.name)+w, args...).Scan(&n); err != nil {
		if s.cfg.Where != "" {
			return s.errorf("%s: counting rows (is --where %q valid SQL?): %v", t.name, s.cfg.Where, err)
		}
		return s.errorf("%s: counting rows: %v", t.name, err)
	}
	if s.cfg.Limit > 0 && n > s.cfg.Limit {
		n = s.cfg.Limit
	}
	t.count = n
	return nil
}

// lineEncoder writes a page straight from the server's text, without the
// values of value and records.Encode: the hot path of the JSON lines
// (the default) and CSV formats.
type lineEncoder interface {
	begin(dst []byte) []byte // what a page starts with (CSV: its header)
	appendRow(dst []byte, cols []column, raw []dbsql.RawBytes) []byte
}

// page is one page of rows as read, key columns included.
type page struct {
	// rows are the page's rows, key columns included; in a format with a
	// lineEncoder (json lines, the default, and csv), data holds the page
	// already encoded and rows only the first and last rows' ordering
	// columns.
	rows [][]any
	data []byte
	n    int // rows in the page
	err  error
}

// read yields a table's pages. The next page is fetched while the current
// one is encoded and captured: its query needs only the last key read.
//
// counted waits for the rows of every table to be counted (t.count,
// used in the meta), and says whether that failed.
func (s *Source) read(ctx context.Context, db *dbsql.DB, t *table, counted func() error) iter.Seq2[connectors.Chunk, error] {
	return func(yield func(connectors.Chunk, error) bool) {
		ctx, cancel := context.WithCancel(ctx)
		pages := make(chan page, 2)
		defer func() {
			cancel()
			for range pages { // let the reader end before the connection closes
			}
		}()
		go s.fetch(ctx, db, t, pages)
		header := make([]string, t.keep)
		for i := range header {
			header[i] = t.sel[i].name
		}
		read := 0
		var cols []string
		for _, o := range t.order {
			cols = append(cols, t.sel[o].name)
		}
		for batch := 1; ; batch++ {
			p, ok := <-pages
			if !ok {
				return
			}
			if p.err != nil {
				yield(connectors.Chunk{}, p.err)
				return
			}
			if err := counted(); err != nil {
				yield(connectors.Chunk{}, err)
				return
			}
			batches := (t.count + s.rows - 1) / s.rows
			var out [][]any
			if p.data == nil {
				out = make([][]any, len(p.rows))
				for i, r := range p.rows {
					out[i] = r[:t.keep]
				}
			}
			c, err := s.chunk(t, p, header, out, read, batch, batches)
			if err != nil {
				yield(connectors.Chunk{}, err)
				return
			}
			first, last := p.rows[0], p.rows[len(p.rows)-1]
			if s.cfg.Incremental != "" {
				vals := make([]any, len(t.order))
				for i, o := range t.order {
					vals[i] = metaValue(last[o], true)
				}
				c.Meta["cursor"] = cursor{Columns: cols, Values: vals}
			}
			c.Meta["range"] = []any{t.keyOf(first), t.keyOf(last)}
			read += p.n
			if !yield(c, nil) {
				return
			}
		}
	}
}

// fetch reads a table's rows in key order, cut into pages of s.rows
// rows, into pages, and closes it after the last one or an error.
//
// One query streams the table, as mariadb-dump --quick does: the server
// walks the key's index once, without a statement, a plan and a round
// trip per page, and the pages cut from the stream hold the same rows as
// pages of "WHERE key > last ORDER BY key LIMIT rows" (the cursor a run
// resumes from is the same). Should the stream break after rows came
// (the connection lost, or net_write_timeout while the capture lagged),
// it is opened again after the last row read, at most maxResumes times.
func (s *Source) fetch(ctx context.Context, db *dbsql.DB, t *table, pages chan<- page) {
	defer close(pages)
	send := func(p page) bool {
		select {
		case pages <- p:
			return true
		case <-ctx.Done():
			return false
		}
	}
	sel := make([]string, len(t.sel))
	for i, c := range t.sel {
		sel[i] = mysqlconn.Quote(c.name)
	}
	order := make([]string, len(t.order))
	for i, o := range t.order {
		order[i] = mysqlconn.Quote(t.sel[o].name)
	}
	head := "SELECT " + strings.Join(sel, ", ") + " FROM " + mysqlconn.Quote(t.name)
	tail := " ORDER BY " + strings.Join(order, ", ")
	raw := make([]dbsql.RawBytes, len(t.sel))
	conv := newRawRow(len(t.sel))
	header := make([]string, t.keep)
	for i := range header {
		header[i] = t.sel[i].name
	}
	var enc lineEncoder // nil: the page's rows are encoded by records.Encode
	switch s.format {
	case records.JSON:
		enc = newJSONLines(header)
	case records.CSV:
		enc = newCSVLines(header)
	}
	var (
		got   [][]any // the page being cut (with enc: its first and last rows' order values)
		data  []byte  // with enc: the page being cut, encoded
		nrows int     // rows in the page being cut
		read  int     // rows read, sent or not
		last  []any   // without enc: the last row read
		// with enc: the ordering columns of the last row read
		lastRaw  = make([][]byte, len(t.order))
		lastNull = make([]bool, len(t.order))
		// size is the capacity of a page's data: the largest page's so
		// far and some, so that a page is not copied as it grows.
		size = 64 << 10
	)
	// lastRow returns the last row read as a row of t.sel's length with
	// its ordering columns set.
	lastRow := func() []any {
		if enc == nil {
			return last
		}
		order := make([][]byte, len(lastRaw))
		for i := range lastRaw {
			if !lastNull[i] {
				order[i] = append([]byte{}, lastRaw[i]...) // empty, not NULL
			}
		}
		return t.orderValues(spread(t, order))
	}
	flush := func() bool {
		if nrows == 0 {
			return true
		}
		if enc != nil {
			got = append(got, lastRow())
		}
		p := page{rows: got, data: data, n: nrows}
		size = max(size, len(data)+len(data)/8)
		got, data, nrows = nil, nil, 0
		return send(p)
	}
	for resumes := 0; ; resumes++ {
		w, args := s.where(t)
		q := head + w + tail
		if s.cfg.Limit > 0 {
			if s.cfg.Limit-read <= 0 {
				flush()
				return
			}
			q += " LIMIT ?"
			args = append(args, s.cfg.Limit-read)
		}
		got0 := read
		err := stream(ctx, db, q, args, func(vals []driver.Value) error {
			if err := conv.row(raw, vals); err != nil {
				return err
			}
			if enc == nil {
				row := make([]any, len(t.sel))
				for i, c := range t.sel {
					row[i] = value(c.kind, raw[i])
				}
				got = append(got, row)
				last = row
			} else {
				if data == nil {
					data = enc.begin(make([]byte, 0, size))
					got = append(got, t.orderValues(raw))
				}
				data = enc.appendRow(data, t.sel[:t.keep], raw)
				for i, o := range t.order {
					lastRaw[i], lastNull[i] = append(lastRaw[i][:0], raw[o]...), raw[o] == nil
				}
			}
			nrows++
			read++
			if nrows == s.rows && !flush() {
				return errStop
			}
			return nil
		})
		var bad badValue
		switch {
		case errors.Is(err, errStop):
			return
		case err == nil:
			flush()
			return
		case errors.As(err, &bad):
			send(page{err: s.errorf("%s: %v", t.name, err)})
			return
		}
		if ctx.Err() != nil || read == got0 || resumes == maxResumes {
			send(page{err: s.errorf("%s: %v", t.name, err)})
			return
		}
		// Resume after the last row read.
		row := lastRow()
		after := make([]any, len(t.order))
		for i, o := range t.order {
			if after[i], err = arg(t.sel[o].kind, row[o]); err != nil {
				send(page{err: s.errorf("%s: %v", t.name, err)})
				return
			}
		}
		t.after = after
	}
}

// maxResumes bounds how many times one table's stream is opened again
// after it broke.
const maxResumes = 10

// metaValue is a value as put in meta. The chain keeps meta as RFC 8785
// canonical JSON, whose numbers are doubles: an integer past 2^53 would
// change, so it goes in as a string; with strings set, every number does
// (a cursor is read back exactly, whatever its type).
func metaValue(v any, strings bool) any {
	n, ok := v.(json.Number)
	if !ok {
		return v
	}
	if !strings {
		if i, err := n.Int64(); err == nil && i >= -1<<53 && i <= 1<<53 {
			return n
		}
	}
	return n.String()
}

// orderValues returns a row of t.sel's length holding only the values of
// the ordering columns of raw (a whole row of the server's text).
func (t *table) orderValues(raw []dbsql.RawBytes) []any {
	row := make([]any, len(t.sel))
	for _, o := range t.order {
		row[o] = value(t.sel[o].kind, raw[o])
	}
	return row
}

// spread places the ordering columns' text back at their indexes in a
// whole row.
func spread(t *table, order [][]byte) []dbsql.RawBytes {
	raw := make([]dbsql.RawBytes, len(t.sel))
	for i, o := range t.order {
		raw[o] = order[i]
	}
	return raw
}

// keyOf returns a row's key: the value of a one-column key, or the list
// of the values of a composite one.
func (t *table) keyOf(row []any) any {
	n := len(t.pk)
	k := make([]any, n)
	for i, o := range t.order[len(t.order)-n:] {
		k[i] = metaValue(row[o], false)
	}
	if n == 1 {
		return k[0]
	}
	return k
}

// chunk encodes one page with its meta.
func (s *Source) chunk(t *table, p page, header []string, rows [][]any, read, batch, batches int) (connectors.Chunk, error) {
	data := p.data
	if data == nil {
		var err error
		if data, err = records.Encode(s.format, header, rows); err != nil {
			return connectors.Chunk{}, s.errorf("%s: %v", t.name, err)
		}
	}
	return connectors.Chunk{
		Data: data,
		Type: records.ContentType(s.format),
		Key:  s.Key(t.name),
		Meta: map[string]any{
			"host":    s.mysql.Addr,
			"db":      s.mysql.DBName,
			"table":   t.name,
			"columns": header,
			"pk":      t.pk,
			"rows":    []int{read + 1, read + p.n},
			"batch":   []int{batch, max(batch, batches)},
		},
		Records: p.n,
	}, nil
}
