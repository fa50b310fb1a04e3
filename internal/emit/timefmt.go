package emit

import (
	"strconv"
	"time"
)

// timeStyle is how a timestamp is written. Plain runs use styleRFC3339 only;
// OddTimes draws one style per timestamp. Every style writes the same instant:
// naive styles are UTC wall-clock times without a zone, so an oracle whose
// default zone is UTC reads them back exactly.
type timeStyle uint8

const (
	styleRFC3339      timeStyle = iota // 2026-01-01T10:00:00Z
	styleEpochSeconds                  // 1767261600
	styleEpochMillis                   // 1767261600000
	styleNaive                         // 2026-01-01 10:00:00
	styleNaiveT                        // 2026-01-01T10:00:00
	styleOffset                        // 2026-01-01T15:30:00+05:30, one style per oddOffsets entry
)

// oddOffsets are the zone offsets, in seconds east of UTC, that OddTimes
// writes timestamps in: ordinary ones, half and quarter hours, and the
// extremes (+14:00, -12:00).
var oddOffsets = []int64{
	5*3600 + 30*60, -8 * 3600, 14 * 3600, -12 * 3600, 9*3600 + 45*60, -(3*3600 + 30*60), 0,
}

var timeStyles = int(styleOffset) + len(oddOffsets)

// Fixed starting points, so that output does not depend on the clock.
var (
	contactEpoch = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	orderEpoch   = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	stocksEpoch  = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Unix() / 86400 // a Monday, in days
)

// appendTime appends the instant sec (Unix seconds) in the given style.
func appendTime(b []byte, sec int64, style timeStyle) []byte {
	switch {
	case style == styleRFC3339:
		return append(appendCivil(b, sec, 'T'), 'Z')
	case style == styleEpochSeconds:
		return strconv.AppendInt(b, sec, 10)
	case style == styleEpochMillis:
		return strconv.AppendInt(b, sec*1000, 10)
	case style == styleNaive:
		return appendCivil(b, sec, ' ')
	case style == styleNaiveT:
		return appendCivil(b, sec, 'T')
	}
	off := oddOffsets[int(style-styleOffset)%len(oddOffsets)]
	b = appendCivil(b, sec+off, 'T')
	sign := byte('+')
	if off < 0 {
		sign, off = '-', -off
	}
	b = append(b, sign)
	b = append2(b, off/3600)
	b = append(b, ':')
	return append2(b, off%3600/60)
}

// isNumeric reports whether the style writes a number rather than a string
// (JSON writes it unquoted).
func (s timeStyle) isNumeric() bool { return s == styleEpochSeconds || s == styleEpochMillis }

// appendCivil appends sec as "YYYY-MM-DD?hh:mm:ss" in UTC, sep in place of
// the "?". It does by integer arithmetic what time.Time.AppendFormat does,
// some ten times faster, which the --bytes benchmark needs.
func appendCivil(b []byte, sec int64, sep byte) []byte {
	days, rem := sec/86400, sec%86400
	if rem < 0 {
		days, rem = days-1, rem+86400
	}
	b = appendDate(b, days)
	b = append(b, sep)
	b = append2(b, rem/3600)
	b = append(b, ':')
	b = append2(b, rem%3600/60)
	b = append(b, ':')
	return append2(b, rem%60)
}

// appendDate appends the day that is days after 1970-01-01 as YYYY-MM-DD,
// by Howard Hinnant's civil_from_days (years 0 to 9999).
func appendDate(b []byte, days int64) []byte {
	z := days + 719468
	era := z / 146097
	if z < 0 {
		era = (z - 146096) / 146097
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if mp >= 10 {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	b = append2(b, y/100)
	b = append2(b, y%100)
	b = append(b, '-')
	b = append2(b, m)
	b = append(b, '-')
	return append2(b, d)
}

// append2 appends n (0 to 99) as two digits.
func append2(b []byte, n int64) []byte {
	return append(b, byte('0'+n/10), byte('0'+n%10))
}

// appendCents appends an amount of cents as a decimal with two places.
func appendCents(b []byte, cents int64) []byte {
	if cents < 0 {
		b = append(b, '-')
		cents = -cents
	}
	b = strconv.AppendInt(b, cents/100, 10)
	b = append(b, '.')
	return append2(b, cents%100)
}
