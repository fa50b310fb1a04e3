package excel

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

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

// openWorkbook opens the .xlsx file at name with excelize; password
// decrypts an encrypted workbook. Its errors match ErrNotWorkbook,
// ErrCorrupt, ErrEncrypted or ErrLegacyXLS, so that a user is told what
// the file is rather than excelize's "unsupported workbook file format".
func openWorkbook(name, password string) (*excelize.File, error) {
	head, err := readHead(name)
	if err != nil {
		return nil, err
	}
	compound := bytes.Equal(head, oleMagic)
	if compound {
		if err := checkCompound(name, password); err != nil {
			return nil, err
		}
	}
	f, err := excelize.OpenFile(name, excelize.Options{Password: password})
	switch {
	case err == nil:
	case compound:
		// excelize says ErrWorkbookFileFormat or ErrWorkbookPassword when
		// it cannot decrypt the package.
		return nil, fmt.Errorf("%w: wrong password, or an unsupported encryption", ErrEncrypted)
	case errors.Is(err, excelize.ErrWorkbookPassword):
		// excelize's answer to a file that is no zip when a password is
		// given: the file is not encrypted.
		if bytes.HasPrefix(head, []byte("PK")) {
			return nil, fmt.Errorf("%w (%v)", ErrCorrupt, zip.ErrFormat)
		}
		return nil, fmt.Errorf("%w (%v)", ErrNotWorkbook, zip.ErrFormat)
	case errors.Is(err, zip.ErrFormat), errors.Is(err, zip.ErrAlgorithm), errors.Is(err, zip.ErrChecksum), errors.Is(err, io.ErrUnexpectedEOF):
		if bytes.HasPrefix(head, []byte("PK")) {
			return nil, fmt.Errorf("%w (%v)", ErrCorrupt, err)
		}
		return nil, fmt.Errorf("%w (%v)", ErrNotWorkbook, err)
	case errors.Is(err, io.EOF):
		// excelize found no workbook part to read.
		return nil, fmt.Errorf("%w (no xl/workbook.xml in the zip)", ErrNotWorkbook)
	default:
		// excelize reads the package's XML parts as it opens it.
		return nil, fmt.Errorf("%w (%v)", ErrCorrupt, err)
	}
	if len(f.GetSheetList()) == 0 {
		f.Close()
		return nil, fmt.Errorf("%w (no xl/workbook.xml in the zip)", ErrNotWorkbook)
	}
	return f, nil
}

// readHead returns the first 8 bytes of a file (fewer when it is shorter).
func readHead(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	head := make([]byte, 8)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil, err
	}
	return head[:n], nil
}

// checkCompound tells an encrypted .xlsx package (which excelize decrypts
// given its password) from a legacy .xls workbook or another compound file.
func checkCompound(name, password string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	doc, err := mscfb.New(f)
	if err != nil {
		return fmt.Errorf("%w (%v)", ErrCorrupt, err)
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
		return ErrLegacyXLS
	case !encrypted:
		return fmt.Errorf("%w (a compound file without an encrypted package)", ErrNotWorkbook)
	case password == "":
		return fmt.Errorf("%w: give its password with --password", ErrEncrypted)
	}
	return nil
}
