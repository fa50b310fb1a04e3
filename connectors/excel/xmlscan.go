package excel

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"
)

// scanner is a small non-validating XML tokenizer for the parts of an
// .xlsx package. encoding/xml allocates per token and costs about ten
// times more on a large sheet; this one reuses its buffers, reads text with
// bufio's memchr-backed ReadSlice, and hands out local names (namespace
// prefixes dropped), which is all the spreadsheet parts need.
//
// Tokens are valid until the next call to next. A self-closing tag is
// reported as a start followed by an end, so readers can treat both forms
// alike. Comments, processing instructions and DOCTYPE are skipped; CDATA
// is text (not unescaped).
type scanner struct {
	r *bufio.Reader

	kind  tokenKind
	name  []byte // local name of the current start or end tag
	attrs []attr // attributes of the current start tag (raw values)
	text  []byte // the current text token
	raw   bool   // text came from CDATA: no entities to decode

	selfClose bool // the last start tag ended in "/>"
	afterLT   bool // the '<' of the next tag was consumed with the text
	tag       []byte
	abuf      []byte
}

type tokenKind int

const (
	tokStart tokenKind = iota + 1
	tokEnd
	tokText
)

type attr struct {
	name, value []byte // local name; raw value (entities not decoded)
}

// errSyntax marks malformed XML.
var errSyntax = errors.New("malformed XML")

func newScanner(r io.Reader) *scanner {
	return &scanner{r: bufio.NewReaderSize(r, 64<<10)}
}

// next reads the next token; it returns io.EOF at the end of the input.
func (s *scanner) next() (tokenKind, error) {
	if s.selfClose {
		s.selfClose = false
		s.kind = tokEnd // s.name still holds the tag's name
		return tokEnd, nil
	}
	for {
		if !s.afterLT {
			text, err := s.readText()
			if len(text) > 0 {
				s.text, s.raw, s.kind = text, false, tokText
				if err == nil {
					s.afterLT = true
				}
				if err == nil || err == io.EOF {
					return tokText, nil
				}
			}
			if err != nil {
				return 0, err
			}
		}
		s.afterLT = false
		k, err := s.readTag()
		if err != nil {
			if err == io.EOF {
				err = fmt.Errorf("%w: unexpected end inside a tag", errSyntax)
			}
			return 0, err
		}
		if k != 0 {
			s.kind = k
			return k, nil
		}
	}
}

// readText returns the bytes up to the next '<' (consumed), or to the end
// of the input with io.EOF.
func (s *scanner) readText() ([]byte, error) {
	b, err := s.r.ReadSlice('<')
	if err == nil {
		return b[:len(b)-1], nil
	}
	if err != bufio.ErrBufferFull {
		s.text = append(s.text[:0], b...)
		return s.text, err
	}
	s.text = append(s.text[:0], b...)
	for {
		b, err = s.r.ReadSlice('<')
		if err == nil {
			s.text = append(s.text, b[:len(b)-1]...)
			return s.text, nil
		}
		s.text = append(s.text, b...)
		if err != bufio.ErrBufferFull {
			return s.text, err
		}
	}
}

// readTag reads a tag after its '<'. It returns 0 for skipped constructs.
func (s *scanner) readTag() (tokenKind, error) {
	c, err := s.r.ReadByte()
	if err != nil {
		return 0, err
	}
	switch c {
	case '/':
		b, err := s.readUntil('>')
		if err != nil {
			return 0, err
		}
		s.name = localName(bytes.TrimSpace(b))
		return tokEnd, nil
	case '?':
		return 0, s.skipPast("?>")
	case '!':
		p, _ := s.r.Peek(7)
		switch {
		case bytes.HasPrefix(p, []byte("--")):
			s.r.Discard(2)
			return 0, s.skipPast("-->")
		case bytes.Equal(p, []byte("[CDATA[")):
			s.r.Discard(7)
			if err := s.readPast("]]>"); err != nil {
				return 0, err
			}
			s.raw = true
			return tokText, nil
		}
		_, err := s.readUntil('>') // DOCTYPE and the like
		return 0, err
	}
	if err := s.r.UnreadByte(); err != nil {
		return 0, err
	}
	return tokStart, s.readStart()
}

