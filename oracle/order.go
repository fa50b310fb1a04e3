package oracle

import (
	"cmp"
	"container/heap"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// ParseTime reads a document timestamp: RFC 3339 with any zone offset,
// epoch seconds or milliseconds (numbers, or strings of digits), and naive
// date-times ("2026-01-01 10:00:00", "2026-01-01T10:00:00",
// "2026-01-01"), which are read in zone tz (nil: UTC).
func ParseTime(v any, tz *time.Location) (time.Time, error) {
	if tz == nil {
		tz = time.UTC
	}
	switch x := v.(type) {
	case nil:
		return time.Time{}, errNoTime
	case time.Time:
		return x, nil
	case int:
		return epoch(float64(x)), nil
	case int64:
		return epoch(float64(x)), nil
	case uint64:
		return epoch(float64(x)), nil
	case float64:
		return epoch(x), nil
	case json.Number:
		return ParseTime(string(x), tz)
	case string:
		s := strings.TrimSpace(x)
		if s == "" {
			return time.Time{}, errNoTime
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil && !strings.ContainsAny(s, "-:") {
			return epoch(f), nil
		}
		for _, l := range zonedLayouts {
			if t, err := time.Parse(l, s); err == nil {
				return t, nil
			}
		}
		for _, l := range naiveLayouts {
			if t, err := time.ParseInLocation(l, s, tz); err == nil {
				return t, nil
			}
		}
		return time.Time{}, fmt.Errorf("unreadable time %q", x)
	}
	return time.Time{}, fmt.Errorf("unreadable time %v", v)
}

var errNoTime = errors.New("no time")

// epoch reads seconds, or milliseconds when the number is too large to be
// seconds of a plausible date (after 5138 AD).
func epoch(f float64) time.Time {
	if math.Abs(f) >= 1e11 {
		ms := int64(f)
		return time.UnixMilli(ms).UTC()
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC()
}

var zonedLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02 15:04:05.999999999 -0700",
	"2006-01-02 15:04:05.999999999 -0700 MST",
	time.RFC1123Z,
	time.RFC822Z,
}

var naiveLayouts = []string{
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04",
	"2006-01-02T15:04",
	"2006-01-02",
	"2006/01/02 15:04:05",
	"2006/01/02",
}

// docTime finds a record's time in the first of fields present. Several
// fields present with different instants is an error (a conflict).
func docTime(header []string, row []any, fields []string, tz *time.Location) (time.Time, string, error) {
	var found time.Time
	var from string
	for _, f := range fields {
		for i, h := range header {
			if h != f || row[i] == nil {
				continue
			}
			t, err := ParseTime(row[i], tz)
			if err != nil {
				if errors.Is(err, errNoTime) {
					continue
				}
				return time.Time{}, "unreadable time", fmt.Errorf("field %s: %v", f, err)
			}
			if from != "" && !t.Equal(found) {
				return time.Time{}, "conflicting times", fmt.Errorf("field %s says %s, field %s says %s", from, found.UTC().Format(time.RFC3339Nano), f, t.UTC().Format(time.RFC3339Nano))
			}
			if from == "" {
				found, from = t, f
			}
		}
	}
	if from == "" {
		return time.Time{}, "no time", fmt.Errorf("none of the fields %s holds a time", strings.Join(fields, ", "))
	}
	return found, "", nil
}

// item is one record on its way to the target.
type item struct {
	header []string // shared by the records of one asset
	row    []any
	mode   Mode
	at     recordAt
	ts     time.Time
}

// recordAt is where a record is on the chain.
type recordAt struct {
	Block  string `json:"block"`
	Height uint64 `json:"height"`
	Asset  int    `json:"asset_index"`
	Record int    `json:"record"`
	seq    int    // assets seen so far, the window's clock
}

func (a recordAt) pos() RecordPos {
	return RecordPos{Height: a.Height, Asset: a.Asset, Record: a.Record}
}

func (a recordAt) compare(b recordAt) int {
	return cmp.Or(cmp.Compare(a.Height, b.Height), cmp.Compare(a.Asset, b.Asset), cmp.Compare(a.Record, b.Record))
}

func (it *item) less(o *item) bool {
	if c := it.ts.Compare(o.ts); c != 0 {
		return c < 0
	}
	return it.at.compare(o.at) < 0
}

type itemHeap []*item

func (h itemHeap) Len() int           { return len(h) }
func (h itemHeap) Less(i, j int) bool { return h[i].less(h[j]) }
func (h itemHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *itemHeap) Push(x any)        { *h = append(*h, x.(*item)) }
func (h *itemHeap) Pop() any {
	old := *h
	it := old[len(old)-1]
	*h = old[:len(old)-1]
	return it
}

// orderer releases records in document-time order within a sliding window
// of assets: a record waits until the asset it came in leaves the window,
// so records up to window assets apart are put in time order (ties by
// chain position). A record older than one already released arrived too
// late: it is an exception, not applied.
type orderer struct {
	window   int
	pending  itemHeap
	last     map[int]*item // per asset seq: its greatest record
	seqs     []int         // assets in the window, oldest first
	released *item
	emit     func(*item) error
	late     func(*item, time.Time) error
}

func newOrderer(window int, emit func(*item) error, late func(*item, time.Time) error) *orderer {
	if window <= 0 {
		window = 20
	}
	return &orderer{window: window, last: map[int]*item{}, emit: emit, late: late}
}

// add takes the timed records of one asset (possibly none).
func (o *orderer) add(seq int, items []*item) error {
	var top *item
	for _, it := range items {
		if o.released != nil && it.ts.Before(o.released.ts) {
			if err := o.late(it, o.released.ts); err != nil {
				return err
			}
			continue
		}
		heap.Push(&o.pending, it)
		if top == nil || top.less(it) {
			top = it
		}
	}
	o.seqs = append(o.seqs, seq)
	if top != nil {
		o.last[seq] = top
	}
	for len(o.seqs) > o.window {
		if err := o.evict(); err != nil {
			return err
		}
	}
	return nil
}

// evict releases the oldest asset's records and everything before them.
func (o *orderer) evict() error {
	seq := o.seqs[0]
	o.seqs = o.seqs[1:]
	top, ok := o.last[seq]
	delete(o.last, seq)
	if !ok {
		return nil
	}
	for len(o.pending) > 0 && !top.less(o.pending[0]) {
		if err := o.pop(); err != nil {
			return err
		}
	}
	return nil
}

func (o *orderer) pop() error {
	it := heap.Pop(&o.pending).(*item)
	o.released = it
	return o.emit(it)
}

// flush releases everything pending, in order.
func (o *orderer) flush() error {
	for len(o.pending) > 0 {
		if err := o.pop(); err != nil {
			return err
		}
	}
	o.seqs, o.last = nil, map[int]*item{}
	return nil
}
