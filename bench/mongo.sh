#!/usr/bin/env bash
# bench/mongo.sh: `bhctl import mongo` of a DOCS-document collection
# (default 20,000) beside its baseline, one find of the whole collection
# sorted on _id (bench/mongofind find: what a capture must at least do),
# PAIRS rounds in turn (default 5, after one warm-up), the ratio
# find / import taken per round (issue 13 aims at >= 0.5).
# BHCTL_BASE=/path/to/old/bhctl adds an older build to each round.
# Needs a MongoDB-wire server at BH_TEST_MONGO (eval "$(scripts/servers up)"
# starts FerretDB); the collection is made again by each run, in BENCH_DB
# (default bhbench_mongo).
#   bench/mongo.sh
#   DOCS=5000 PAIRS=3 bench/mongo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DOCS=${DOCS:-20000}
PAIRS=${PAIRS:-5}
DB=${BENCH_DB:-bhbench_mongo}
url=${BH_TEST_MONGO:?BH_TEST_MONGO not set: eval "\$(scripts/servers up)" first}
url="${url%/*}/$DB"
work=$(mktemp -d "${TMPDIR:-/tmp}/bh-bench-mongo.XXXXXX")
trap 'rm -rf "$work"' EXIT
go build -o "$work/bhctl" ./cmd/bhctl
go build -o "$work/mongofind" ./bench/mongofind

echo "# filling $DB.orders with $DOCS documents" >&2
"$work/mongofind" -url "$url" -coll orders fill "$DOCS" >&2

wall() { local TIMEFORMAT='%R'; { time "$@" >/dev/null 2>&1; } 2>&1; }
med() { sort -g | awk '{ a[NR] = $1 } END { printf "%s / %s / %s", a[1], a[int((NR + 1) / 2)], a[NR] }'; }
# home N: a home with its chain made, not timed.
home() { "$work/bhctl" --home "$work/h.$1" -q chain create default >/dev/null; }
imp() { wall "$1" --home "$work/h.$2" -q import mongo --source "$url" --collection orders; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
: >"$work/find" >"$work/new" >"$work/base" >"$work/ratio" >"$work/ratio_base"
for i in $(seq 0 "$PAIRS"); do # round 0 is a warm-up
	home "n$i"
	[[ -z ${BHCTL_BASE:-} ]] || home "b$i"
	f=$(wall "$work/mongofind" -url "$url" -coll orders find)
	n=$(imp "$work/bhctl" "n$i")
	got=$("$work/bhctl" --home "$work/h.n$i" -q walk --assets -o json | grep -c '"source":"mongo"' || true)
	[[ $got -gt 0 ]] || { echo "bench: the import captured nothing" >&2; exit 1; }
	if [[ -n ${BHCTL_BASE:-} ]]; then
		b=$(imp "$BHCTL_BASE" "b$i")
	fi
	((i > 0)) || continue
	echo "$f" >>"$work/find"
	echo "$n" >>"$work/new"
	awk -v f="$f" -v n="$n" 'BEGIN { printf "%.2f\n", f / n }' >>"$work/ratio"
	if [[ -n ${BHCTL_BASE:-} ]]; then
		echo "$b" >>"$work/base"
		awk -v f="$f" -v n="$b" 'BEGIN { printf "%.2f\n", f / n }' >>"$work/ratio_base"
	fi
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| $PAIRS rounds, in turn ($DOCS documents) | wall s min / median / max | find / this, per round: min / median / max |"
echo "| --- | --- | --- |"
echo "| one sorted find (bench/mongofind) | $(med <"$work/find") | |"
echo "| bhctl import mongo (chain made before) | $(med <"$work/new") | $(med <"$work/ratio") |"
if [[ -n ${BHCTL_BASE:-} ]]; then
	echo "| base: $BHCTL_BASE | $(med <"$work/base") | $(med <"$work/ratio_base") |"
fi
