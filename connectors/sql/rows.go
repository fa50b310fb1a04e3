package sql

import (
	"context"
	dbsql "database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// rawRow turns a row of the driver's values into the server's text, as
// a Scan into RawBytes would: the driver parses some columns (integers,
// floats) and database/sql prints them back. Text is not copied: it is
// valid until the next row, as a RawBytes is.
type rawRow struct {
	num [][]byte // per column: the buffer a parsed value is printed into
}

func newRawRow(cols int) *rawRow { return &rawRow{num: make([][]byte, cols)} }

// badValue is a driver value that no column should have: the read stops
// rather than resume.
type badValue struct{ v driver.Value }

func (b badValue) Error() string { return fmt.Sprintf("the driver returned a %T value", b.v) }

// row sets raw to vals' text, nil for NULL.
func (r *rawRow) row(raw []dbsql.RawBytes, vals []driver.Value) error {
	for i, v := range vals {
		switch x := v.(type) {
		case nil:
			raw[i] = nil
			continue
		case []byte:
			raw[i] = x
			continue
		case int64:
			r.num[i] = strconv.AppendInt(r.num[i][:0], x, 10)
		case uint64:
			r.num[i] = strconv.AppendUint(r.num[i][:0], x, 10)
		case float64:
			r.num[i] = strconv.AppendFloat(r.num[i][:0], x, 'g', -1, 64)
		case float32:
			r.num[i] = strconv.AppendFloat(r.num[i][:0], float64(x), 'g', -1, 32)
		case string:
			raw[i] = append([]byte{}, x...) // never nil: empty is not NULL
			continue
		default:
			return badValue{v}
		}
		raw[i] = r.num[i]
	}
	return nil
}

// errStop is returned by a stream's each to end the stream early.
var errStop = errors.New("stop")

// stream runs the query q on a connection of db's own and calls each with
// every row's values as the driver reads them; they are valid until each
// returns. It reads below database/sql (whose Rows lock, check and convert
// every value on the way) through the driver's own interfaces, as
// database/sql does: the text protocol without arguments, a prepared
// statement with them.
func stream(ctx context.Context, db *dbsql.DB, q string, args []any, each func([]driver.Value) error) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		rows, closeAll, err := query(ctx, dc, q, args)
		if err != nil {
			return err
		}
		defer closeAll()
		dest := make([]driver.Value, len(rows.Columns()))
		for {
			if err := rows.Next(dest); err != nil {
				if err == io.EOF {
					return nil
				}
				return err
			}
			if err := each(dest); err != nil {
				return err
			}
		}
	})
}

// query starts q on the driver's connection dc.
func query(ctx context.Context, dc any, q string, args []any) (driver.Rows, func(), error) {
	checker, _ := dc.(driver.NamedValueChecker)
	named := make([]driver.NamedValue, len(args))
	for i, a := range args {
		named[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
		if checker != nil {
			if err := checker.CheckNamedValue(&named[i]); err != nil {
				return nil, nil, fmt.Errorf("argument %d (%T): %w", i+1, a, err)
			}
		}
	}
	if qc, ok := dc.(driver.QueryerContext); ok {
		rows, err := qc.QueryContext(ctx, q, named)
		if !errors.Is(err, driver.ErrSkip) {
			if err != nil {
				return nil, nil, err
			}
			return rows, func() { rows.Close() }, nil
		}
	}
	pc, ok := dc.(driver.ConnPrepareContext)
	if !ok {
		return nil, nil, fmt.Errorf("the driver cannot prepare a statement (%T)", dc)
	}
	st, err := pc.PrepareContext(ctx, q)
	if err != nil {
		return nil, nil, err
	}
	sq, ok := st.(driver.StmtQueryContext)
	if !ok {
		st.Close()
		return nil, nil, fmt.Errorf("the driver's statement cannot query (%T)", st)
	}
	rows, err := sq.QueryContext(ctx, named)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return rows, func() { rows.Close(); st.Close() }, nil
}
