#!/usr/bin/env bash
# bench/stores.sh: the remote stores, measured (issue 3, "Measured").
#
#  1. Walk+verify of a chain of N (10,000) blocks after its root with
#     `bhctl --block-store URL --asset-store URL verify`, on MinIO (s3://),
#     MariaDB (mysql://) and FerretDB (mongodb://), beside the folder store:
#     blocks/s = (N+1) / wall seconds, min / median / max of RUNS runs, and
#     the load average at each run (the machine is shared).
#  2. `bhctl pipe` of PIPE_BYTES (256 MiB) of random bytes into MinIO, with
#     --chunk-size 1MiB and 16MiB, beside a raw upload of the same number of
#     bytes with minio-go (bench/storebench rawput): 1 MiB objects, 2 at a
#     time (pipe's appender runs GOMAXPROCS workers) and 8 at a time, and
#     one streamed object: MB/s (10^6 bytes) = bytes / wall seconds.
#
# The chains are built by bench/storebench mkchain through the library
# (several workers storing blocks and assets, then linking): making 10,000
# blocks through bhctl pipe would take far longer. Every run of pipe and
# rawput writes under a fresh prefix, so the store never holds the bytes
# already (assets are content-addressed), and the prefix is removed after.
#
# Servers: the BH_TEST_S3 / BH_TEST_MYSQL / BH_TEST_MONGO already set, else
# those of a running `scripts/servers up`, else this script starts the
# missing ones with scripts/testservers.sh (and stops only those at exit).
# It writes only to its own places: bucket BUCKET (bench-blocks), MySQL
# tables TABLE_PREFIX* (bench_*) in the database of BH_TEST_MYSQL, MongoDB
# database MONGO_DB (bhbench); all are removed at the end (KEEP=1 keeps
# them, and the work folder). REUSE=1 skips building the chains: those a
# KEEP=1 run left (same N, same places; FOLDER names its folder store).
#
#   bench/stores.sh
#   RUNS=3 N=2000 PIPE_BYTES=64MiB bench/stores.sh
#   STORES="s3 mysql" SKIP_PIPE=1 bench/stores.sh
#   STORES=s3 SKIP_VERIFY=1 bench/stores.sh      # only the pipe figures
#
# Time: over an hour on a busy 2-core machine, most of it building the
# MinIO chain (about 6 minutes) and the FerretDB chain (about 15 minutes to
# create, and about 1 link every 0.3 s there even without the driver's scan).
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
bench_need
N=${N:-10000}
PIPE_BYTES=${PIPE_BYTES:-256MiB}
PIPE_RUNS=${PIPE_RUNS:-3}
STORES=${STORES:-folder s3 mysql mongo}
BUCKET=${BUCKET:-bench-blocks}
TABLE_PREFIX=${TABLE_PREFIX:-bench_}
MONGO_DB=${MONGO_DB:-bhbench}

base=${BENCH_DIR:-${TMPDIR:-/tmp}}
WORK=$(mktemp -d "$base/bh-stores.XXXXXX")
FOLDER=${FOLDER:-$WORK/folder}
started=0
cleanup() {
	local rc=$?
	set +e
	if [ "${KEEP:-0}" != 1 ] && [ -n "${SB:-}" ]; then
		[ -n "${S3_ROOT:-}" ] && "$SB" clean -s3 "$S3_ROOT/$BUCKET$S3_Q"
		[ -n "${MY_URL:-}" ] && "$SB" clean -mysql "$MY_URL"
		[ -n "${MG_URL:-}" ] && "$SB" clean -mongo "$MG_URL"
	fi
	if [ "$started" = 1 ]; then
		bh_servers_down
	fi
	[ "${KEEP:-0}" = 1 ] || rm -rf "$WORK" "$FOLDER"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- servers
# shellcheck source=scripts/testservers.sh
source "$BENCH_ROOT/scripts/testservers.sh"
want_s3=0 want_my=0 want_mg=0
for s in $STORES; do
	case $s in
	s3) want_s3=1 ;; mysql) want_my=1 ;; mongo) want_mg=1 ;; folder) ;;
	*) echo "bench: unknown store '$s' in STORES (folder s3 mysql mongo)" >&2; exit 2 ;;
	esac
