#!/usr/bin/env bash
# bench/pipe.sh: `bhctl pipe --chunk-size 1MiB` of SIZE_MIB MiB (default
# 1024) into a fresh folder store, beside the two limits of the same bytes
# on the same disk: sha256sum (the hash) and cp followed by an fsync of the
# copy (the durable write; bhctl fsyncs every asset and block). cp without
# the fsync (page cache only) is shown too. The input is read once first,
# so every command reads it from the page cache.
#
#   bench/pipe.sh                      # 1 GiB, 5 runs each
#   SIZE_MIB=256 RUNS=3 bench/pipe.sh  # quicker
#   BENCH_DIR=/data bench/pipe.sh      # on another disk
#
# Aim (issue 2): bhctl pipe at least 80% of the slower of sha256sum and
# cp+fsync.
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
bench_need
bench_workdir
SIZE_MIB=${SIZE_MIB:-1024}

bench_build bhctl ./cmd/bhctl
head -c "$((SIZE_MIB << 20))" /dev/urandom >"$WORK/input"
cat "$WORK/input" >/dev/null
sync
bench_machine
echo "input: $SIZE_MIB MiB of random bytes, $RUNS runs of each command after one warm-up"

pipe_once() {
	local home="$WORK/home"
	rm -rf "$home"
	bench_run pipe "BH_HOME='$home' '$WORK/bhctl' -q pipe --chunk-size 1MiB <'$WORK/input'"
	if [ "$(BH_HOME=$home "$WORK/bhctl" -q walk --assets -o json | grep -c '"application/octet-stream"')" != "$SIZE_MIB" ]; then
		echo "bench: the chain does not hold $SIZE_MIB assets" >&2
		exit 1
	fi
	rm -rf "$home"
	sync
}
round() {
	pipe_once
	bench_run sha256sum "sha256sum '$WORK/input'"
	bench_run cp_fsync "cp '$WORK/input' '$WORK/copy' && sync '$WORK/copy'"
	rm -f "$WORK/copy"
	sync
	bench_run cp "cp '$WORK/input' '$WORK/copy'"
	rm -f "$WORK/copy"
	sync
}

bench_rounds round
bench_load

mbs() { awk -v mib="$SIZE_MIB" -v s="$1" 'BEGIN { printf "%.0f", mib * 1.048576 / s }'; }
printf '\n%-12s %-26s %8s %12s %12s\n' command "wall s (min median max)" "MB/s" "cpu s (med)" "RSS MiB(med)"
for c in pipe sha256sum cp_fsync cp; do
	read -r lo med hi < <(bench_stats $c 1)
	printf '%-12s %-26s %8s %12s %12s\n' "$c" "$lo $med $hi" "$(mbs "$med")" "$(bench_median $c 5)" \
		"$(awk -v k="$(bench_median $c 4)" 'BEGIN { printf "%.1f", k / 1024 }')"
done
pipe=$(mbs "$(bench_median pipe 1)")
sha=$(mbs "$(bench_median sha256sum 1)")
cpf=$(mbs "$(bench_median cp_fsync 1)")
slow=$((sha < cpf ? sha : cpf))
echo
awk -v p="$pipe" -v s="$slow" 'BEGIN { printf "pipe: %d MB/s = %.0f%% of the slower limit (%d MB/s); aim: 80%%\n", p, 100 * p / s, s }'
