#!/usr/bin/env bash
# bench/tree-cost.sh: the extra cost of keeping the Merkle tree (issue 15)
# on bhctl pipe and bhctl import csv: the same captures by the bhctl of
# this tree and by the bhctl of BASE (default: the commit before
# chain/merkle was added), in turn, into fresh folder stores.
#
#   pipe:   seq 1 $PIPE_LINES | bhctl pipe --rows 10   (default 500,000 lines: 50,000 assets)
#   import: bhctl import csv of an emitted CSV of CSV_SIZE (default 64M), --rows=100
#
#   bench/tree-cost.sh
#   RUNS=3 PIPE_LINES=200000 CSV_SIZE=32M bench/tree-cost.sh
#
# Aim: under 5% of their time.
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
bench_need
bench_workdir
PIPE_LINES=${PIPE_LINES:-500000}
CSV_SIZE=${CSV_SIZE:-64M}
BASE=${BASE:-$(git -C "$BENCH_ROOT" log --diff-filter=A --format=%H -- chain/merkle/doc.go | tail -1)^}

bench_build bhctl ./cmd/bhctl
mkdir -p "$WORK/base"
git -C "$BENCH_ROOT" archive "$BASE" | tar -x -C "$WORK/base"
(cd "$WORK/base" && go build -o "$WORK/bhctl-base" ./cmd/bhctl)
seq 1 "$PIPE_LINES" >"$WORK/lines"
(cd "$BENCH_ROOT" && go run ./examples/emitter csv --bytes "$CSV_SIZE" --out "$WORK/big.csv")
cat "$WORK/lines" "$WORK/big.csv" >/dev/null
sync
bench_machine
echo "base: $(git -C "$BENCH_ROOT" rev-parse --short "$BASE"); $RUNS runs of each after one warm-up"

once() { # LABEL BINARY CMD
	local home="$WORK/home"
	rm -rf "$home"
	bench_run "$1" "BH_HOME='$home' '$WORK/$2' -q $3"
	rm -rf "$home"
	sync
}
round() {
	once pipe_base bhctl-base "pipe --rows 10 <'$WORK/lines'"
	once pipe_tree bhctl "pipe --rows 10 <'$WORK/lines'"
	once csv_base bhctl-base "import csv '$WORK/big.csv' --rows=100"
	once csv_tree bhctl "import csv '$WORK/big.csv' --rows=100"
}
bench_rounds round
bench_load

printf '\n%-8s %-26s %-26s %-22s %-22s %s\n' capture "base wall s (min med max)" "tree wall s (min med max)" "base cpu s (median)" "tree cpu s (median)" "extra (median wall, cpu)"
for c in pipe csv; do
	read -r blo bmed bhi < <(bench_stats "${c}_base" 1)
	read -r tlo tmed thi < <(bench_stats "${c}_tree" 1)
	bc=$(bench_median "${c}_base" 5)
	tc=$(bench_median "${c}_tree" 5)
	printf '%-8s %-26s %-26s %-22s %-22s %s\n' "$c" "$blo $bmed $bhi" "$tlo $tmed $thi" "$bc" "$tc" \
		"$(awk -v b="$bmed" -v t="$tmed" -v bc="$bc" -v tc="$tc" 'BEGIN { printf "%+.1f%%, %+.1f%%", (t - b) * 100 / b, (tc - bc) * 100 / bc }')"
done
