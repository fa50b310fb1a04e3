package oracle

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"
)

// Filter is a compiled --filter expression.
type Filter struct {
	src  string
	prog *vm.Program
	vm   vm.VM
}

// CompileFilter compiles an expr-lang boolean expression over a record's
// fields and _asset. An empty expression keeps every record (nil Filter).
func CompileFilter(src string) (*Filter, error) {
	if strings.TrimSpace(src) == "" {
		return nil, nil
	}
	p, err := expr.Compile(src, expr.AsBool(), expr.AllowUndefinedVariables())
	if err != nil {
		return nil, fmt.Errorf("--filter: %v", oneLine(err.Error()))
	}
	return &Filter{src: src, prog: p}, nil
}

// Match evaluates the filter on env (as Env builds it).
func (f *Filter) Match(env map[string]any) (bool, error) {
	out, err := f.vm.Run(f.prog, env)
	if err != nil {
		return false, fmt.Errorf("--filter %q: %v", f.src, oneLine(err.Error()))
	}
	b, _ := out.(bool)
	return b, nil
}

// Env is the variables of a record: its fields, numbers where they read
// as numbers, and _asset.
func Env(header []string, row []any, asset map[string]any) map[string]any {
	env := make(map[string]any, len(header)+1)
	for i, h := range header {
		env[h] = Value(row[i])
	}
	env["_asset"] = asset
	return env
}

// Value is v as an expression sees it: strings that read as integers or
// decimal numbers become int or float64, json.Number likewise; "true" and
// "false" stay strings.
func Value(v any) any {
	switch x := v.(type) {
	case string:
		return numeric(x)
	case json.Number:
		return numeric(string(x))
	}
	return v
}

func numeric(s string) any {
	if s == "" || len(s) > 40 {
		return s
	}
	c := s[0]
	if !(c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.') {
		return s
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return int(i)
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && !strings.ContainsAny(s, "xXpP_") {
		return f
	}
	return s
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
