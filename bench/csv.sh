#!/usr/bin/env bash
# bench/csv.sh: `bhctl import csv big.csv --rows=1000` of an emitted CSV
# of SIZE (default 1G), into a fresh folder store, beside the coreutils
# baseline of issue 4: `split -l 1000` into a fresh folder, then
# sha256sum of the pieces. The input is read once first, so every command
# reads it from the page cache.
#
# Variants, to tell where the time goes (VARIANTS picks them):
#   import         the import with its defaults (--sensitive=warn)
#   import_nosens  the same with --sensitive=off (no sensitive-data scan)
#   import_base    import with $BHCTL_BASE, an older build (before/after)
#   import_nosync  --sensitive=off into a ?nosync=1 folder store (no fsync
#                  per asset and block: the connector, hashing and the
#                  store's file writes)
#   dryrun         --dry-run --sensitive=off: the connector and the hashes,
#                  nothing written
#   reimport       the import again into a store that holds every asset
#                  already (made once, untimed): each put compares the
#                  chunk with the stored file, which it replaces if
#                  damaged; not in the default VARIANTS
#   split_sha      the coreutils baseline of issue 4
#   limit          not a variant: bench/limit runs before every import*
#                  variant (paired), timing Go's crypto/sha256 of the
#                  file and a durable write of it (write + fsync); the
#                  ratio max(hash, write) / import per pair is the figure
#                  issue 13 aims at (>= 0.8)
#
#   bench/csv.sh                         # 1 GiB, 5 runs of each
#   SIZE=256M RUNS=3 bench/csv.sh        # quicker
#   BENCH_DIR=/data bench/csv.sh         # on another disk
#   BHCTL_BASE=/tmp/bhctl-old VARIANTS="import import_base" bench/csv.sh
#                                        # pair an older build (before/after)
#
# Aims: the import at least as fast as split_sha (issue 4), and at >= 0.8
# of max(hash, write) of the same bytes (issue 13).
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
bench_need
bench_workdir
SIZE=${SIZE:-1G}
VARIANTS=${VARIANTS:-"import import_nosens import_nosync dryrun split_sha"}

bench_build bhctl ./cmd/bhctl
bench_build limit ./bench/limit
(cd "$BENCH_ROOT" && go run ./examples/emitter csv --bytes "$SIZE" --out "$WORK/big.csv")
cat "$WORK/big.csv" >/dev/null
sync
bytes=$(stat -c %s "$WORK/big.csv")
# The emitter's default rows have no line breaks inside fields.
rows=$(($(wc -l <"$WORK/big.csv") - 1))
assets=$(((rows + 999) / 1000))
bench_machine
echo "input: $bytes bytes, $rows rows ($assets assets of 1,000 rows); $RUNS runs of each after one warm-up"

bh="'$WORK/bhctl' -q"
once() {
	local v=$1
	# A home (and pieces folder) per run, removed only at the end: see
	# bench/pipe.sh on ext4's inode allocator after a mass removal.
	seq_home=$((seq_home + 1))
	local home="$WORK/home.$seq_home"
	sync
	if [[ $v == import* ]]; then
		bench_limit "limit_$v" "$WORK/big.csv"
	fi
	case $v in
	import) bench_run "$v" "$bh --home '$home' import csv '$WORK/big.csv' --rows=1000" ;;
	import_base) bench_run "$v" "'$BHCTL_BASE' -q --home '$home' import csv '$WORK/big.csv' --rows=1000" ;;
	import_nosens) bench_run "$v" "$bh --home '$home' import csv '$WORK/big.csv' --rows=1000 --sensitive=off" ;;
	import_nosync) bench_run "$v" "$bh --home '$home' --block-store 'file://$home?nosync=1' --asset-store 'file://$home?nosync=1' import csv '$WORK/big.csv' --rows=1000 --sensitive=off" ;;
	dryrun) bench_run "$v" "$bh --home '$home' import csv '$WORK/big.csv' --rows=1000 --sensitive=off --dry-run" ;;
	reimport)
		if [ ! -d "$WORK/full" ]; then
			"$WORK/bhctl" -q --home "$WORK/full" import csv "$WORK/big.csv" --rows=1000 >/dev/null
			sync
		fi
		bench_run "$v" "$bh --home '$WORK/full' import csv '$WORK/big.csv' --rows=1000"
		;;
	split_sha) bench_run "$v" "mkdir '$home' && split -l 1000 '$WORK/big.csv' '$home/x' && find '$home' -type f -print0 | xargs -0 sha256sum >/dev/null" ;;
	*)
		echo "bench: unknown variant $v" >&2
		exit 2
		;;
	esac
	if [[ $v == import* ]]; then
		local got
		got=$("$WORK/bhctl" -q --home "$home" walk --assets -o json | grep -c '"text/csv"')
		if [ "$got" != "$assets" ]; then
			echo "bench: $v left $got assets on the chain, want $assets" >&2
			exit 1
		fi
	fi
}
seq_home=0
round() {
	for v in $VARIANTS; do
		once "$v"
	done
}

bench_rounds round
rm -rf "$WORK"/home.* "$WORK/full"
bench_load

mbs() { awk -v b="$bytes" -v s="$1" 'BEGIN { printf "%.0f", b / 1e6 / s }'; }
krows() { awk -v r="$rows" -v s="$1" 'BEGIN { printf "%.0f", r / 1e3 / s }'; }
printf '\n%-14s %-26s %8s %10s %12s %12s\n' command "wall s (min median max)" "MB/s" "krows/s" "cpu s (med)" "RSS MiB(med)"
for v in $VARIANTS; do
	read -r lo med hi < <(bench_stats "$v" 1)
	printf '%-14s %-26s %8s %10s %12s %12s\n' "$v" "$lo $med $hi" "$(mbs "$med")" "$(krows "$med")" \
		"$(bench_median "$v" 5)" "$(awk -v k="$(bench_median "$v" 4)" 'BEGIN { printf "%.1f", k / 1024 }')"
done
echo
for v in $VARIANTS; do
	if [[ $v == import* ]]; then
		read -r lo med hi < <(bench_limit_stats "limit_$v" 3)
		read -r rlo rmed rhi < <(bench_ratio "$v" "limit_$v")
		echo "$v: limit max(hash, write) $med s (min $lo, max $hi); limit / $v per pair = $rmed (min $rlo, max $rhi); aim: 0.8"
	fi
done
