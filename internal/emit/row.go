package emit

// valueKind is the type of one generated field.
type valueKind uint8

const (
	textValue  valueKind = iota // bytes in row.buf
	intValue                    // n
	centsValue                  // n cents, written with two decimals
	timeValue                   // n Unix seconds, written in style
	dateValue                   // n days after 1970-01-01
)

// value is one field of a row. Text lives in the row's buffer, so that
// generating a row allocates nothing.
type value struct {
	kind   valueKind
	style  timeStyle
	n      int64
	lo, hi int
}

// row is one generated record.
type row struct {
	vals []value
	buf  []byte
	// place is where JSON puts the row's timestamps (OddTimes only).
	place jsonPlace
	// day and date cache the last YYYY-MM-DD written: rows come in time
	// order, so most timestamps fall on the day before.
	day  int64
	date [10]byte
}

func (r *row) text(v value) []byte { return r.buf[v.lo:v.hi] }

// appendPlain appends v as it reads unquoted: the field of a CSV record.
func (r *row) appendPlain(b []byte, v value) []byte {
	switch v.kind {
	case textValue:
		return append(b, r.text(v)...)
	case centsValue:
		return appendCents(b, v.n)
	case timeValue:
		if v.style == styleRFC3339 {
			return r.appendRFC3339(b, v.n)
		}
		return appendTime(b, v.n, v.style)
	case dateValue:
		return appendDate(b, v.n)
	}
	return appendInt(b, v.n)
}

// appendRFC3339 is appendTime(b, sec, styleRFC3339), with the date cached.
func (r *row) appendRFC3339(b []byte, sec int64) []byte {
	days, rem := sec/86400, sec%86400
	if rem < 0 {
		days, rem = days-1, rem+86400
	}
	if days != r.day || r.date[0] == 0 {
		appendDate(r.date[:0], days)
		r.day = days
	}
	b = append(b, r.date[:]...)
	b = append(b, 'T')
	b = append2(b, rem/3600)
	b = append(b, ':')
	b = append2(b, rem%3600/60)
	b = append(b, ':')
	b = append2(b, rem%60)
	return append(b, 'Z')
}
