#!/usr/bin/env bash
# bench/mongo.sh: `bhctl import mongo` of a DOCS-document collection
# (default 20,000) beside its baseline, one find of the whole collection
# sorted on _id (bench/mongofind find: what a capture must at least do),
# PAIRS rounds in turn (default 5, after one warm-up; bench_pairs in
# bench/lib.sh), the ratio find / import taken per round (issue 13 aims
# at >= 0.5).
# BHCTL_BASE=/path/to/old/bhctl adds an older build to each round.
# Needs a MongoDB-wire server at BH_TEST_MONGO (eval "$(scripts/servers up)"
# starts FerretDB); the collection is made again by each run, in BENCH_DB
# (default bhbench_mongo).
#   bench/mongo.sh
#   DOCS=5000 PAIRS=3 bench/mongo.sh
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$BENCH_ROOT"
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

pair_baseline() { "$work/mongofind" -url "$url" -coll orders find; }
pair_import() { "$1" --home "$2" -q import mongo --source "$url" --collection orders; }
pair_check() {
	local got
	got=$("$work/bhctl" --home "$1" -q walk --assets -o json | grep -c '"source":"mongo"' || true)
	[[ $got -gt 0 ]] || { echo "bench: the import captured nothing" >&2; exit 1; }
}
bench_pairs "$work" "$PAIRS" "$DOCS documents" "one sorted find (bench/mongofind)" find "bhctl import mongo (chain made before)"
