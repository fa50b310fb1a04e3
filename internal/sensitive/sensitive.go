// Package sensitive finds data that should not be captured by accident:
// US social security numbers, payment card numbers (Luhn-checked), PEM
// private keys and AWS access key ids. Connectors' runner calls Scan on
// every chunk unless --sensitive=off.
package sensitive

import (
	"bytes"
	"regexp"
)

// Finding is one kind of sensitive data found, with the 1-based line of
// its first occurrence in the chunk.
type Finding struct {
	Kind string `json:"kind"` // ssn, card, private-key, aws-key
	Line int    `json:"line"`
}

var (
	ssnRE  = regexp.MustCompile(`\b([0-9]{3})-([0-9]{2})-([0-9]{4})\b`)
	cardRE = regexp.MustCompile(`\b[0-9](?:[ -]?[0-9]){12,18}\b`)
	pemRE  = regexp.MustCompile(`-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----`)
	awsRE  = regexp.MustCompile(`\b(?:AKIA|ASIA)[0-9A-Z]{16}\b`)
)

// Scan returns one Finding per kind found in data, in the order above.
func Scan(data []byte) []Finding {
	var out []Finding
	if loc := firstSSN(data); loc >= 0 {
		out = append(out, Finding{"ssn", line(data, loc)})
	}
	if loc := firstCard(data); loc >= 0 {
		out = append(out, Finding{"card", line(data, loc)})
	}
	if loc := pemRE.FindIndex(data); loc != nil {
		out = append(out, Finding{"private-key", line(data, loc[0])})
	}
	if loc := awsRE.FindIndex(data); loc != nil {
		out = append(out, Finding{"aws-key", line(data, loc[0])})
	}
	return out
}

// firstSSN skips numbers the SSA never issues (area 000, 666, 9xx; group
// 00; serial 0000).
func firstSSN(data []byte) int {
	for _, m := range ssnRE.FindAllSubmatchIndex(data, -1) {
		area, group, serial := data[m[2]:m[3]], data[m[4]:m[5]], data[m[6]:m[7]]
		if string(area) == "000" || string(area) == "666" || area[0] == '9' ||
			string(group) == "00" || string(serial) == "0000" {
			continue
		}
		return m[0]
	}
	return -1
}

func firstCard(data []byte) int {
	for _, m := range cardRE.FindAllIndex(data, -1) {
		if luhn(data[m[0]:m[1]]) {
			return m[0]
		}
	}
	return -1
}

// luhn checks the Luhn digit of a number written with optional spaces or
// dashes, that it has 13 to 19 digits, and that it starts like a card of a
// major network (Amex 34/37, Visa 4, Mastercard 51-55 and 2221-2720,
// Discover 6011/65, JCB 35, Diners 36/38), so that timestamps in
// milliseconds and other long numbers are not taken for cards.
func luhn(s []byte) bool {
	var digits []byte
	for _, c := range s {
		if c >= '0' && c <= '9' {
			digits = append(digits, c)
		}
	}
	if len(digits) < 4 || !cardPrefix(string(digits[:4])) {
		return false
	}
	sum, n, double := 0, 0, false
	for i := len(s) - 1; i >= 0; i-- {
		c := s[i]
		if c < '0' || c > '9' {
			continue
		}
		d := int(c - '0')
		if double {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
		n++
		double = !double
	}
	return n >= 13 && n <= 19 && sum%10 == 0
}

func line(data []byte, off int) int { return bytes.Count(data[:off], []byte("\n")) + 1 }

func cardPrefix(p string) bool {
	switch {
	case p[0] == '4':
		return true
	case p[:2] >= "51" && p[:2] <= "55", p >= "2221" && p <= "2720":
		return true
	case p[:2] == "34", p[:2] == "37", p[:2] == "35", p[:2] == "36", p[:2] == "38":
		return true
	case p == "6011", p[:2] == "65":
		return true
	}
	return false
}
