package excel

import (
	"archive/zip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/blockhub/blockhub/connectors"
	"github.com/blockhub/blockhub/connectors/connectortest"
	"github.com/blockhub/blockhub/internal/emit"
)

// badFiles writes the fixtures of bad workbooks into dir and returns
// their paths by name.
func badFiles(t testing.TB, dir string) map[string]string {
	t.Helper()
	good := filepath.Join(dir, "good.xlsx")
	if err := emit.Excel(good, emit.ExcelOptions{Seed: 1, Rows: 20}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{"good": good}
	write := func(name string, data []byte) {
		files[name] = filepath.Join(dir, name)
		if err := os.WriteFile(files[name], data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("truncated.xlsx", b[:len(b)/2])
	write("random.xlsx", []byte("\x13\x37 these bytes are no workbook at all, not even a zip file"))
	write("empty.xlsx", nil)

	// A zip without a workbook in it.
	f, _ := os.Create(filepath.Join(dir, "other.xlsx"))
	zw := zip.NewWriter(f)
	w, _ := zw.Create("hello.txt")
	w.Write([]byte("hello"))
	zw.Close()
	f.Close()
	files["other.xlsx"] = filepath.Join(dir, "other.xlsx")

	// excelize encrypts a workbook it saves with a password.
	wb, err := excelize.OpenFile(good)
	if err != nil {
		t.Fatal(err)
	}
	files["locked.xlsx"] = filepath.Join(dir, "locked.xlsx")
	if err := wb.SaveAs(files["locked.xlsx"], excelize.Options{Password: "s3cret"}); err != nil {
		t.Fatal(err)
	}
	wb.Close()
	return files
}

func TestBadWorkbooks(t *testing.T) {
	files := badFiles(t, t.TempDir())
	tests := []struct {
		file, password string
		want           error
		msg            string
	}{
		{"truncated.xlsx", "", ErrCorrupt, "corrupt or truncated .xlsx workbook"},
		{"random.xlsx", "", ErrNotWorkbook, "not an .xlsx workbook"},
		{"empty.xlsx", "", ErrNotWorkbook, "not an .xlsx workbook"},
		{"other.xlsx", "", ErrNotWorkbook, "no xl/workbook.xml"},
		{"locked.xlsx", "", ErrEncrypted, "password-protected (encrypted) workbook: give its password with --password"},
		{"locked.xlsx", "wrong", ErrEncrypted, "wrong password"},
		{"random.xlsx", "pw", ErrNotWorkbook, "not an .xlsx workbook (zip: not a valid zip file)"},
		{"truncated.xlsx", "pw", ErrCorrupt, "corrupt or truncated .xlsx workbook (zip: not a valid zip file)"},
	}
	for _, tt := range tests {
		src, err := New(files[tt.file], &Options{Password: tt.password})
		if err != nil {
			t.Fatal(err)
		}
		var got error
		n := 0
		for _, err := range src.Chunks(context.Background(), nil) {
			got = err
			n++
		}
		if n != 1 || !errors.Is(got, tt.want) || !strings.Contains(got.Error(), tt.msg) || !strings.HasPrefix(got.Error(), "excel: "+files[tt.file]+": ") {
			t.Errorf("%s: %d yields, error %v; want one error naming the file and saying %q", tt.file, n, got, tt.msg)
		}
	}

	// With its password, the encrypted workbook reads as the plain one.
	plain, _ := New(files["good"], nil)
	locked, _ := New(files["locked.xlsx"], &Options{Password: "s3cret"})
	var a, b []byte
	for c, err := range plain.Chunks(context.Background(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		a = append(a, c.Data...)
	}
	for c, err := range locked.Chunks(context.Background(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		b = append(b, c.Data...)
	}
	if len(a) == 0 || string(a) != string(b) {
		t.Errorf("decrypted workbook differs:\n%s\n---\n%s", a, b)
	}
}

// TestNewSource covers how bhctl import excel's arguments and options
// become a Source.
func TestNewSource(t *testing.T) {
	good := filepath.Join(t.TempDir(), "g.xlsx")
	if err := emit.Excel(good, emit.ExcelOptions{Seed: 1, Rows: 3}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		args  []string
		v     connectors.Values
		c     connectors.Common
		want  Options
		err   string
		usage bool
	}{
		{name: "defaults", args: []string{good}, want: Options{Rows: 1000, Format: "csv"}},
		{name: "all options", args: []string{good},
			v:    connectors.Values{"sheet": {"orders", "a,b"}, "formulas": {"true"}, "password": {"pw"}},
			c:    connectors.Common{Rows: 10, Exclude: []string{"A", "price"}, Format: "yaml"},
			want: Options{Sheets: []string{"orders", "a", "b"}, Rows: 10, Exclude: []string{"A", "price"}, Format: "yaml", Formulas: true, Password: "pw"}},
		{name: "no file", args: nil, err: "want one FILE.xlsx argument, got 0", usage: true},
		{name: "two files", args: []string{good, good}, err: "got 2", usage: true},
		{name: "negative rows", args: []string{good}, c: connectors.Common{Rows: -1}, err: "--rows -1", usage: true},
		{name: "bad format", args: []string{good}, c: connectors.Common{Format: "toml"}, err: `--format "toml"`, usage: true},
		{name: "missing file", args: []string{"nope.xlsx"}, err: "nope.xlsx: no such file"},
		{name: "directory", args: []string{filepath.Dir(good)}, err: "is a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := newSource(tt.args, tt.v, tt.c)
			if tt.err != "" {
				connectortest.CheckError(t, err, tt.err, tt.usage)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := src.(*Source).o
			if strings.Join(got.Sheets, "|") != strings.Join(tt.want.Sheets, "|") || got.Rows != tt.want.Rows ||
				strings.Join(got.Exclude, "|") != strings.Join(tt.want.Exclude, "|") || got.Format != tt.want.Format ||
				got.Formulas != tt.want.Formulas || got.Password != tt.want.Password {
				t.Errorf("options %+v, want %+v", got, tt.want)
			}
		})
	}
}
