#!/usr/bin/env bash
# bench/pipe.sh: `bhctl pipe` of SIZE_MIB MiB (default 1024) into a fresh
# folder store, in 1 MiB assets (--chunk-size 1MiB) and as one asset,
# each beside the real limit of the same bytes on the same disk, measured
# just before it (paired): bench/limit, which times Go's crypto/sha256 of
# the input (SHA-NI) and a durable write of it (write(2) in 1 MiB calls,
# then fsync), and takes the slower of the two. A capture does both, so
# max(hash, write) is the best it can do; the ratio limit / pipe is
# computed per pair and its median quoted.
#
# The older, slower baselines stay as extra columns: coreutils sha256sum,
# cp followed by an fsync of the copy, and cp alone (page cache only).
# The input is read once first, so every command reads it from the page
# cache.
#
#   bench/pipe.sh                      # 1 GiB, 5 rounds
#   SIZE_MIB=256 RUNS=3 bench/pipe.sh  # quicker
#   BENCH_DIR=/data bench/pipe.sh      # on another disk
#   BHCTL_BASE=/tmp/bhctl-old bench/pipe.sh  # also pair an older build
#                                      # (before/after), as base_chunks, base_one
#
# Aim (issue 13): both pipes at >= 0.8 of max(hash, write).
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
bench_need
bench_workdir
SIZE_MIB=${SIZE_MIB:-1024}

bench_build bhctl ./cmd/bhctl
bench_build limit ./bench/limit
head -c "$((SIZE_MIB << 20))" /dev/urandom >"$WORK/input"
cat "$WORK/input" >/dev/null
sync
bench_machine
echo "input: $SIZE_MIB MiB of random bytes, $RUNS rounds after one warm-up"

# pipe_once LABEL ASSETS [FLAGS]: one pipe into a fresh home, checked to
# hold ASSETS assets; $BIN (default $WORK/bhctl) is the bhctl run.
#
# Each run gets a home of its own, removed only at the end: on ext4
# without a journal (this guest) the inode allocator skips inodes freed
# in the last minute, reading their inode table blocks, so a run right
# after removing the last run's thousand files pays for that
# (recently_deleted in a kernel profile), which a user's capture does not.
seq_home=0
pipe_once() {
	local label=$1 want=$2
	seq_home=$((seq_home + 1))
	local home="$WORK/home.$seq_home"
	shift 2
	sync
	bench_run "$label" "BH_HOME='$home' '${BIN:-$WORK/bhctl}' -q pipe $* <'$WORK/input'"
	# Every asset but the root's settings (pipe sniffs each chunk's type:
	# a chunk of random bytes may happen to start like a known format).
	local got
	got=$(BH_HOME=$home "$WORK/bhctl" -q walk --assets -o json | grep -vc 'vnd.blockhub.chain')
	if [ "$got" != "$want" ]; then
		echo "bench: $label: the chain holds $got assets, not $want" >&2
		exit 1
	fi
	sync
}
round() {
	bench_limit limit_chunks "$WORK/input"
	pipe_once chunks "$SIZE_MIB" --chunk-size 1MiB
	bench_limit limit_one "$WORK/input"
	pipe_once one 1
	if [ -n "${BHCTL_BASE:-}" ]; then
		bench_limit limit_base_chunks "$WORK/input"
		BIN=$BHCTL_BASE pipe_once base_chunks "$SIZE_MIB" --chunk-size 1MiB
		bench_limit limit_base_one "$WORK/input"
		BIN=$BHCTL_BASE pipe_once base_one 1
	fi
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
printf '\n%-22s %-24s %7s %11s %12s\n' command "wall s (min median max)" "MB/s" "cpu s (med)" "RSS MiB(med)"
row() { # label name
	read -r lo med hi < <(bench_stats "$1" 1)
	printf '%-22s %-24s %7s %11s %12s\n' "$2" "$lo $med $hi" "$(mbs "$med")" "$(bench_median "$1" 5)" \
		"$(awk -v k="$(bench_median "$1" 4)" 'BEGIN { printf "%.1f", k / 1024 }')"
}
lrow() { # label name column
	read -r lo med hi < <(bench_limit_stats "$1" "$3")
	printf '%-22s %-24s %7s\n' "$2" "$lo $med $hi" "$(mbs "$med")"
}
row chunks "pipe --chunk-size 1MiB"
lrow limit_chunks "  limit: max(hash,write)" 3
lrow limit_chunks "  limit: Go sha256" 1
lrow limit_chunks "  limit: write+fsync" 2
row one "pipe (one asset)"
lrow limit_one "  limit: max(hash,write)" 3
if [ -n "${BHCTL_BASE:-}" ]; then
	row base_chunks "base: --chunk-size 1MiB"
	lrow limit_base_chunks "  limit: max(hash,write)" 3
	row base_one "base: one asset"
	lrow limit_base_one "  limit: max(hash,write)" 3
fi
row sha256sum "sha256sum"
row cp_fsync "cp + fsync"
row cp "cp (page cache)"
echo
for p in chunks one ${BHCTL_BASE:+base_chunks base_one}; do
	read -r lo med hi < <(bench_ratio "$p" "limit_$p")
	echo "pipe $p: limit / pipe per pair = $med (min $lo, max $hi); aim: 0.8"
done
