package emitcli

import (
	"testing"
	"time"

	"github.com/blockhub/blockhub/internal/emit"
)

func TestRowsOrBytes(t *testing.T) {
	tests := []struct {
		name                string
		rows                int64
		rowsSet             bool
		bytes               int64
		bytesSet            bool
		wantRows, wantBytes int64
		wantErr             bool
	}{
		{"defaults", defaultRows, false, 0, false, defaultRows, 0, false},
		{"rows", 5, true, 0, false, 5, 0, false},
		{"zero rows", 0, true, 0, false, 0, 0, false},
		{"bytes", defaultRows, false, 1 << 30, true, 0, 1 << 30, false},
		{"both", 5, true, 1024, true, 0, 0, true},
		{"zero bytes", defaultRows, false, 0, true, 0, 0, true},
		{"negative rows", -1, true, 0, false, 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, bytes, err := rowsOrBytes(tt.rows, tt.rowsSet, tt.bytes, tt.bytesSet)
			if (err != nil) != tt.wantErr {
				t.Fatalf("error %v, want error: %v", err, tt.wantErr)
			}
			if rows != tt.wantRows || bytes != tt.wantBytes {
				t.Errorf("got rows %d bytes %d, want %d and %d", rows, bytes, tt.wantRows, tt.wantBytes)
			}
		})
	}
}

func TestExcelOptions(t *testing.T) {
	tests := []struct {
		name    string
		rows    int64
		sheets  int
		wantErr bool
	}{
		{"ok", 10, 2, false},
		{"no rows", 0, 1, false},
		{"full sheet", 1<<20 - 1, 1, false},
		{"too many rows", 1 << 20, 1, true},
		{"negative rows", -1, 1, true},
		{"no sheets", 10, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := excelOptions(emit.Options{Seed: 3}, tt.rows, tt.sheets)
			if (err != nil) != tt.wantErr {
				t.Fatalf("error %v, want error: %v", err, tt.wantErr)
			}
			if err == nil && (o.Rows != tt.rows || o.Sheets != tt.sheets || o.Seed != 3) {
				t.Errorf("got %+v", o)
			}
		})
	}
}

func TestStreamOptions(t *testing.T) {
	tests := []struct {
		name    string
		delay   time.Duration
		count   int64
		format  string
		wantErr bool
	}{
		{"defaults", 100 * time.Millisecond, defaultCount, "csv", false},
		{"json, no delay", 0, 5, "json", false},
		{"no rows", time.Second, 0, "csv", false},
		{"negative delay", -time.Second, 5, "csv", true},
		{"negative count", 0, -1, "csv", true},
		{"xml", 0, 5, "xml", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := streamOptions(emit.Options{}, tt.delay, tt.count, tt.format)
			if (err != nil) != tt.wantErr {
				t.Fatalf("error %v, want error: %v", err, tt.wantErr)
			}
			if err == nil && (o.Rows != tt.count || o.Delay != tt.delay || string(o.Format) != tt.format) {
				t.Errorf("got %+v", o)
			}
		})
	}
}

func TestCheckImageSize(t *testing.T) {
	tests := []struct {
		w, h    int
		wantErr bool
	}{
		{64, 64, false},
		{1, 1, false},
		{emit.MaxImageSide, 1, false},
		{0, 10, true},
		{10, -1, true},
		{emit.MaxImageSide + 1, 10, true},
	}
	for _, tt := range tests {
		if err := checkImageSize(tt.w, tt.h); (err != nil) != tt.wantErr {
			t.Errorf("checkImageSize(%d, %d) = %v, want error: %v", tt.w, tt.h, err, tt.wantErr)
		}
	}
}

func TestDataFlags(t *testing.T) {
	for _, d := range []dataFlags{{contacts: 0, orders: 5}, {contacts: 5, orders: -1}} {
		if _, err := d.options(); err == nil {
			t.Errorf("%+v: got no error", d)
		}
	}
}
