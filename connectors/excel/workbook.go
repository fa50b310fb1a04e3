package excel

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strconv"
	"strings"

	"github.com/richardlehane/mscfb"
	"github.com/xuri/excelize/v2"
)

// Errors a workbook can fail to open with; they match with errors.Is.
var (
	// ErrNotWorkbook: the file is not an .xlsx workbook at all.
	ErrNotWorkbook = errors.New("not an .xlsx workbook")
	// ErrCorrupt: the file looks like an .xlsx workbook but cannot be read.
	ErrCorrupt = errors.New("corrupt or truncated .xlsx workbook")
	// ErrEncrypted: the workbook is password-protected and no password, or
	// a wrong one, was given.
	ErrEncrypted = errors.New("password-protected (encrypted) workbook")
	// ErrLegacyXLS: an Excel 97-2003 .xls workbook.
	ErrLegacyXLS = errors.New("legacy .xls workbook (Excel 97-2003); save it as .xlsx")
)

// oleMagic starts Compound File Binary files: encrypted .xlsx packages and
// legacy .xls workbooks.
var oleMagic = []byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}

// workbook is an opened .xlsx package: its sheets, number formats and
// shared strings. Sheet XML is streamed from the zip on demand.
type workbook struct {
	zr       *zip.Reader
	closer   io.Closer
	files    map[string]*zip.File // by lower-case name
	sheets   []sheetInfo
	date1904 bool
	styles   []numFmt // by cell style index (cellXfs)
	sst      []string
	sstPath  string
	sstRead  bool
}

type sheetInfo struct {
	name string
	part string // zip path of the worksheet XML; "" for chart sheets
}

// numFmt is what a cell style says about how to read a number.
type numFmt int

const (
	fmtNumber   numFmt = iota
	fmtDate            // a date (a time too when the value has one)
	fmtTime            // a time of day
	fmtDateTime        // a date and a time
)

