# shellcheck shell=bash
# Shared helpers of the bench scripts; source it, do not run it.
#
# Timing uses /usr/bin/time (Debian package "time"): each command runs
# RUNS times (after one warm-up run, not counted) and every figure is
# printed as min / median / max. Quote the median; a wide spread says the
# machine was busy. Commands of one script run in turn, round by round
# (A B C A B C ...), so a drift of the machine's speed hits them alike.

set -euo pipefail

BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=${RUNS:-5}

bench_need() {
	if [ ! -x /usr/bin/time ]; then
		echo "bench: /usr/bin/time is missing: apt-get install time" >&2
		exit 1
	fi
	command -v go >/dev/null || { echo "bench: go is not on PATH" >&2; exit 1; }
}

# bench_workdir: a fresh folder for inputs and stores, on the disk of
# $BENCH_DIR (default: $TMPDIR or /tmp); removed on exit unless KEEP=1.
bench_workdir() {
	local base=${BENCH_DIR:-${TMPDIR:-/tmp}}
	WORK=$(mktemp -d "$base/bh-bench.XXXXXX")
	if [ "${KEEP:-0}" != 1 ]; then
		trap 'rm -rf "$WORK"' EXIT
	fi
	# The homes made in $WORK are spread over ext4's block groups (the
	# Orlov allocator treats a TOPDIR folder's children as top-level),
	# away from inodes freed lately: on ext4 without a journal (this guest)
	# each new inode is found past every inode of its group freed in the
	# last one to five minutes, reading its inode table block, so an import
	# of 4,527 files right after some other run removed thousands took 36%
	# of its CPU in __ext4_new_inode (1% with the flag). See BENCHMARKS.md.
	chattr +T "$WORK" 2>/dev/null || true
	if [ "$(stat -f -c %T "$WORK")" = tmpfs ]; then
		echo "bench: note: $WORK is on tmpfs: fsync costs nothing there; set BENCH_DIR to a disk folder" >&2
	fi
}

# bench_build NAME PACKAGE: go build -o $WORK/NAME PACKAGE, once.
bench_build() {
	(cd "$BENCH_ROOT" && go build -o "$WORK/$1" "$2")
}

bench_machine() {
	echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)," \
		"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(uname -sr)," \
		"$(df -PT "$WORK" | awk 'NR==2 {print $2 " on " $1}'), $(go version | cut -d' ' -f3)"
	echo "tree: $(git -C "$BENCH_ROOT" describe --always --dirty 2>/dev/null || echo unknown)"
	bench_load
}

bench_load() {
	echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) ($(date -u +%H:%M:%SZ))"
}

# bench_run LABEL CMD...: runs CMD once under /usr/bin/time and appends
# "wall user sys maxrss_kb" to $WORK/LABEL.times (unless WARMUP=1). CMD
# runs through bash -c, so it may redirect; its stdout is discarded.
bench_run() {
	local label=$1
	shift
	local t="$WORK/.time"
	if ! /usr/bin/time -f '%e %U %S %M' -o "$t" bash -c "$*" >/dev/null; then
		echo "bench: $label failed: $*" >&2
		exit 1
	fi
	if [ "${WARMUP:-0}" != 1 ]; then
		tail -1 "$t" >>"$WORK/$label.times"
	fi
}

# bench_rounds FUNC: calls FUNC once as a warm-up (WARMUP=1: its times
# are not kept), then RUNS times.
bench_rounds() {
	WARMUP=1 "$1"
	for _ in $(seq "$RUNS"); do
		"$1"
	done
}

# bench_stats LABEL COLUMN: "min median max" of a column of LABEL.times
# (1 wall, 2 user, 3 sys, 4 maxrss KiB, 5 user+sys).
bench_stats() {
	awk -v c="$2" '{ v = (c == 5) ? $2 + $3 : $c; print v }' "$WORK/$1.times" | sort -g |
		awk '{ a[NR] = $1 } END { printf "%s %s %s\n", a[1], a[int((NR + 1) / 2)], a[NR] }'
}

# bench_median LABEL COLUMN
bench_median() { bench_stats "$1" "$2" | cut -d' ' -f2; }

# bench_limit LABEL FILE: runs bench/limit (built as $WORK/limit) on FILE,
# writing into $WORK (the store's disk), and appends its
# "hash_s write_s max_s bytes" to $WORK/LABEL.limit (unless WARMUP=1):
# Go's crypto/sha256 of FILE, and write+fsync of a copy of it, the limit
# a capture of FILE is held to.
bench_limit() {
	local out
	# stderr (every write pass, and an O_DIRECT one) goes to LABEL.passes.
	out=$("$WORK/limit" -dir "$WORK" "$2" 2>>"$WORK/$1.passes") || {
		echo "bench: limit failed on $2" >&2
		exit 1
	}
	if [ "${WARMUP:-0}" != 1 ]; then
		echo "$out" >>"$WORK/$1.limit"
	fi
}

