package emit

import "strconv"

// generator makes the rows of one kind, one at a time.
type generator struct {
	o     Options
	rnd   *source // the values
	trick *source // which text fields Tricky spoils, and how
	times *source // the style of each timestamp (OddTimes)
	n     int64   // rows made so far
	row   row
	// price of each ticker after the last row (stocks).
	prices []int64
}

func newGenerator(o Options) *generator {
	g := &generator{
		o:     o,
		rnd:   newSource(o.Seed, streamValues+kindStream(o.Kind)),
		trick: newSource(o.Seed, streamTricky+kindStream(o.Kind)),
		times: newSource(o.Seed, streamTimes+kindStream(o.Kind)),
	}
	g.row.vals = make([]value, len(o.Kind.Columns()))
	g.row.buf = make([]byte, 0, 256)
	if o.Kind == Stocks {
		g.prices = make([]int64, len(tickers))
		for i, t := range tickers {
			g.prices[i] = t.cents
		}
	}
	return g
}

// kindStream keeps the kinds of one seed from drawing the same numbers.
func kindStream(k Kind) uint64 {
	for i, kk := range Kinds() {
		if k == kk {
			return uint64(i) << 32
		}
	}
	return 0
}

// next returns the next row; it is valid until the following call.
func (g *generator) next() *row {
	g.row.buf = g.row.buf[:0]
	g.row.place = placeColumn
	if g.o.OddTimes {
		g.row.place = jsonPlace(g.times.intn(jsonPlaces))
	}
	id := g.n + 1
	switch g.o.Kind {
	case Stocks:
		g.stock()
	case Contacts:
		g.contact(id)
	case Orders:
		g.order(id)
	case OrderUpdates:
		g.orderUpdate()
	}
	g.n++
	return &g.row
}

func (g *generator) stock() {
	day, k := g.n/int64(len(tickers)), int(g.n%int64(len(tickers)))
	// Integer basis points only: floating point could round differently
	// on another architecture and break determinism.
	prev := g.prices[k]
	open := prev + prev*g.rnd.between(-80, 80)/10000
	closing := open + open*(g.rnd.between(-250, 250)+g.rnd.between(-250, 250))/2/10000
	hi, lo := max(open, closing), min(open, closing)
	hi += hi * g.rnd.between(0, 150) / 10000
	lo -= lo * g.rnd.between(0, 150) / 10000
	closing = max(closing, 100) // a penny stock at worst
	g.prices[k] = closing
	g.setDate(0, stocksEpoch+day/5*7+day%5) // weekdays only
	g.setText(1, tickers[k].symbol)
	g.setCents(2, max(open, 100))
	g.setCents(3, max(hi, 100))
	g.setCents(4, max(lo, 100))
	g.setCents(5, closing)
	g.setInt(6, g.rnd.between(100_000, 50_000_000))
}

var (
	nameSpoilers    = []string{", Jr.", ` "The Boss"`, "\nc/o Front Desk", `, "Doc"` + "\n2nd floor"}
	companySpoilers = []string{", Inc.", ` "Holdings"`, "\nEMEA division", `, "Ltd", ` + "\nLondon office"}
	itemSpoilers    = []string{", large", ` 12" x 8"`, "\ngift note: \"Happy birthday!\"", `, "refurbished",` + "\nboxed"}
)

func (g *generator) contact(id int64) {
	first := firstNames[g.rnd.intn(len(firstNames))]
	last := lastNames[g.rnd.intn(len(lastNames))]
	domain := mailDomains[g.rnd.intn(len(mailDomains))]
	area := g.rnd.between(201, 989)
	line := g.rnd.between(100, 199) // 555-0100..0199 are fictional numbers
	company := companies[g.rnd.intn(len(companies))]

	g.setInt(0, id)

	lo := len(g.row.buf)
	g.row.buf = append(g.row.buf, first.name...)
	g.row.buf = append(g.row.buf, ' ')
	g.row.buf = append(g.row.buf, last.name...)
	g.endText(1, lo)
	g.spoil(1, nameSpoilers)

	lo = len(g.row.buf)
	g.row.buf = append(g.row.buf, first.mail...)
	g.row.buf = append(g.row.buf, '.')
	g.row.buf = append(g.row.buf, last.mail...)
	g.row.buf = strconv.AppendInt(g.row.buf, id, 10)
	g.row.buf = append(g.row.buf, '@')
	g.row.buf = append(g.row.buf, domain...)
	g.endText(2, lo)

	lo = len(g.row.buf)
	g.row.buf = append(g.row.buf, "+1-"...)
	g.row.buf = strconv.AppendInt(g.row.buf, area, 10)
	g.row.buf = append(g.row.buf, "-555-0"...)
	g.row.buf = strconv.AppendInt(g.row.buf, line, 10)
	g.endText(3, lo)

	g.setText(4, company)
	g.spoil(4, companySpoilers)
	g.setTime(5, contactCreated(g.o.Seed, id))
}