// openWorkbook opens the .xlsx file at name. password decrypts an
// encrypted workbook.
func openWorkbook(name, password string) (*workbook, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	head := make([]byte, 8)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	var zr *zip.Reader
	var closer io.Closer = f
	switch {
	case bytes.Equal(head, oleMagic):
		raw, err := io.ReadAll(io.NewSectionReader(f, 0, fi.Size()))
		f.Close()
		if err != nil {
			return nil, err
		}
		closer = io.NopCloser(nil)
		pkg, err := decrypt(raw, password)
		if err != nil {
			return nil, err
		}
		if zr, err = zip.NewReader(bytes.NewReader(pkg), int64(len(pkg))); err != nil {
			return nil, fmt.Errorf("%w (decrypted: %v)", ErrCorrupt, err)
		}
	default:
		if zr, err = zip.NewReader(f, fi.Size()); err != nil {
			f.Close()
			if bytes.HasPrefix(head, []byte("PK")) {
				return nil, fmt.Errorf("%w (%v)", ErrCorrupt, err)
			}
			return nil, fmt.Errorf("%w (%v)", ErrNotWorkbook, err)
		}
	}
	wb := &workbook{zr: zr, closer: closer, files: make(map[string]*zip.File, len(zr.File))}
	for _, zf := range zr.File {
		wb.files[strings.ToLower(strings.ReplaceAll(zf.Name, `\`, "/"))] = zf
	}
	if err := wb.load(); err != nil {
		closer.Close()
		return nil, err
	}
	return wb, nil
}

// decrypt decrypts an encrypted package, or tells why it cannot.
func decrypt(raw []byte, password string) ([]byte, error) {
	doc, err := mscfb.New(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%w (%v)", ErrCorrupt, err)
	}
	encrypted, legacy := false, false
	for e, err := doc.Next(); err == nil; e, err = doc.Next() {
		switch e.Name {
		case "EncryptedPackage", "EncryptionInfo":
			encrypted = true
		case "Workbook", "Book":
			legacy = true
		}
	}
	switch {
	case !encrypted && legacy:
		return nil, ErrLegacyXLS
	case !encrypted:
		return nil, fmt.Errorf("%w (a compound file without an encrypted package)", ErrNotWorkbook)
	case password == "":
		return nil, fmt.Errorf("%w: give its password with --password", ErrEncrypted)
	}
	pkg, err := excelize.Decrypt(raw, &excelize.Options{Password: password})
	if err != nil || !bytes.HasPrefix(pkg, []byte("PK")) {
		return nil, fmt.Errorf("%w: wrong password, or an unsupported encryption", ErrEncrypted)
	}
	return pkg, nil
}

func (wb *workbook) Close() error { return wb.closer.Close() }

// open opens a part of the package by its path.
func (wb *workbook) open(name string) (io.ReadCloser, error) {
	zf, ok := wb.files[strings.ToLower(name)]
	if !ok {
		return nil, fmt.Errorf("%w: no part %s", ErrCorrupt, name)
	}
	r, err := zf.Open()
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrCorrupt, name, err)
	}
	return r, nil
}

func (wb *workbook) has(name string) bool {
	_, ok := wb.files[strings.ToLower(name)]
	return ok
}

// parse runs fn over the tokens of a part.
func (wb *workbook) parse(name string, fn func(s *scanner, k tokenKind) error) error {
	r, err := wb.open(name)
	if err != nil {
		return err
	}
	defer r.Close()
	s := newScanner(r)
	for {
		k, err := s.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: %s: %v", ErrCorrupt, name, err)
		}
		if err := fn(s, k); err != nil {
			return err
		}
	}
}

type relationship struct{ id, typ, target string }

// rels reads the relationships of part, with targets resolved to package
// paths.
func (wb *workbook) rels(part string) ([]relationship, error) {
	dir, file := path.Split(part)
	name := dir + "_rels/" + file + ".rels"
	if !wb.has(name) {
		return nil, nil
	}
	var out []relationship
	err := wb.parse(name, func(s *scanner, k tokenKind) error {
		if k == tokStart && s.is("Relationship") && s.attrString("TargetMode") != "External" {
			t := s.attrString("Target")
			if strings.HasPrefix(t, "/") {
				t = strings.TrimPrefix(t, "/")
			} else {
				t = path.Join(dir, t)
			}
			out = append(out, relationship{s.attrString("Id"), s.attrString("Type"), t})
		}
		return nil
	})
	return out, err
}

// load reads the workbook part, its relationships and styles.
func (wb *workbook) load() error {
	book := "xl/workbook.xml"
	top, err := wb.rels("")
	if err != nil {
		return err
	}
	for _, r := range top {
		if strings.HasSuffix(r.typ, "/officeDocument") {
			book = r.target
		}
	}
	if !wb.has(book) {
		return fmt.Errorf("%w (no %s in the zip)", ErrNotWorkbook, book)
	}
	rels, err := wb.rels(book)
	if err != nil {
		return err
	}
	byID := map[string]relationship{}
	stylesPart := ""
	for _, r := range rels {
		byID[r.id] = r
		switch {
		case strings.HasSuffix(r.typ, "/sharedStrings"):
			wb.sstPath = r.target
		case strings.HasSuffix(r.typ, "/styles"):
			stylesPart = r.target
		}
	}
	err = wb.parse(book, func(s *scanner, k tokenKind) error {
		if k != tokStart {
			return nil
		}
		switch {
		case s.is("workbookPr"):
			v := s.attrString("date1904")
			wb.date1904 = v == "1" || v == "true"
		case s.is("sheet"):
			r := byID[s.attrString("id")]
			si := sheetInfo{name: s.attrString("name")}
			if strings.HasSuffix(r.typ, "/worksheet") {
				si.part = r.target
			}
			wb.sheets = append(wb.sheets, si)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if stylesPart != "" && wb.has(stylesPart) {
		return wb.loadStyles(stylesPart)
	}
	return nil
}

// loadStyles reads which number format each cell style uses.
func (wb *workbook) loadStyles(part string) error {
	custom := map[int]string{}
	var xfs []int
	inXfs := false
	err := wb.parse(part, func(s *scanner, k tokenKind) error {
		switch {
		case k == tokStart && s.is("numFmt"):
			id, _ := strconv.Atoi(s.attrString("numFmtId"))
			custom[id] = s.attrString("formatCode")
		case k == tokStart && s.is("cellXfs"):
			inXfs = true
		case k == tokEnd && s.is("cellXfs"):
			inXfs = false
		case k == tokStart && inXfs && s.is("xf"):
			id, _ := strconv.Atoi(s.attrString("numFmtId"))
			xfs = append(xfs, id)
		}
		return nil
	})
	if err != nil {
		return err
	}
	wb.styles = make([]numFmt, len(xfs))
	for i, id := range xfs {
		code, ok := custom[id]
		if ok {
			wb.styles[i] = classifyFormat(code)
		} else {
			wb.styles[i] = builtinFormat(id)
		}
	}
	return nil
}

// sharedStrings reads the shared string table once, on first use. It is
// held in memory: its size is that of the workbook's distinct strings.
func (wb *workbook) sharedStrings() ([]string, error) {
	if wb.sstRead {
		return wb.sst, nil
	}
	wb.sstRead = true
	if wb.sstPath == "" || !wb.has(wb.sstPath) {
		if !wb.has("xl/sharedStrings.xml") {
			return nil, nil
		}
		wb.sstPath = "xl/sharedStrings.xml"
	}
	r, err := wb.open(wb.sstPath)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	s := newScanner(r)
	var buf []byte
	for {
		k, err := s.next()
		if err == io.EOF {
			return wb.sst, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrCorrupt, wb.sstPath, err)
		}
		if k == tokStart && s.is("si") {
			if buf, err = readRichText(s, buf[:0]); err != nil {
				return nil, fmt.Errorf("%w: %s: %v", ErrCorrupt, wb.sstPath, err)
			}
			wb.sst = append(wb.sst, string(appendOOXML(nil, buf)))
		}
	}
}

// readRichText reads the text of an <si> or <is> element whose start was
// just read: the <t> elements, plain or in runs, but not the phonetic
// guides (<rPh>).
func readRichText(s *scanner, dst []byte) ([]byte, error) {
	depth := 1
	for depth > 0 {
		k, err := s.next()
		if err != nil {
			return dst, unexpectedEOF(err)
		}
		switch k {
		case tokStart:
			switch {
			case s.is("t"):
				if dst, err = s.appendText(dst); err != nil {
					return dst, err
				}
			case s.is("rPh"), s.is("rPr"):
				if err := s.skip(); err != nil {
					return dst, err
				}
			default:
				depth++
			}
		case tokEnd:
			depth--
		}
	}
	return dst, nil
}

// builtinFormat classifies Excel's built-in number formats.
func builtinFormat(id int) numFmt {
	switch {
	case id >= 14 && id <= 17:
		return fmtDate
	case id >= 18 && id <= 21, id >= 45 && id <= 47:
		return fmtTime
	case id == 22:
		return fmtDateTime
	case id >= 27 && id <= 36, id >= 50 && id <= 58:
		return fmtDate // East Asian date formats
	}
	return fmtNumber
}

// classifyFormat tells dates and times from numbers by the letters of a
// format code outside its quoted text, escapes and [colour]/[$-locale]
// brackets: y and d make a date, h and s (and [h], [mm], [ss]) a time, and
// m is a month unless a time is there too. Only the first section (that
// of positive numbers) counts.
func classifyFormat(code string) numFmt {
	var y, d, m, h, s, elapsed bool
scan:
	for i := 0; i < len(code); i++ {
		c := code[i]
		switch c {
		case '"':
			j := strings.IndexByte(code[i+1:], '"')
			if j < 0 {
				break scan
			}
			i += j + 1
		case '\\', '_', '*':
			i++ // the next character is literal, or padding
		case '[':
			j := strings.IndexByte(code[i:], ']')
			if j < 0 {
				break scan
			}
			if in := strings.ToLower(code[i+1 : i+j]); in != "" && strings.Trim(in, "hms") == "" {
				elapsed = true
			}
			i += j
		case ';':
			break scan
		default:
			rest := strings.ToLower(code[i:])
			switch {
			case strings.HasPrefix(rest, "am/pm"):
				i += 4
				continue
			case strings.HasPrefix(rest, "a/p"):
				i += 2
				continue
			}
			switch c | 0x20 {
			case 'y':
				y = true
			case 'd':
				d = true
			case 'm':
				m = true
			case 'h':
				h = true
			case 's':
				s = true
			}
		}
	}
	clock := h || s || elapsed
	date := y || d || (m && !clock)
	switch {
	case date && clock:
		return fmtDateTime
	case date:
		return fmtDate
	case clock:
		return fmtTime
	}
	return fmtNumber
}