// readStart reads a start tag's name and attributes.
func (s *scanner) readStart() error {
	s.tag, s.attrs, s.abuf = s.tag[:0], s.attrs[:0], s.abuf[:0]
	for {
		c, err := s.r.ReadByte()
		if err != nil {
			return err
		}
		if isSpace(c) || c == '/' || c == '>' {
			s.r.UnreadByte()
			break
		}
		s.tag = append(s.tag, c)
	}
	if len(s.tag) == 0 {
		return fmt.Errorf("%w: empty tag name", errSyntax)
	}
	s.name = localName(s.tag)
	// Attribute bytes go into abuf; their slices are taken once it no
	// longer grows.
	type span struct{ n0, n1, v0, v1 int }
	var spans [16]span
	sp := spans[:0]
	for {
		c, err := s.skipSpace()
		if err != nil {
			return err
		}
		switch c {
		case '>':
			for _, x := range sp {
				s.attrs = append(s.attrs, attr{localName(s.abuf[x.n0:x.n1]), s.abuf[x.v0:x.v1]})
			}
			return nil
		case '/':
			if c, err = s.r.ReadByte(); err != nil {
				return err
			}
			if c != '>' {
				return fmt.Errorf("%w: '/' not followed by '>' in <%s>", errSyntax, s.tag)
			}
			s.selfClose = true
			for _, x := range sp {
				s.attrs = append(s.attrs, attr{localName(s.abuf[x.n0:x.n1]), s.abuf[x.v0:x.v1]})
			}
			return nil
		}
		var x span
		x.n0 = len(s.abuf)
		for c != '=' && !isSpace(c) {
			if c == '>' || c == '/' || c == '<' {
				return fmt.Errorf("%w: attribute without a value in <%s>", errSyntax, s.tag)
			}
			s.abuf = append(s.abuf, c)
			if c, err = s.r.ReadByte(); err != nil {
				return err
			}
		}
		x.n1 = len(s.abuf)
		if isSpace(c) {
			if c, err = s.skipSpace(); err != nil {
				return err
			}
		}
		if c != '=' {
			return fmt.Errorf("%w: attribute without '=' in <%s>", errSyntax, s.tag)
		}
		q, err := s.skipSpace()
		if err != nil {
			return err
		}
		if q != '"' && q != '\'' {
			return fmt.Errorf("%w: unquoted attribute value in <%s>", errSyntax, s.tag)
		}
		v, err := s.readUntil(q)
		if err != nil {
			return err
		}
		x.v0 = len(s.abuf)
		s.abuf = append(s.abuf, v...)
		x.v1 = len(s.abuf)
		sp = append(sp, x)
	}
}

func (s *scanner) skipSpace() (byte, error) {
	for {
		c, err := s.r.ReadByte()
		if err != nil || !isSpace(c) {
			return c, err
		}
	}
}

// readUntil returns the bytes before delim (consumed). The slice is valid
// until the next read.
func (s *scanner) readUntil(delim byte) ([]byte, error) {
	b, err := s.r.ReadSlice(delim)
	if err == nil {
		return b[:len(b)-1], nil
	}
	if err != bufio.ErrBufferFull {
		return nil, err
	}
	buf := append([]byte(nil), b...)
	for {
		b, err = s.r.ReadSlice(delim)
		buf = append(buf, b...)
		if err == nil {
			return buf[:len(buf)-1], nil
		}
		if err != bufio.ErrBufferFull {
			return nil, err
		}
	}
}

// readPast reads up to and including end into s.text (without end).
func (s *scanner) readPast(end string) error {
	s.text = s.text[:0]
	last := end[len(end)-1]
	for {
		b, err := s.r.ReadSlice(last)
		s.text = append(s.text, b...)
		if err == nil && bytes.HasSuffix(s.text, []byte(end)) {
			s.text = s.text[:len(s.text)-len(end)]
			return nil
		}
		if err != nil && err != bufio.ErrBufferFull {
			if err == io.EOF {
				err = fmt.Errorf("%w: no closing %q", errSyntax, end)
			}
			return err
		}
	}
}

func (s *scanner) skipPast(end string) error {
	err := s.readPast(end)
	s.text = s.text[:0]
	return err
}

// skip reads past the end of the element whose start tag was just read.
func (s *scanner) skip() error {
	depth := 1
	for depth > 0 {
		k, err := s.next()
		if err != nil {
			return unexpectedEOF(err)
		}
		switch k {
		case tokStart:
			depth++
		case tokEnd:
			depth--
		}
	}
	return nil
}