func (g *generator) order(id int64) {
	contact := 1 + g.rnd.intn(g.o.Contacts)
	p := products[g.rnd.intn(len(products))]
	qty := int64(1)
	if g.rnd.chance(1, 3) {
		qty += int64(g.rnd.intn(9))
	}
	price := p.cents + p.cents*g.rnd.between(-10, 10)/100
	g.setInt(0, id)
	g.setInt(1, int64(contact))
	g.setText(2, p.name)
	g.spoil(2, itemSpoilers)
	g.setInt(3, qty)
	g.setCents(4, price)
	g.setText(5, g.status())
	g.setTime(6, orderCreated(g.o.Seed, id))
}

func (g *generator) orderUpdate() {
	id := int64(1 + g.rnd.intn(g.o.Orders))
	g.setInt(0, id)
	g.setText(1, g.status())
	g.setTime(2, orderCreated(g.o.Seed, id)+g.rnd.between(60, 30*86400))
}

// status draws paid (70%), pending (20%) or refunded (10%).
func (g *generator) status() string {
	switch n := g.rnd.intn(10); {
	case n < 7:
		return "paid"
	case n < 9:
		return "pending"
	}
	return "refunded"
}

// orderCreated is when order id was placed: about a minute after order
// id-1, starting at 2026-01-01. It depends on the seed and id alone, so that
// updates can be dated after the order they update.
func orderCreated(seed uint64, id int64) int64 {
	return orderEpoch + id*60 + int64(mix(seed, uint64(id))%60)
}

// contactCreated is when contact id was created: about an hour after contact
// id-1, starting at 2025-01-01.
func contactCreated(seed uint64, id int64) int64 {
	return contactEpoch + id*3600 + int64(mix(^seed, uint64(id))%3600)
}

func (g *generator) setInt(i int, n int64)   { g.row.vals[i] = value{kind: intValue, n: n} }
func (g *generator) setCents(i int, n int64) { g.row.vals[i] = value{kind: centsValue, n: n} }
func (g *generator) setDate(i int, d int64)  { g.row.vals[i] = value{kind: dateValue, n: d} }

func (g *generator) setTime(i int, sec int64) {
	style := styleRFC3339
	if g.o.OddTimes {
		style = timeStyle(g.times.intn(timeStyles))
	}
	g.row.vals[i] = value{kind: timeValue, n: sec, style: style}
}

func (g *generator) setText(i int, s string) {
	lo := len(g.row.buf)
	g.row.buf = append(g.row.buf, s...)
	g.endText(i, lo)
}

func (g *generator) endText(i, lo int) {
	g.row.vals[i] = value{kind: textValue, lo: lo, hi: len(g.row.buf)}
}

// spoil, with Tricky, gives one text field in four one of the suffixes,
// which hold commas, double quotes and newlines.
func (g *generator) spoil(i int, suffixes []string) {
	if !g.o.Tricky || !g.trick.chance(1, 4) {
		return
	}
	v := g.row.vals[i]
	lo := len(g.row.buf)
	g.row.buf = append(g.row.buf, g.row.buf[v.lo:v.hi]...)
	g.row.buf = append(g.row.buf, suffixes[g.trick.intn(len(suffixes))]...)
	g.endText(i, lo)
}

func appendInt(b []byte, n int64) []byte { return strconv.AppendInt(b, n, 10) }