# bench_limit_stats LABEL COLUMN: "min median max" of a column of
# LABEL.limit (1 hash, 2 write, 3 max of the two).
bench_limit_stats() {
	awk -v c="$2" '{ print $c }' "$WORK/$1.limit" | sort -g |
		awk '{ a[NR] = $1 } END { printf "%s %s %s\n", a[1], a[int((NR + 1) / 2)], a[NR] }'
}

# bench_ratio LABEL LIMIT: "min median max" of the paired ratios
# max(hash, write) / wall of LABEL, run i against limit run i (1: the
# command runs at the limit, 0.5: it takes twice as long).
bench_ratio() {
	paste -d' ' "$WORK/$2.limit" "$WORK/$1.times" | awk '{ print $3 / $5 }' | sort -g |
		awk '{ a[NR] = $1 } END { printf "%.2f %.2f %.2f\n", a[1], a[int((NR + 1) / 2)], a[NR] }'
}

# bench_wall CMD...: wall seconds of CMD (a command or a function), its
# output discarded.
bench_wall() { local TIMEFORMAT='%R'; { time "$@" >/dev/null 2>&1; } 2>&1; }

# bench_minmedmax: "min median max" of the numbers on stdin.
bench_minmedmax() { sort -g | awk '{ a[NR] = $1 } END { printf "%s %s %s\n", a[1], a[int((NR + 1) / 2)], a[NR] }'; }

# bench_pairs DIR ROUNDS SIZE BASELINE SHORT IMPORT: ROUNDS rounds in turn,
# after a warm-up, each timing the script's pair_baseline, then
# pair_import BIN HOME with DIR/bhctl and, when BHCTL_BASE is set, with
# it, each into a fresh home in DIR whose chain is made first (untimed);
# pair_check HOME, when the script defines it, checks each new import.
# Prints the table: wall s min / median / max of each, and SHORT / import
# per round, median (min, max). SIZE says what was read ("100000 rows"),
# BASELINE and IMPORT name the rows.
bench_pairs() {
	local dir=$1 rounds=$2 size=$3 baseline=$4 short=$5 import=$6 i d n b lo md hi
	pair_home() { "$dir/bhctl" --home "$dir/pair.$1" -q chain create default >/dev/null; }
	: >"$dir/p.baseline" >"$dir/p.new" >"$dir/p.base" >"$dir/p.ratio" >"$dir/p.ratio_base"
	echo "load average before the pairs: $(cut -d' ' -f1-3 /proc/loadavg)"
	for i in $(seq 0 "$rounds"); do # round 0 is a warm-up
		pair_home "n$i"
		[[ -z ${BHCTL_BASE:-} ]] || pair_home "b$i"
		d=$(bench_wall pair_baseline)
		n=$(bench_wall pair_import "$dir/bhctl" "$dir/pair.n$i")
		if declare -F pair_check >/dev/null; then
			pair_check "$dir/pair.n$i"
		fi
		if [[ -n ${BHCTL_BASE:-} ]]; then
			b=$(bench_wall pair_import "$BHCTL_BASE" "$dir/pair.b$i")
		fi
		((i > 0)) || continue
		echo "$d" >>"$dir/p.baseline"
		echo "$n" >>"$dir/p.new"
		awk -v d="$d" -v n="$n" 'BEGIN { print d / n }' >>"$dir/p.ratio"
		if [[ -n ${BHCTL_BASE:-} ]]; then
			echo "$b" >>"$dir/p.base"
			awk -v d="$d" -v n="$b" 'BEGIN { print d / n }' >>"$dir/p.ratio_base"
		fi
	done
	echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo
	echo "| $rounds rounds, in turn ($size) | wall s min / median / max | $short / this, per round: median (min, max) |"
	echo "| --- | --- | --- |"
	echo "| $baseline | $(bench_minmedmax <"$dir/p.baseline" | sed 's| | / |g') | |"
	read -r lo md hi < <(bench_minmedmax <"$dir/p.ratio")
	echo "| $import | $(bench_minmedmax <"$dir/p.new" | sed 's| | / |g') | $md ($lo, $hi) |"
	if [[ -n ${BHCTL_BASE:-} ]]; then
		read -r lo md hi < <(bench_minmedmax <"$dir/p.ratio_base")
		echo "| base: $BHCTL_BASE | $(bench_minmedmax <"$dir/p.base" | sed 's| | / |g') | $md ($lo, $hi) |"
	fi
}
