package emit

import (
	"errors"
	"fmt"
)

// Default reference ranges of the CRM kinds: orders point at contacts
// 1..DefaultContacts and updates at orders 1..DefaultOrders, so
// "contacts --rows 100", "orders --rows 1000" and "order_updates" join with
// no further settings.
const (
	DefaultContacts = 100
	DefaultOrders   = 1000
)

// Options say what rows to generate. The zero value asks for the header of
// the orders table alone, with seed 0.
type Options struct {
	// Kind is the table to generate; empty means Orders.
	Kind Kind
	// Seed selects the data; the same seed gives the same bytes. Zero is a
	// seed like any other (the emitter CLI defaults to 1).
	Seed uint64
	// Rows is the number of data rows, not counting the header.
	Rows int64
	// Bytes, when positive, replaces Rows: rows are written as long as the
	// output, header included, stays within Bytes, so it ends less than one
	// row short of it. The header is written even when it alone is larger.
	Bytes int64
	// Tricky puts commas, double quotes and newlines into some text fields
	// (names and companies of contacts, items of orders).
	Tricky bool
	// OddTimes writes timestamps in varied formats; see the package doc.
	OddTimes bool
	// Contacts is the number of contacts orders point at (ids 1..Contacts);
	// zero means DefaultContacts.
	Contacts int
	// Orders is the number of orders updates point at (ids 1..Orders);
	// zero means DefaultOrders.
	Orders int
}

// withDefaults returns the options with their defaults filled in, or an
// error for options that cannot be used.
func (o Options) withDefaults() (Options, error) {
	if o.Kind == "" {
		o.Kind = Orders
	}
	if _, err := ParseKind(string(o.Kind)); err != nil {
		return o, err
	}
	if o.Rows < 0 {
		return o, fmt.Errorf("rows %d is negative", o.Rows)
	}
	if o.Bytes < 0 {
		return o, fmt.Errorf("bytes %d is negative", o.Bytes)
	}
	if o.Contacts < 0 || o.Orders < 0 {
		return o, errors.New("contacts and orders must not be negative")
	}
	if o.Contacts == 0 {
		o.Contacts = DefaultContacts
	}
	if o.Orders == 0 {
		o.Orders = DefaultOrders
	}
	return o, nil
}
