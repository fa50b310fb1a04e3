#!/usr/bin/env bash
# bench/tree.sh: the Merkle tree (issue 15) on folder-store chains of
# about 10,000, 100,000 and 1,000,000 receipts (SIZES, in blocks of 1,000
# receipts; made by bench/mkchain -receipts): the first bhctl checkpoint
# (which builds the tree from the whole chain), then, the tree being up to
# date, bhctl checkpoint, bhctl prove HASH (a receipt in the middle),
# bhctl prove --from (half the size), bhctl verify --checkpoint, and the
# full bhctl verify beside it.
#
#   bench/tree.sh
#   SIZES="10 100" RUNS=3 bench/tree.sh
#   CHAIN_DIR=/var/tmp/bh-tree bench/tree.sh   # keep the chains for the next run
#
# Aim: checkpoint and prove flat (or O(log n)) in the chain's length.
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
bench_need
bench_workdir
SIZES=${SIZES:-10 100 1000}
PER=1000

bench_build bhctl ./cmd/bhctl
bench_build mkchain ./bench/mkchain
CHAINS=${CHAIN_DIR:-$WORK}
mkdir -p "$CHAINS"
for n in $SIZES; do
	d="$CHAINS/t$n"
	if [ ! -e "$d/.made" ]; then
		rm -rf "$d"
		"$WORK/mkchain" -home "$d" -n "$n" -receipts "$PER"
		touch "$d/.made"
	fi
done
sync
bench_machine
echo "$RUNS runs of each after one warm-up; chains of $SIZES blocks of $PER receipts after the root"

for n in $SIZES; do
	d="$CHAINS/t$n"
	rm -rf "$d/blocks/tiles" "$d/index"
	bench_run "first$n" "'$WORK/bhctl' --home '$d' --chain bench -q checkpoint > '$WORK/cp$n'"
	"$WORK/mkchain" -print-hash $((n * PER / 2)) > "$WORK/hash$n"
	"$WORK/bhctl" --home "$d" --chain bench -q prove "$(cat "$WORK/hash$n")" > /dev/null # builds the index once
done
round() {
	for n in $SIZES; do
		d="$CHAINS/t$n"
		bench_run "cp$n" "'$WORK/bhctl' --home '$d' --chain bench -q checkpoint"
		bench_run "prove$n" "'$WORK/bhctl' --home '$d' --chain bench -q prove -o json $(cat "$WORK/hash$n")"
		bench_run "cons$n" "'$WORK/bhctl' --home '$d' --chain bench -q prove -o json --from $((n * PER / 2))"
		bench_run "vcp$n" "'$WORK/bhctl' --home '$d' --chain bench -q verify --checkpoint '$WORK/cp$n'"
		bench_run "ver$n" "'$WORK/bhctl' --home '$d' --chain bench -q verify"
	done
}
bench_rounds round
bench_load
"$WORK/bhctl" --home "$CHAINS/t${SIZES##* }" --chain bench -q prove -o json "$(cat "$WORK/hash${SIZES##* }")" |
	awk '{ n = gsub(/"[0-9a-f]{64}"/, "&"); print "hashes in the JSON of a proof (asset, root, path, block, leaf): " n }'

printf '\n%-10s %-24s %-24s %-24s %-24s %-24s %-24s\n' receipts "first checkpoint s" "checkpoint s" "prove HASH s" "prove --from s" "verify --checkpoint s" "verify s"
for n in $SIZES; do
	receipts=$((n * PER + 1))
	row=$(printf '%-10s' "$receipts")
	for l in first cp prove cons vcp ver; do
		if [ "$l" = first ]; then
			read -r t _ < "$WORK/first$n.times"
			row+=$(printf ' %-24s' "$t (1 run)")
		else
			read -r lo med hi < <(bench_stats "$l$n" 1)
			row+=$(printf ' %-24s' "$lo $med $hi")
		fi
	done
	echo "$row"
done
