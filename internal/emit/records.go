package emit

import (
	"fmt"
	"iter"
)

// Records yields the data rows CSV writes for o, as the fields encoding/csv
// reads back, so that a test can compare what went through BlockHub with
// what was generated without parsing the CSV. Bytes bounds the rows as it
// does for CSV. For options CSV would refuse, it yields the error and stops.
func Records(o Options) iter.Seq2[[]string, error] {
	return func(yield func([]string, error) bool) {
		o, err := o.withDefaults()
		if err != nil {
			yield(nil, fmt.Errorf("records: %w", err))
			return
		}
		f := csvFormat{o.Kind}
		written := int64(len(f.appendHeader(nil)))
		g := newGenerator(o)
		var line, field []byte
		for i := int64(0); o.Bytes > 0 || i < o.Rows; i++ {
			r := g.next()
			if o.Bytes > 0 {
				line = f.appendRow(line[:0], r)
				if written+int64(len(line)) > o.Bytes {
					return
				}
				written += int64(len(line))
			}
			rec := make([]string, len(r.vals))
			for j, v := range r.vals {
				field = r.appendPlain(field[:0], v)
				rec[j] = string(field)
			}
			if !yield(rec, nil) {
				return
			}
		}
	}
}
