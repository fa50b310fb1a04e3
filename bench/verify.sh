#!/usr/bin/env bash
# bench/verify.sh: `bhctl verify` on folder-store chains of 10,000, 30,000
# and 100,000 blocks (SIZES), each block naming one 64-byte asset: blocks
# per second and peak memory (max RSS), which must not grow with the
# chain's length. The chains are made by bench/mkchain (the library with
# ?nosync=1: fast) and verified by the normal bhctl from a plain --home.
#
#   bench/verify.sh
#   SIZES="10000 100000" RUNS=3 bench/verify.sh
#   CHAIN_DIR=/var/tmp/bh-chains bench/verify.sh   # keep the chains for the next run
#
# Removing 100,000 blocks' files can take minutes on a busy disk: with
# CHAIN_DIR the chains are made once, reused by later runs and never
# removed by the script.
#
# Aim (issue 2): 100,000 blocks/s or better; flat memory.
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
bench_need
bench_workdir
SIZES=${SIZES:-10000 30000 100000}

bench_build bhctl ./cmd/bhctl
bench_build mkchain ./bench/mkchain
CHAINS=${CHAIN_DIR:-$WORK}
mkdir -p "$CHAINS"
for n in $SIZES; do
	if [ ! -e "$CHAINS/c$n/.made" ]; then
		rm -rf "$CHAINS/c$n"
		"$WORK/mkchain" -home "$CHAINS/c$n" -n "$n"
		touch "$CHAINS/c$n/.made"
	fi
done
sync
bench_machine
echo "$RUNS runs of each after one warm-up; chains of $SIZES blocks after the root"

round() {
	for n in $SIZES; do
		bench_run "v$n" "'$WORK/bhctl' --home '$CHAINS/c$n' --chain bench -q verify"
	done
}
bench_rounds round
bench_load

printf '\n%-8s %-26s %10s %14s %16s\n' blocks "wall s (min median max)" "blocks/s" "cpu us/block" "max RSS MiB(med)"
for n in $SIZES; do
	read -r lo med hi < <(bench_stats "v$n" 1)
	printf '%-8s %-26s %10s %14s %16s\n' "$n" "$lo $med $hi" \
		"$(awk -v n="$n" -v s="$med" 'BEGIN { printf "%.0f", (n + 1) / s }')" \
		"$(awk -v n="$n" -v s="$(bench_median "v$n" 5)" 'BEGIN { printf "%.1f", s * 1e6 / (n + 1) }')" \
		"$(awk -v k="$(bench_median "v$n" 4)" 'BEGIN { printf "%.1f", k / 1024 }')"
done
