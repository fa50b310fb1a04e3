#!/usr/bin/env bash
# bench/noop-reimport.sh: a no-op re-import (`bhctl import csv FILE
# --prevent-dups` of a 10 MB file already captured) on chains of 1,000 and
# of 100,000 assets (SIZES). Issue 4: the time must not grow with the
# chain. The chains are made with bench/mkchain (one small asset per
# block); the first import of the file builds the chain's index (a walk of
# the whole chain, once) and captures the file; the timed runs then find
# it all on the chain through the index: a catch-up of no block, one
# lookup of the file's last capture, and a hash of the file's bytes up to
# its end to check they are unchanged.
#
#   bench/noop-reimport.sh
#   SIZES="1000 10000 100000" RUNS=10 bench/noop-reimport.sh
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
bench_need
bench_workdir
SIZES=${SIZES:-"1000 100000"}
RUNS=${RUNS:-10}

bench_build bhctl ./cmd/bhctl
bench_build mkchain ./bench/mkchain
(cd "$BENCH_ROOT" && go run ./examples/emitter csv --bytes 10M --out "$WORK/m10.csv")
bench_machine
echo "input: $(stat -c %s "$WORK/m10.csv") bytes; $RUNS timed runs per chain after one warm-up"

for n in $SIZES; do
	home="$WORK/chain-$n"
	"$WORK/mkchain" -home "$home" -n "$n" -chain bench
	bench_run "first_$n" "'$WORK/bhctl' -q --home '$home' --chain bench import csv '$WORK/m10.csv' --prevent-dups"
	cmd="'$WORK/bhctl' --home '$home' --chain bench import csv '$WORK/m10.csv' --prevent-dups -o json"
	if ! bash -c "$cmd" | grep -q '"captured":0,"skipped":0,'; then
		echo "bench: the re-import on the chain of $n assets was not a no-op" >&2
		exit 1
	fi
	WARMUP=1 bench_run "noop_$n" "$cmd"
	for _ in $(seq "$RUNS"); do
		bench_run "noop_$n" "$cmd"
	done
done
bench_load

printf '\n%-14s %-28s %-28s %12s\n' "chain assets" "first import s (index build)" "no-op wall s (min med max)" "cpu s (med)"
for n in $SIZES; do
	printf '%-14s %-28s %-28s %12s\n' "$n" "$(bench_median "first_$n" 1)" "$(bench_stats "noop_$n" 1)" "$(bench_median "noop_$n" 5)"
done