done
if { [ $want_s3 = 1 ] && [ -z "${BH_TEST_S3:-}" ]; } || { [ $want_mg = 1 ] && [ -z "${BH_TEST_MONGO:-}" ]; } ||
	{ [ $want_my = 1 ] && [ -z "${BH_TEST_MYSQL:-}" ]; }; then
	# Someone's `scripts/servers up`: reuse what it runs, never stop it.
	if envs=$("$BENCH_ROOT/scripts/servers" status 2>/dev/null); then
		for v in BH_TEST_S3 BH_TEST_MONGO BH_TEST_MYSQL; do
			if [ -z "${!v:-}" ]; then
				val=$(sed -n "s/^export $v='\(.*\)'$/\1/p" <<<"$envs")
				[ -n "$val" ] && export "$v=$val"
			fi
		done
	fi
fi
missing=()
[ $want_s3 = 1 ] && [ -z "${BH_TEST_S3:-}" ] && missing+=(minio)
[ $want_mg = 1 ] && [ -z "${BH_TEST_MONGO:-}" ] && missing+=(mongo)
[ $want_my = 1 ] && [ -z "${BH_TEST_MYSQL:-}" ] && missing+=(mysql)
if [ ${#missing[@]} -gt 0 ]; then
	keep_s3=${BH_TEST_S3:-} keep_mg=${BH_TEST_MONGO:-} keep_my=${BH_TEST_MYSQL:-}
	unset BH_TEST_DIR # never bh_servers_down someone else's run
	BH_TEST_SERVERS=$(IFS=,; echo "${missing[*]}")
	export BH_TEST_SERVERS
	started=1
	bh_servers_up
	[ -n "$keep_s3" ] && export BH_TEST_S3=$keep_s3
	[ -n "$keep_mg" ] && export BH_TEST_MONGO=$keep_mg
	[ -n "$keep_my" ] && export BH_TEST_MYSQL=$keep_my
fi

# Our own places on those servers.
S3_ROOT='' MY_URL='' MG_URL=''
if [ $want_s3 = 1 ]; then
	S3_ROOT=${BH_TEST_S3%%\?*}     # s3://key:secret@host:port/bucket
	S3_ROOT=${S3_ROOT%/*}          # s3://key:secret@host:port
	S3_Q='?secure=false'
	[[ $BH_TEST_S3 == *secure=true* ]] && S3_Q=''
fi
[ $want_my = 1 ] && MY_URL="${BH_TEST_MYSQL%%\?*}?table_prefix=$TABLE_PREFIX"
[ $want_mg = 1 ] && MG_URL="${BH_TEST_MONGO%/*}/$MONGO_DB"

# ---------------------------------------------------------------- build
(cd "$BENCH_ROOT" && go build -o "$WORK/bhctl" ./cmd/bhctl && go build -o "$WORK/storebench" ./bench/storebench)
SB=$WORK/storebench
redact() { sed -E 's#(s3://[^:/@]*:)[^@]*@#\1xxxxx@#g'; }
# mm FILE: "min median max" of a column of numbers.
mm() { sort -g "$1" | awk '{ a[NR] = $1 } END { printf "%s %s %s\n", a[1], a[int((NR + 1) / 2)], a[NR] }'; }

declare -A BURL # store -> URL the chain is read from
VSTORES=$STORES
[ "${SKIP_VERIFY:-0}" = 1 ] && VSTORES=''
for s in $VSTORES; do
	case $s in
	folder) mk="file://$FOLDER?nosync=1" BURL[$s]=$FOLDER ;;
	s3) mk="$S3_ROOT/$BUCKET/verify$S3_Q" BURL[$s]=$mk ;;
	mysql) mk=$MY_URL BURL[$s]=$mk ;;
	mongo) mk=$MG_URL BURL[$s]=$mk ;;
	esac
	[ "${REUSE:-0}" = 1 ] && continue
	# Leftovers of an earlier run that was killed.
	case $s in
	folder) rm -rf "$FOLDER" ;;
	s3) "$SB" clean -s3 "$S3_ROOT/$BUCKET$S3_Q" ;;
	mysql) "$SB" clean -mysql "$MY_URL" ;;
	mongo) "$SB" clean -mongo "$MG_URL" ;;
	esac
	echo "building a chain of $N blocks on $s ($(cut -d' ' -f1-3 /proc/loadavg))" >&2
	workers=8
	# FerretDB (SQLite) serialises writes: fewer workers there.
	[ "$s" = folder ] || [ "$s" = mongo ] && workers=2
	timeout 3000 "$SB" mkchain -blocks "$mk" -n "$N" -chain bench -workers "$workers" >/dev/null 2> >(redact >&2)
done

bench_machine | redact
echo "$RUNS runs of each after one warm-up, round by round; chains of $N blocks after the root"

# ---------------------------------------------------------------- verify
round() {
	for s in $VSTORES; do
		u=${BURL[$s]}
		cut -d' ' -f1 /proc/loadavg >>"$WORK/v-$s.load"
		bench_run "v-$s" "'$WORK/bhctl' --block-store '$u' --asset-store '$u' --chain bench -q verify"
	done
}
if [ -n "$VSTORES" ]; then
	WARMUP=1 round
	rm -f "$WORK"/v-*.load
	for _ in $(seq "$RUNS"); do
		round
	done
	bench_load

printf '\n%-7s %-24s %-26s %-18s %-14s %s\n' store "wall s (min med max)" "blocks/s (min med max)" "load 1m (min-max)" "bhctl cpu s(med)" "max RSS MiB(med)"
for s in $VSTORES; do
	read -r lo med hi < <(bench_stats "v-$s" 1)
	read -r llo _ lhi < <(mm "$WORK/v-$s.load")
	printf '%-7s %-24s %-26s %-18s %-14s %s\n' "$s" "$lo $med $hi" \
		"$(awk -v n="$N" -v a="$hi" -v b="$med" -v c="$lo" 'BEGIN { printf "%.0f %.0f %.0f", (n + 1) / a, (n + 1) / b, (n + 1) / c }')" \
		"$llo-$lhi" "$(bench_median "v-$s" 5)" "$(awk -v k="$(bench_median "v-$s" 4)" 'BEGIN { printf "%.1f", k / 1024 }')"
done
fi

# ---------------------------------------------------------------- pipe
if [ "${SKIP_PIPE:-0}" = 1 ] || [ $want_s3 = 0 ]; then
	exit 0
fi
bytes=$(numfmt --from=auto "${PIPE_BYTES%B}")
head -c "$bytes" /dev/urandom >"$WORK/input"
echo
echo "pipe: $PIPE_BYTES ($bytes bytes) of random bytes into MinIO; $PIPE_RUNS runs of each, round by round"
prun() { # LABEL CMD: one run under a fresh prefix, then that prefix removed
	local label=$1 cmd=$2 p
	p="$S3_ROOT/$BUCKET/$label-$RANDOM$RANDOM$S3_Q"
	cut -d' ' -f1 /proc/loadavg >>"$WORK/$label.load"
	bench_run "$label" "${cmd//@URL@/$p}"
	"$SB" clean -s3 "$p" 2>/dev/null
}
pround() {
	prun pipe-1m "'$WORK/bhctl' --block-store '@URL@' --asset-store '@URL@' --chain bench -q pipe --chunk-size 1MiB <'$WORK/input'"
	prun pipe-16m "'$WORK/bhctl' --block-store '@URL@' --asset-store '@URL@' --chain bench -q pipe --chunk-size 16MiB <'$WORK/input'"
	prun raw-1m-p2 "'$SB' rawput -s3 '@URL@' -bytes $bytes -object 1MiB -parallel 2"
	prun raw-1m-p8 "'$SB' rawput -s3 '@URL@' -bytes $bytes -object 1MiB -parallel 8"
	prun raw-stream "'$SB' rawput -s3 '@URL@' -bytes $bytes -object 0"
}
WARMUP=1 pround
rm -f "$WORK"/*.load
for _ in $(seq "$PIPE_RUNS"); do
	pround
done
bench_load
printf '\n%-11s %-24s %-22s %-18s %s\n' what "wall s (min med max)" "MB/s (min med max)" "load 1m (min-max)" "client cpu s(med)"
for l in pipe-1m pipe-16m raw-1m-p2 raw-1m-p8 raw-stream; do
	read -r lo med hi < <(bench_stats "$l" 1)
	read -r llo _ lhi < <(mm "$WORK/$l.load")
	printf '%-11s %-24s %-22s %-18s %s\n' "$l" "$lo $med $hi" \
		"$(awk -v n="$bytes" -v a="$hi" -v b="$med" -v c="$lo" 'BEGIN { printf "%.1f %.1f %.1f", n / 1e6 / a, n / 1e6 / b, n / 1e6 / c }')" \
		"$llo-$lhi" "$(bench_median "$l" 5)"
done
