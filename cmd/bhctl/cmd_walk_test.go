package main

import (
	"strings"
	"testing"

	"github.com/blockhub/blockhub/chain/walk"
)

func TestWalkOptions(t *testing.T) {
	id := strings.Repeat("ab", 32)
	for _, tt := range []struct {
		from, to, onFault string
		mode              walk.Mode
		err               string
	}{
		{onFault: "fail", mode: walk.Stop},
		{onFault: "report", mode: walk.Report},
		{onFault: "skip", mode: walk.Skip},
		{onFault: "ignore", err: `--on-fault "ignore": want fail, report or skip`},
		{from: "2", to: "4", onFault: "fail"},
		{from: "4", to: "4", onFault: "fail"},
		{from: "4", to: "2", onFault: "fail", err: "--from 4 is after --to 2"},
		{from: id, to: "2", onFault: "fail"},
		{from: "x", onFault: "fail", err: `--from "x": want a block id or a height`},
		{to: "-1", onFault: "fail", err: `--to "-1": want a block id or a height`},
		{to: id[:10], onFault: "fail", err: "want a block id or a height"},
	} {
		got, err := walkOptions(tt.from, tt.to, tt.onFault, false)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("walkOptions(%q, %q, %q) error = %v, want %q", tt.from, tt.to, tt.onFault, err, tt.err)
			}
			continue
		}
		if err != nil || got.Mode != tt.mode || got.From != tt.from || got.To != tt.to {
			t.Errorf("walkOptions(%q, %q, %q) = %+v, %v", tt.from, tt.to, tt.onFault, got, err)
		}
	}
}
