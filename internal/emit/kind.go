package emit

import (
	"fmt"
	"strings"
)

// Kind names a table of generated data.
type Kind string

// The kinds of data there are.
const (
	// Stocks are daily quotes for a few symbols: date,symbol,open,high,low,close,volume.
	Stocks Kind = "stocks"
	// Contacts are CRM contacts with ids 1..n: id,name,email,phone,company,created_at.
	Contacts Kind = "contacts"
	// Orders have ids 1..n and point at contacts:
	// order_id,contact_id,item,qty,price,status,created_at.
	Orders Kind = "orders"
	// OrderUpdates change the status of orders: order_id,status,updated_at.
	OrderUpdates Kind = "order_updates"
)

// Kinds returns every kind, in a fixed order.
func Kinds() []Kind { return []Kind{Stocks, Contacts, Orders, OrderUpdates} }

// ParseKind returns the kind named s, or an error listing the kinds there are.
func ParseKind(s string) (Kind, error) {
	for _, k := range Kinds() {
		if string(k) == s {
			return k, nil
		}
	}
	names := make([]string, 0, 4)
	for _, k := range Kinds() {
		names = append(names, string(k))
	}
	return "", fmt.Errorf("unknown kind %q (want one of %s)", s, strings.Join(names, ", "))
}

// Columns returns the names of the kind's columns, as in a CSV header.
// It returns nil for an unknown kind.
func (k Kind) Columns() []string {
	switch k {
	case Stocks:
		return []string{"date", "symbol", "open", "high", "low", "close", "volume"}
	case Contacts:
		return []string{"id", "name", "email", "phone", "company", "created_at"}
	case Orders:
		return []string{"order_id", "contact_id", "item", "qty", "price", "status", "created_at"}
	case OrderUpdates:
		return []string{"order_id", "status", "updated_at"}
	}
	return nil
}

// Statuses returns the statuses an order or an order update may have.
func Statuses() []string { return []string{"paid", "pending", "refunded"} }
