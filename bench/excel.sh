#!/usr/bin/env bash
# bench/excel.sh: `bhctl import excel big.xlsx` of an emitted workbook of
# ROWS rows (default 100,000) on one sheet (orders: 8 columns, one of them
# a formula), into a fresh folder store: rows/s and peak memory (max RSS).
#
# Variants (VARIANTS picks them):
#   import_nosens  the import, --rows=1000, --sensitive=off (csv chunks)
#   import         the same with its defaults (--sensitive=warn)
#   formulas       --formulas --sensitive=off (a total.formula column;
#                  excelize loads the sheet into memory for the lookups)
#   json           --format json --sensitive=off
#   dryrun         --dry-run --sensitive=off: the connector and the
#                  hashes, nothing written
#   noop           the same import again with --prevent-dups on a chain
#                  that holds it: the file's hash and one index lookup
#
#   bench/excel.sh                   # 100,000 rows, 5 runs of each
#   ROWS=1000000 RUNS=3 bench/excel.sh
#
# The reader itself (the connector against excelize's bare row iterator,
# raw and formatted values) compares with:
#   go test ./connectors/excel -run '^$' -bench Sheet -benchtime 3x
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
bench_need
bench_workdir
ROWS=${ROWS:-100000}
VARIANTS=${VARIANTS:-"import_nosens import formulas json dryrun noop"}

bench_build bhctl ./cmd/bhctl
(cd "$BENCH_ROOT" && go run ./examples/emitter excel --rows "$ROWS" --out "$WORK/big.xlsx")
cat "$WORK/big.xlsx" >/dev/null
bytes=$(stat -c %s "$WORK/big.xlsx")
assets=$(((ROWS + 999) / 1000))
bh="$WORK/bhctl -q"
echo "input: $ROWS rows, $(awk -v b="$bytes" 'BEGIN { printf "%.1f MB", b / 1e6 }') .xlsx ($(unzip -l "$WORK/big.xlsx" | awk '/sheet1.xml/ { printf "%.1f MB", $1 / 1e6 }') of sheet XML)"
bench_machine

# The noop variant re-imports onto a chain that already holds the file.
"$WORK/bhctl" -q --home "$WORK/full" import excel "$WORK/big.xlsx" --sensitive=off --prevent-dups >/dev/null

once() {
	local v=$1 home="$WORK/home"
	rm -rf "$home"
	case $v in
	import_nosens) bench_run "$v" "$bh --home '$home' import excel '$WORK/big.xlsx' --rows=1000 --sensitive=off" ;;
	import) bench_run "$v" "$bh --home '$home' import excel '$WORK/big.xlsx' --rows=1000" ;;
	formulas) bench_run "$v" "$bh --home '$home' import excel '$WORK/big.xlsx' --rows=1000 --sensitive=off --formulas" ;;
	json) bench_run "$v" "$bh --home '$home' import excel '$WORK/big.xlsx' --rows=1000 --sensitive=off --format json" ;;
	dryrun) bench_run "$v" "$bh --home '$home' import excel '$WORK/big.xlsx' --rows=1000 --sensitive=off --dry-run" ;;
	noop) bench_run "$v" "$bh --home '$WORK/full' import excel '$WORK/big.xlsx' --rows=1000 --sensitive=off --prevent-dups" ;;
	*)
		echo "bench: unknown variant $v" >&2
		exit 2
		;;
	esac
	case $v in
	import*|formulas|json)
		local got
		got=$("$WORK/bhctl" -q --home "$home" walk --assets -o json | grep -c '"sheet":"orders"')
		if [ "$got" != "$assets" ]; then
			echo "bench: $v left $got assets on the chain, want $assets" >&2
			exit 1
		fi
		;;
	esac
}
round() {
	for v in $VARIANTS; do
		once "$v"
	done
}

bench_rounds round
rm -rf "$WORK/home"
bench_load

krows() { awk -v r="$ROWS" -v s="$1" 'BEGIN { if (s > 0) printf "%.0f", r / 1e3 / s; else print "-" }'; }
printf '\n%-14s %-26s %10s %12s %16s %12s\n' command "wall s (min median max)" "krows/s" "cpu s (med)" "krows/cpu-s (med)" "RSS MiB(med)"
for v in $VARIANTS; do
	read -r lo med hi < <(bench_stats "$v" 1)
	cpu=$(bench_median "$v" 5)
	printf '%-14s %-26s %10s %12s %16s %12s\n' "$v" "$lo $med $hi" "$(krows "$med")" "$cpu" "$(krows "$cpu")" \
		"$(awk -v k="$(bench_median "$v" 4)" 'BEGIN { printf "%.1f", k / 1024 }')"
done
