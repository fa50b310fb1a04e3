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
	pemRE = regexp.MustCompile(`-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----`)
	// awsRE is what literals finds (FuzzLiterals holds them to agree).
	awsRE = regexp.MustCompile(`\b(?:AKIA|ASIA)[0-9A-Z]{16}\b`)
)

// Scan returns one Finding per kind found in data, in the order above.
// Numbers (SSNs, cards) are found in one pass over the bytes; the
// regular expressions run only where a cheap check says they may match.
func Scan(data []byte) []Finding {
	var out []Finding
	ssn, card := scanNumbers(data)
	if ssn >= 0 {
		out = append(out, Finding{"ssn", line(data, ssn)})
	}
	if card >= 0 {
		out = append(out, Finding{"card", line(data, card)})
	}
	aws, pem := literals(data)
	if pem {
		if loc := pemRE.FindIndex(data); loc != nil {
			out = append(out, Finding{"private-key", line(data, loc[0])})
		}
	}
	if aws >= 0 {
		out = append(out, Finding{"aws-key", line(data, aws)})
	}
	return out
}

// pemLiteral is the part of every PEM private key header that Scan looks
// for before it runs pemRE.
var pemLiteral = []byte("PRIVATE KEY-----")

// literals returns the offset of the first AWS access key id in data (what
// awsRE finds, or -1) and whether data holds pemLiteral, in one pass that
// stops at each 'I', the third byte of AKIA, ASIA and pemLiteral alike:
// searching for each literal's first byte would stop twice as often
// (every 128th byte of random input), and the regular expression over all
// of data, run because an AKIA occurs in a MiB of random bytes by chance,
// took longer than the rest of Scan.
func literals(data []byte) (aws int, pem bool) {
	aws = -1
	for i := 2; i < len(data); i++ {
		j := bytes.IndexByte(data[i:], 'I')
		if j < 0 {
			break
		}
		i += j
		s := i - 2 // where the literal would start
		if aws < 0 && awsKeyAt(data, s) {
			aws = s
		} else if !pem && data[s] == 'P' && bytes.HasPrefix(data[s:], pemLiteral) {
			pem = true
		} else {
			continue
		}
		if aws >= 0 && pem {
			break
		}
	}
	return aws, pem
}

// awsKeyAt reports whether an AWS access key id starts at data[s]: AKIA or
// ASIA and 16 of [0-9A-Z], with no word character on either side.
func awsKeyAt(data []byte, s int) bool {
	end := s + 20
	if end > len(data) || data[s] != 'A' || data[s+1] != 'K' && data[s+1] != 'S' || data[s+2] != 'I' || data[s+3] != 'A' {
		return false
	}
	if s > 0 && isWord(data[s-1]) || end < len(data) && isWord(data[end]) {
		return false
	}
	for _, c := range data[s+4 : end] {
		if !isDigit(c) && (c < 'A' || c > 'Z') {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isWord(c byte) bool {
	return isDigit(c) || 'a' <= c|0x20 && c|0x20 <= 'z' || c == '_'
}

// minNumber is the length of the shortest number Scan reports: an SSN,
// ddd-dd-dddd, has 11 characters; a card number has at least 13.
const minNumber = 11

// numberChars tells the bytes that may be part of a number: digits, and
// spaces and dashes (between digits). A table: one load instead of three
// branches, which the bytes of real data make hard to predict.
var numberChars = func() (t [256]bool) {
	for c := range t {
		t[c] = isDigit(byte(c)) || c == ' ' || c == '-'
	}
	return t
}()

// scanNumbers returns the offsets of the first SSN and the first card
// number in data (-1 when none). A number is a run of digits, single
// spaces or dashes between digits allowed, with no letter, digit or
// underscore on either side (as \b would say).
//
// A number long enough to report lies in a stretch of at least minNumber
// number characters, so the scan looks at windows of minNumber bytes,
// from their end (as Boyer-Moore does): a byte that is not a number
// character rules out every window that holds it, and the next window
// starts after it. Only a window made of number characters is widened to
// its stretch and scanned for numbers. On CSV full of short numbers (ids,
// prices, dates) that reads a quarter of the bytes and scans almost
// none: about four times as fast as reading every byte
// (BenchmarkScanNumericCSV: 1,670 MB/s against 376), finding the same
// numbers (FuzzScanNumbers checks it against the byte-by-byte scan).
func scanNumbers(data []byte) (ssn, card int) {
	ssn, card = -1, -1
	// The window is data[p-minNumber+1 : p+1].
	for p := minNumber - 1; p < len(data); {
		q := p
		for q > p-minNumber && numberChars[data[q]] {
			q--
		}
		if q > p-minNumber {
			p = q + minNumber
			continue
		}
		// The window is number characters: widen it to its stretch.
		lo, hi := p-minNumber+1, p+1
		for lo > 0 && numberChars[data[lo-1]] {
			lo--
		}
		for hi < len(data) && numberChars[data[hi]] {
			hi++
		}
		if ssn, card = scanRuns(data, lo, hi, ssn, card); ssn >= 0 && card >= 0 {
			return ssn, card
		}
		p = hi + minNumber // data[hi] is not a number character
	}
	return ssn, card
}

// scanRuns looks for the first SSN and card number (those not found yet,
// ssn or card -1) in the numbers that start in data[lo:hi], a stretch of
// number characters (so data[lo-1] is none and no number crosses lo).
func scanRuns(data []byte, lo, hi, ssn, card int) (int, int) {
	for i := lo; i < hi; i++ {
		if !isDigit(data[i]) || (i > 0 && isWord(data[i-1])) {
			continue
		}
		start, end := i, i
		for end < len(data) {
			if isDigit(data[end]) {
				end++
			} else if (data[end] == ' ' || data[end] == '-') && end+1 < len(data) && isDigit(data[end+1]) {
				end++
			} else {
				break
			}
		}
		i = end
		if end < len(data) && isWord(data[end]) {
			continue
		}
		run := data[start:end]
		if ssn < 0 && isSSN(run) {
			ssn = start
		}
		if card < 0 && luhn(run) {
			card = start
		}
		if ssn >= 0 && card >= 0 {
			break
		}
	}
	return ssn, card
}

// isSSN reports whether run is ddd-dd-dddd with numbers the SSA issues
// (area not 000, 666 or 9xx; group not 00; serial not 0000).
func isSSN(run []byte) bool {
	if len(run) != 11 || run[3] != '-' || run[6] != '-' {
		return false
	}
	for i, c := range run {
		if i != 3 && i != 6 && !isDigit(c) {
			return false
		}
	}
	area, group, serial := string(run[:3]), string(run[4:6]), string(run[7:])
	return area != "000" && area != "666" && area[0] != '9' && group != "00" && serial != "0000"
}

// luhn checks the Luhn digit of a number written with optional spaces or
// dashes, that it has 13 to 19 digits, and that it starts like a card of a
// major network (Amex 34/37, Visa 4, Mastercard 51-55 and 2221-2720,
// Discover 6011/65, JCB 35, Diners 36/38), so that timestamps in
// milliseconds and other long numbers are not taken for cards.
func luhn(s []byte) bool {
	if len(s) < 13 {
		return false
	}
	var prefix [4]byte
	n := 0
	for _, c := range s {
		if isDigit(c) {
			prefix[n] = c
			if n++; n == 4 {
				break
			}
		}
	}
	if n < 4 || !cardPrefix(string(prefix[:])) {
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