// appendText reads the text of the element whose start tag was just read,
// up to its end, decoding entities, and appends it to dst. Nested elements
// add their text too.
func (s *scanner) appendText(dst []byte) ([]byte, error) {
	depth := 1
	for {
		k, err := s.next()
		if err != nil {
			return dst, unexpectedEOF(err)
		}
		switch k {
		case tokText:
			if s.raw {
				dst = append(dst, s.text...)
			} else {
				dst = appendUnescaped(dst, s.text)
			}
		case tokStart:
			depth++
		case tokEnd:
			if depth--; depth == 0 {
				return dst, nil
			}
		}
	}
}

// attr returns the raw value of the current start tag's attribute name.
func (s *scanner) attr(name string) ([]byte, bool) {
	for _, a := range s.attrs {
		if string(a.name) == name {
			return a.value, true
		}
	}
	return nil, false
}

// attrString returns the decoded value of an attribute, "" when absent.
func (s *scanner) attrString(name string) string {
	v, ok := s.attr(name)
	if !ok {
		return ""
	}
	if bytes.IndexByte(v, '&') < 0 {
		return string(v)
	}
	return string(appendUnescaped(nil, v))
}

func (s *scanner) is(name string) bool { return string(s.name) == name }

func unexpectedEOF(err error) error {
	if err == io.EOF {
		return fmt.Errorf("%w: unexpected end of the document", errSyntax)
	}
	return err
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// localName drops a namespace prefix, as encoding/xml does: only from
// names with one colon and text on both sides of it.
func localName(b []byte) []byte {
	i := bytes.IndexByte(b, ':')
	if i <= 0 || i == len(b)-1 || bytes.IndexByte(b[i+1:], ':') >= 0 {
		return b
	}
	return b[i+1:]
}

// appendUnescaped appends src to dst with XML entities and character
// references decoded and line ends normalized to "\n". Unknown entities
// stay as they are.
func appendUnescaped(dst, src []byte) []byte {
	for len(src) > 0 {
		i := bytes.IndexAny(src, "&\r")
		if i < 0 {
			return append(dst, src...)
		}
		dst = append(dst, src[:i]...)
		src = src[i:]
		if src[0] == '\r' {
			dst = append(dst, '\n')
			src = src[1:]
			if len(src) > 0 && src[0] == '\n' {
				src = src[1:]
			}
			continue
		}
		semi := bytes.IndexByte(src, ';')
		if semi < 0 || semi > 12 {
			dst = append(dst, '&')
			src = src[1:]
			continue
		}
		ent := src[1:semi]
		switch string(ent) {
		case "lt":
			dst = append(dst, '<')
		case "gt":
			dst = append(dst, '>')
		case "amp":
			dst = append(dst, '&')
		case "quot":
			dst = append(dst, '"')
		case "apos":
			dst = append(dst, '\'')
		default:
			r, ok := charRef(ent)
			if !ok {
				dst = append(dst, '&')
				src = src[1:]
				continue
			}
			dst = utf8.AppendRune(dst, r)
		}
		src = src[semi+1:]
	}
	return dst
}

// charRef decodes "#65" or "#x41".
func charRef(ent []byte) (rune, bool) {
	if len(ent) < 2 || ent[0] != '#' {
		return 0, false
	}
	var n uint64
	var err error
	if ent[1] == 'x' || ent[1] == 'X' {
		n, err = strconv.ParseUint(string(ent[2:]), 16, 32)
	} else {
		n, err = strconv.ParseUint(string(ent[1:]), 10, 32)
	}
	if err != nil || n > utf8.MaxRune {
		return 0, false
	}
	return rune(n), true
}

// appendOOXML decodes the spreadsheet escapes of control characters in
// text (_x000D_ for a carriage return; _x005F_ escapes an underscore that
// would otherwise start such an escape).
func appendOOXML(dst, src []byte) []byte {
	for len(src) > 0 {
		i := bytes.Index(src, []byte("_x"))
		if i < 0 || len(src)-i < 7 {
			return append(dst, src...)
		}
		dst = append(dst, src[:i]...)
		src = src[i:]
		n, err := strconv.ParseUint(string(src[2:6]), 16, 16)
		if err != nil || src[6] != '_' {
			dst = append(dst, src[0])
			src = src[1:]
			continue
		}
		if n == 0x5F && len(src) >= 14 && bytes.HasPrefix(src[7:], []byte("_x")) && src[13] == '_' {
			// _x005F_xHHHH_ is the literal text _xHHHH_.
			dst = append(dst, src[7:14]...)
			src = src[14:]
			continue
		}
		dst = utf8.AppendRune(dst, rune(n))
		src = src[7:]
	}
	return dst
}
