package excel

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"
)

// lastRow returns the number of the last row element of a worksheet (0
// for a sheet without rows), so that a run knows its number of chunks
// before it reads the rows. It looks at tag names only, which is several
// times faster than reading the cells: '<' cannot appear inside text or
// attribute values, so every '<' starts a tag. (A comment or CDATA section
// holding "<row" would fool it; spreadsheet writers put none in sheet data.)
func (wb *workbook) lastRow(si sheetInfo) (int, error) {
	rc, err := wb.open(si.part)
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	n, err := lastRowOf(rc)
	if err != nil {
		return 0, fmt.Errorf("%w: sheet %s: %v", ErrCorrupt, si.name, err)
	}
	return n, nil
}

// lastRowOf scans a worksheet's XML for its last row number.
func lastRowOf(r io.Reader) (int, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	row, inData := 0, false
	for {
		if err := skipTo(br, '<'); err != nil {
			if err == io.EOF {
				return row, nil
			}
			return 0, err
		}
		tag, err := br.ReadSlice('>')
		if err == bufio.ErrBufferFull {
			continue // a huge tag is no row tag; resume at the next '<'
		}
		if err != nil {
			if err == io.EOF {
				return row, nil
			}
			return 0, err
		}
		end := bytes.IndexAny(tag, " \t\r\n/>")
		if end == 0 && tag[0] == '/' {
			if inData && string(localName(bytes.TrimSpace(tag[1:len(tag)-1]))) == "sheetData" {
				return row, nil
			}
			continue
		}
		if end < 0 {
			continue
		}
		switch string(localName(tag[:end])) {
		case "sheetData":
			inData = !bytes.HasSuffix(tag, []byte("/>"))
		case "row":
			if !inData {
				continue
			}
			if n, ok := rowAttr(tag[end:]); ok {
				row = n
			} else {
				row++
			}
		}
	}
}

// skipTo discards input up to and including the byte c.
func skipTo(br *bufio.Reader, c byte) error {
	for {
		_, err := br.ReadSlice(c)
		if err != bufio.ErrBufferFull {
			return err
		}
	}
}

// rowAttr finds the r="N" attribute in the rest of a row tag.
func rowAttr(b []byte) (int, bool) {
	for i := 0; i+3 < len(b); i++ {
		if !isSpace(b[i]) || b[i+1] != 'r' {
			continue
		}
		j := i + 2
		for j < len(b) && isSpace(b[j]) {
			j++
		}
		if j >= len(b) || b[j] != '=' {
			continue
		}
		j++
		for j < len(b) && isSpace(b[j]) {
			j++
		}
		if j >= len(b) || b[j] != '"' && b[j] != '\'' {
			continue
		}
		q := b[j]
		k := bytes.IndexByte(b[j+1:], q)
		if k < 0 {
			return 0, false
		}
		n, err := strconv.Atoi(string(b[j+1 : j+1+k]))
		return n, err == nil
	}
	return 0, false
}
