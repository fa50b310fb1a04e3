package emitcli

import (
	"bytes"
	"context"
	"encoding/csv"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/xuri/excelize/v2"
)

var update = flag.Bool("update", false, "rewrite the testscript files' golden output")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"emitter": func() { os.Exit(Run(context.Background(), "emitter", os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }})
}

// TestScripts runs testdata/script/*.txtar: emitter used as a user would.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       *update,
	})
}

func TestRun(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		stdin      string
		wantCode   int
		wantStdout string // a regular expression the output must match
		wantStderr string // a regular expression the one error line must match
	}{
		{"no command", nil, "", 2, `^$`, `^emitter: missing command \(csv, json, excel, junk, image, shuffle, stream\)`},
		{"unknown command", []string{"xml"}, "", 2, `^$`, `^emitter: unknown command "xml"`},
		{"help", []string{"-h"}, "", 0, `(?s)^emitter writes.*csv .*stream `, `^$`},
		{"command help", []string{"csv", "-h"}, "", 0, `(?s)^Usage: emitter csv .*-bytes SIZE`, `^$`},
		{"csv", []string{"csv", "--rows", "2"}, "", 0,
			`^order_id,contact_id,item,qty,price,status,created_at\n1,84,Office chair,1,229\.08,paid,2026-01-01T00:01:05Z\n2,.*\n$`, `^$`},
		{"stocks", []string{"csv", "--kind", "stocks", "--rows", "1", "--seed", "1"}, "", 0,
			`^date,symbol,open,high,low,close,volume\n2024-01-01,AAPL,`, `^$`},
		{"json", []string{"json", "--kind", "contacts", "--rows", "1"}, "", 0, `^\{"id":1,"name":"Ingrid van Rossum",`, `^$`},
		{"unknown kind", []string{"csv", "--kind", "planets"}, "", 2, `^$`, `^emitter csv: invalid value "planets" for flag -kind: unknown kind`},
		{"rows and bytes", []string{"csv", "--rows", "5", "--bytes", "1K"}, "", 2, `^$`, `^emitter csv: --rows and --bytes exclude each other`},
		{"bad size", []string{"csv", "--bytes", "lots"}, "", 2, `^$`, `^emitter csv: invalid value "lots" for flag -bytes: bad size`},
		{"stray argument", []string{"junk", "more"}, "", 2, `^$`, `^emitter junk: unexpected argument "more"`},
		{"unknown flag", []string{"image", "--depth", "3"}, "", 2, `^$`, `^emitter image: flag provided but not defined: -depth`},
		{"image too big", []string{"image", "--width", "100000"}, "", 2, `^$`, `^emitter image: --width 100000 --height 64: want 1 to 8192 each`},
		{"shuffle", []string{"shuffle"}, "h\n1\n2\n3\n", 0, `^h\n[123]\n[123]\n[123]\n$`, `^$`},
		{"shuffle bad csv", []string{"shuffle"}, "a,b\n1\n", 1, `^$`, `^emitter shuffle: shuffle: record on line 2: wrong number of fields`},
		{"stream", []string{"stream", "--count", "2", "--delay", "1ms", "--format", "json"}, "", 0, `^\{"order_id":1,.*\n\{"order_id":2,.*\n$`, `^$`},
		{"stream bad format", []string{"stream", "--format", "xml"}, "", 2, `^$`, `^emitter stream: --format "xml": want csv or json`},
		{"excel to a bad name", []string{"excel", "--rows", "1", "--out", "book.txt"}, "", 1, `^$`, `^emitter excel: excel: book.txt: want a name ending in .xlsx`},
		{"out in a missing folder", []string{"csv", "--out", "/nonexistent/dir/x.csv"}, "", 1, `^$`, `^emitter csv: open /nonexistent/dir/x.csv: no such file or directory`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Run(context.Background(), "emitter", tt.args, strings.NewReader(tt.stdin), &stdout, &stderr)
			if code != tt.wantCode {
				t.Errorf("exit code %d, want %d (stderr %q)", code, tt.wantCode, stderr.String())
			}
			if !regexp.MustCompile(tt.wantStdout).Match(stdout.Bytes()) {
				t.Errorf("stdout %q does not match %q", stdout.String(), tt.wantStdout)
			}
			errText := strings.TrimSuffix(stderr.String(), "\n")
			if strings.Contains(errText, "\n") {
				t.Errorf("stderr has more than one line: %q", stderr.String())
			}
			if !regexp.MustCompile(tt.wantStderr).MatchString(errText) {
				t.Errorf("stderr %q does not match %q", errText, tt.wantStderr)
			}
		})
	}
}

// runOK runs emitter with args and fails the test unless it succeeds.
func runOK(t *testing.T, args ...string) []byte {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := Run(context.Background(), "emitter", args, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("emitter %s: exit code %d: %s", strings.Join(args, " "), code, stderr.String())
	}
	return stdout.Bytes()
}

func TestCSVBytesFile(t *testing.T) {
	for _, size := range []string{"100K", "2M"} {
		t.Run(size, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "orders.csv")
			runOK(t, "csv", "--bytes", size, "--tricky", "--out", path)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]int{"100K": 100 << 10, "2M": 2 << 20}[size]
			if n := len(data); n > want || n < want-200 {
				t.Errorf("file has %d bytes, want %d less at most one row", n, want)
			}
			recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
			if err != nil {
				t.Fatalf("the file does not parse as CSV: %v", err)
			}
			if len(recs) < 2 || len(recs[0]) != 7 {
				t.Errorf("got %d records of %d fields", len(recs), len(recs[0]))
			}
		})
	}
}

func TestJunkSize(t *testing.T) {
	for _, tt := range []struct {
		size string
		want int
	}{{"100", 100}, {"3K", 3 << 10}, {"1MB", 1 << 20}} {
		if got := len(runOK(t, "junk", "--bytes", tt.size)); got != tt.want {
			t.Errorf("junk --bytes %s wrote %d bytes, want %d", tt.size, got, tt.want)
		}
	}
}

func TestCSVIsDeterministic(t *testing.T) {
	args := []string{"csv", "--kind", "contacts", "--rows", "200", "--tricky", "--odd-times", "--seed", "9"}
	if a, b := runOK(t, args...), runOK(t, args...); !bytes.Equal(a, b) {
		t.Error("two runs with --seed 9 differ")
	}
}

func TestExcelFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "crm.xlsx")
	runOK(t, "excel", "--rows", "25", "--sheets", "2", "--out", path)
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := strings.Join(f.GetSheetList(), ","); got != "orders,contacts" {
		t.Errorf("sheets %s, want orders,contacts", got)
	}
	rows, err := f.GetRows("orders")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 26 {
		t.Errorf("orders has %d rows, want 26", len(rows))
	}
	if formula, _ := f.GetCellFormula("orders", "H26"); formula != "D26*E26" {
		t.Errorf("H26 formula %q, want D26*E26", formula)
	}
}

func TestStreamStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	var stdout, stderr bytes.Buffer
	code := Run(ctx, "emitter", []string{"stream", "--delay", "1h"}, nil, &stdout, &stderr)
	if code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	if lines := strings.Count(stdout.String(), "\n"); lines != 2 {
		t.Errorf("wrote %d lines before the cancel, want 2 (header and first row)", lines)
	}
}
