# shellcheck shell=bash
# scripts/testservers.sh: the servers BlockHub's tests talk to.
#
# Meant to be sourced, not run:
#
#     source scripts/testservers.sh
#     trap bh_servers_down EXIT
#     bh_servers_up
#     go test ./...
#
# bh_servers_up starts, on 127.0.0.1 only, on free ports, with data in a fresh
# temp folder, the servers named in BH_TEST_SERVERS (comma list, default
# "minio,mongo,mysql,amqp,chromium"), waits until each answers, and exports:
#
#   BH_TEST_S3             s3://KEY:SECRET@127.0.0.1:PORT/bhtest?secure=false  (MinIO)
#   BH_TEST_S3_ENDPOINT    127.0.0.1:PORT
#   BH_TEST_S3_ACCESS_KEY, BH_TEST_S3_SECRET_KEY
#   BH_TEST_MINIO_BIN      the minio binary (a cluster test may start more servers)
#   BH_TEST_MINIO_DIR      an empty folder for such extra servers' data
#   BH_TEST_MONGO          mongodb://127.0.0.1:PORT/bhtest                    (FerretDB)
#   BH_TEST_FERRETDB_BIN   the ferretdb binary (a test may start a private one)
#   BH_TEST_MYSQL          mysql://root@127.0.0.1:3306/bhtest                 (MariaDB)
#   BH_TEST_AMQP           amqp://guest:guest@127.0.0.1:5672/                 (RabbitMQ)
#   BH_TEST_CHROMIUM       /usr/bin/chromium   (no server: the browser the console's tests drive)
#   BH_TEST_DIR            the temp folder (data and logs: BH_TEST_DIR/*.log)
#
# MinIO and FerretDB are started by this script (and built into
# ${BH_CACHE:-$HOME/.cache/blockhub}/bin on first use). MariaDB and RabbitMQ
# are the machine's services: they are used where they run, started (or
# installed with apt-get, as root) where they do not, and left running.
# Chromium (the Debian package chromium) is installed with apt-get, as
# root, where it is missing; the tests start it themselves.
#
# bh_servers_down stops only the processes bh_servers_up started, by the pids
# it saved, and removes the temp folder. It is idempotent.
#
# Knobs: BH_CACHE (cache folder), BH_TEST_WAIT (seconds to wait for a server,
# default 60), BH_TEST_BUILD_WAIT (seconds for a build, default 900: MinIO's
# first build takes several minutes on 2 cores), BH_TEST_MYSQL_PORT (3306),
# BH_TEST_AMQP_PORT (5672), BH_TEST_KEEP=1 (bh_servers_down keeps the temp
# folder with the servers' logs).
#
# Safe to source from a shell running with `set -euo pipefail`: every
# function checks its own errors and returns non-zero with a line on stderr
# naming the server and its log file.

BH_MINIO_MODULE=github.com/minio/minio
BH_MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c

# Folder of this file (the repository's scripts/), resolved once at source time.
_BH_SCRIPTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
_BH_REPO_ROOT=$(cd "$_BH_SCRIPTS_DIR/.." && pwd)

_bh_log() { printf 'testservers: %s\n' "$*" >&2; }
_bh_err() { printf 'testservers: ERROR: %s\n' "$*" >&2; }

_bh_cache_dir() { printf '%s\n' "${BH_CACHE:-${HOME:-/tmp}/.cache/blockhub}"; }
_bh_bin_dir() { printf '%s/bin\n' "$(_bh_cache_dir)"; }

# _bh_want NAME: is NAME in BH_TEST_SERVERS?
_bh_want() {
	local list=",${BH_TEST_SERVERS-minio,mongo,mysql,amqp,chromium},"
	list=${list// /}
	[[ $list == *",$1,"* ]]
}

# _bh_free_ports N: print N distinct free TCP ports on 127.0.0.1, one a line.
_bh_free_ports() {
	local n=$1
	if command -v python3 >/dev/null 2>&1; then
		python3 - "$n" <<'PY' && return 0
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    socks.append(s)
for s in socks:
    print(s.getsockname()[1])
for s in socks:
    s.close()
PY
	fi
	# Fallback: random ports in 20000-59999 that nothing answers on.
	local found=() p tries=0
	while ((${#found[@]} < n)); do
		((tries++ < 1000)) || { _bh_err "no free port found"; return 1; }
		p=$((20000 + RANDOM % 40000))
		[[ " ${found[*]} " == *" $p "* ]] && continue
		_bh_port_open 127.0.0.1 "$p" && continue
		found+=("$p")
	done
	printf '%s\n' "${found[@]}"
}

# _bh_port_open HOST PORT: does something accept TCP connections there?
_bh_port_open() {
	(exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

# _bh_http_ok HOST PORT PATH: does a GET answer 200? (In a subshell, so no
# file descriptor of the caller is touched.)
_bh_http_ok() {
	local line
	line=$(
		exec 2>/dev/null
		exec 3<>"/dev/tcp/$1/$2" || exit 1
		printf 'GET %s HTTP/1.0\r\nHost: %s:%s\r\nConnection: close\r\n\r\n' "$3" "$1" "$2" >&3
		IFS= read -r -t 5 l <&3 && printf '%s' "$l"
	) || return 1
	[[ $line == HTTP/1.?" 200"* ]]
}

# _bh_amqp_ok HOST PORT: does an AMQP 0-9-1 broker answer the protocol header
# with a method frame (Connection.Start, frame type 1)?
_bh_amqp_ok() {
	(
		exec 2>/dev/null
		exec 3<>"/dev/tcp/$1/$2" || exit 1
		printf 'AMQP\000\000\011\001' >&3
		IFS= read -r -n 1 -t 5 b <&3 || exit 1
		[[ $b == $'\001' ]]
	)
}

# _bh_mysql_client: print the mariadb or mysql client's path.
_bh_mysql_client() {
	command -v mariadb 2>/dev/null || command -v mysql 2>/dev/null || return 1
}

# _bh_mysql_ok: does MariaDB answer `select 1` as root over TCP?
_bh_mysql_ok() {
	local client
	client=$(_bh_mysql_client) || return 1
	"$client" --protocol=tcp -h127.0.0.1 -P"${BH_TEST_MYSQL_PORT:-3306}" -uroot \
		--connect-timeout=3 -N -e 'select 1' >/dev/null 2>&1
}

# _bh_alive PID: is that process still there (and not a zombie)?
_bh_alive() {
	local state=""
	kill -0 "$1" 2>/dev/null || return 1
	state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	[[ $state != Z* ]]
}

# _bh_wait NAME LOGFILE PID TIMEOUT CMD...: run CMD every 0.2 s until it
# succeeds; fail (naming NAME and LOGFILE) on timeout, or at once if PID
# (when not empty) has died.
_bh_wait() {
	local name=$1 log=$2 pid=$3 timeout=$4
	shift 4
	local start=$SECONDS
	while ! "$@"; do
		if [[ -n $pid ]] && ! _bh_alive "$pid"; then
			_bh_err "$name exited while starting; its log is $log:"
			[[ -f $log ]] && tail -n 30 "$log" | sed 's/^/    /' >&2
			return 1
		fi
		if ((SECONDS - start >= timeout)); then
			_bh_err "$name did not answer within ${timeout}s; its log is $log:"
			[[ -f $log ]] && tail -n 30 "$log" | sed 's/^/    /' >&2
			return 1
		fi
		sleep 0.2
	done
}

# _bh_start NAME BIN ARGS...: start BIN in the background with its output in
# $BH_TEST_DIR/NAME.log; record "NAME PID BIN" in $BH_TEST_DIR/pids and set
# _BH_PID. Extra environment may be passed by the caller with `env`-style
# assignments in _BH_START_ENV (an array).
_bh_start() {
	local name=$1 bin=$2
	shift 2
	local log="$BH_TEST_DIR/$name.log"
	env ${_BH_START_ENV[@]+"${_BH_START_ENV[@]}"} "$bin" "$@" >"$log" 2>&1 </dev/null &
	_BH_PID=$!
	printf '%s %s %s\n' "$name" "$_BH_PID" "$bin" >>"$BH_TEST_DIR/pids"
}

# _bh_stop_pid NAME PID BIN: SIGTERM the process if it still runs BIN, wait up
# to 20 s, then SIGKILL.
_bh_stop_pid() {
	local name=$1 pid=$2 bin=$3 exe="" i
	[[ $pid =~ ^[0-9]+$ ]] || return 0
	_bh_alive "$pid" || return 0
	exe=$(readlink "/proc/$pid/exe" 2>/dev/null || true)
	exe=${exe% (deleted)}
	if [[ -n $exe && $exe != "$bin" ]]; then
		# pid reused by someone else's process: leave it alone.
		return 0
	fi
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 100; i++)); do
		_bh_alive "$pid" || break
		sleep 0.2
	done
	if _bh_alive "$pid"; then
		_bh_log "$name (pid $pid) ignored SIGTERM for 20s; killing it"
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
	_bh_log "$name stopped (pid $pid)"
}

# ---------------------------------------------------------------- builds

# _bh_go_mod_version BIN MODULE: print the version of MODULE that BIN was
# built from (empty when unknown).
_bh_go_mod_version() {
	local info
	info=$(go version -m "$1" 2>/dev/null) || return 0
	awk -v m="$2" '$1 == "mod" && $2 == m { print $3; exit }' <<<"$info"
}

# _bh_ensure_minio: make sure $(_bh_bin_dir)/minio is the pinned version;
# print its path.
_bh_ensure_minio() {
	local bindir bin gopath_bin v
	bindir=$(_bh_bin_dir)
	bin="$bindir/minio"
	mkdir -p "$bindir" || return 1
	if [[ -x $bin && $(_bh_go_mod_version "$bin" "$BH_MINIO_MODULE") == "$BH_MINIO_VERSION" ]]; then
		printf '%s\n' "$bin"
		return 0
	fi
	# One build at a time: another run may be building it right now.
	(
		flock -w "${BH_TEST_BUILD_WAIT:-900}" 9 || { _bh_err "timed out waiting for another MinIO build (lock $bindir/.minio.lock)"; exit 1; }
		if [[ -x $bin && $(_bh_go_mod_version "$bin" "$BH_MINIO_MODULE") == "$BH_MINIO_VERSION" ]]; then
			exit 0
		fi
		gopath_bin="$(go env GOPATH 2>/dev/null | cut -d: -f1)/bin/minio"
		if [[ -x $gopath_bin ]]; then
			v=$(_bh_go_mod_version "$gopath_bin" "$BH_MINIO_MODULE")
			if [[ $v == "$BH_MINIO_VERSION" ]]; then
				_bh_log "minio: copying the pinned build from $gopath_bin"
				cp "$gopath_bin" "$bin.tmp.$$" && mv -f "$bin.tmp.$$" "$bin" && exit 0
				rm -f "$bin.tmp.$$"
			fi
		fi
		local tmpbin
		tmpbin=$(mktemp -d "$bindir/.minio-build.XXXXXX") || exit 1
		_bh_log "minio: building $BH_MINIO_MODULE@$BH_MINIO_VERSION (first time: several minutes; log $bindir/minio-build.log)"
		local start=$SECONDS
		if ! GOBIN="$tmpbin" GOWORK=off GOFLAGS=-buildvcs=false timeout "${BH_TEST_BUILD_WAIT:-900}" \
			go install "$BH_MINIO_MODULE@$BH_MINIO_VERSION" >"$bindir/minio-build.log" 2>&1; then
			_bh_err "building minio failed or took over ${BH_TEST_BUILD_WAIT:-900}s; see $bindir/minio-build.log:"
			tail -n 20 "$bindir/minio-build.log" | sed 's/^/    /' >&2
			rm -rf "$tmpbin"
			exit 1
		fi
		mv -f "$tmpbin/minio" "$bin" && rm -rf "$tmpbin" || exit 1
		_bh_log "minio: built in $((SECONDS - start))s"
	) 9>"$bindir/.minio.lock" || return 1
	printf '%s\n' "$bin"
}

# _bh_ferretdb_key: a hash of what the ferretdb binary is built from.
_bh_ferretdb_key() {
	local mod="$_BH_REPO_ROOT/internal/testservers"
	{
		go env GOVERSION 2>/dev/null
		cat "$mod/go.mod" "$mod/go.sum"
		find "$mod/cmd/ferretdb" -type f -name '*.go' -print0 | LC_ALL=C sort -z | xargs -0 cat
	} | sha256sum | cut -d' ' -f1
}

# _bh_ensure_ferretdb: build internal/testservers/cmd/ferretdb into the cache
# when its sources changed; print its path.
_bh_ensure_ferretdb() {
	local bindir bin key mod="$_BH_REPO_ROOT/internal/testservers"
	bindir=$(_bh_bin_dir)
	bin="$bindir/ferretdb"
	mkdir -p "$bindir" || return 1
	[[ -f $mod/go.mod ]] || { _bh_err "mongo: $mod/go.mod is missing"; return 1; }
	key=$(_bh_ferretdb_key) || return 1
	if [[ -x $bin && -f $bin.key && $(<"$bin.key") == "$key" ]]; then
		printf '%s\n' "$bin"
		return 0
	fi
	(
		flock -w "${BH_TEST_BUILD_WAIT:-900}" 9 || { _bh_err "timed out waiting for another ferretdb build"; exit 1; }
		if [[ -x $bin && -f $bin.key && $(<"$bin.key") == "$key" ]]; then
			exit 0
		fi
		_bh_log "mongo: building internal/testservers/cmd/ferretdb (first time: a minute or two; log $bindir/ferretdb-build.log)"
		local start=$SECONDS
		if ! (cd "$mod" && GOWORK=off GOFLAGS=-buildvcs=false timeout "${BH_TEST_BUILD_WAIT:-900}" \
			go build -o "$bin.tmp.$$" ./cmd/ferretdb) >"$bindir/ferretdb-build.log" 2>&1; then
			_bh_err "building ferretdb failed; see $bindir/ferretdb-build.log:"
			tail -n 20 "$bindir/ferretdb-build.log" | sed 's/^/    /' >&2
			rm -f "$bin.tmp.$$"
			exit 1
		fi
		mv -f "$bin.tmp.$$" "$bin" && printf '%s\n' "$key" >"$bin.key" || exit 1
		_bh_log "mongo: ferretdb built in $((SECONDS - start))s"
	) 9>"$bindir/.ferretdb.lock" || return 1
	printf '%s\n' "$bin"
}

# ---------------------------------------------------------------- servers

# _bh_s3_make_bucket ENDPOINT KEY SECRET BUCKET: create a bucket with a
# SigV4-signed PUT (python3, standard library only). Best effort.
_bh_s3_make_bucket() {
	command -v python3 >/dev/null 2>&1 || return 1
	python3 - "$@" <<'PY'
import datetime, hashlib, hmac, http.client, sys
endpoint, key, secret, bucket = sys.argv[1:5]
region, service = "us-east-1", "s3"
now = datetime.datetime.now(datetime.timezone.utc)
amzdate, datestamp = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
payload = hashlib.sha256(b"").hexdigest()
headers = {"host": endpoint, "x-amz-content-sha256": payload, "x-amz-date": amzdate}
signed = ";".join(sorted(headers))
canonical = "\n".join(["PUT", "/" + bucket, "",
    "".join(f"{k}:{headers[k]}\n" for k in sorted(headers)), signed, payload])
scope = f"{datestamp}/{region}/{service}/aws4_request"
tosign = "\n".join(["AWS4-HMAC-SHA256", amzdate, scope, hashlib.sha256(canonical.encode()).hexdigest()])
def h(k, m): return hmac.new(k, m.encode(), hashlib.sha256).digest()
k = h(h(h(h(("AWS4" + secret).encode(), datestamp), region), service), "aws4_request")
sig = hmac.new(k, tosign.encode(), hashlib.sha256).hexdigest()
headers["authorization"] = f"AWS4-HMAC-SHA256 Credential={key}/{scope}, SignedHeaders={signed}, Signature={sig}"
c = http.client.HTTPConnection(endpoint, timeout=10)
c.request("PUT", "/" + bucket, body=b"", headers=headers)
r = c.getresponse()
body = r.read().decode(errors="replace")
if r.status == 200 or "BucketAlreadyOwnedByYou" in body:
    sys.exit(0)
sys.stderr.write(f"create bucket {bucket}: HTTP {r.status}: {body[:300]}\n")
sys.exit(1)
PY
}

_bh_up_minio() {
	local bin ports port cport key=bhtestkey secret=bhtestsecret1234
	bin=$(_bh_ensure_minio) || return 1
	ports=$(_bh_free_ports 2) || return 1
	port=$(sed -n 1p <<<"$ports")
	cport=$(sed -n 2p <<<"$ports")
	mkdir -p "$BH_TEST_DIR/minio/data" "$BH_TEST_DIR/minio/extra" || return 1
	_BH_START_ENV=(MINIO_ROOT_USER="$key" MINIO_ROOT_PASSWORD="$secret"
		MINIO_CI_CD=1 MINIO_UPDATE=off MINIO_CALLHOME_ENABLE=off)
	_bh_start minio "$bin" server "$BH_TEST_DIR/minio/data" \
		--address "127.0.0.1:$port" --console-address "127.0.0.1:$cport" --quiet
	_BH_START_ENV=()
	_bh_wait minio "$BH_TEST_DIR/minio.log" "$_BH_PID" "${BH_TEST_WAIT:-60}" \
		_bh_http_ok 127.0.0.1 "$port" /minio/health/live || return 1
	# Readiness (not only liveness) before the first request.
	_bh_wait minio "$BH_TEST_DIR/minio.log" "$_BH_PID" "${BH_TEST_WAIT:-60}" \
		_bh_http_ok 127.0.0.1 "$port" /minio/health/ready || return 1
	if ! _bh_s3_make_bucket "127.0.0.1:$port" "$key" "$secret" bhtest; then
		_bh_log "minio: could not create bucket bhtest (tests must create it themselves)"
	fi
	export BH_TEST_MINIO_BIN=$bin
	export BH_TEST_MINIO_DIR="$BH_TEST_DIR/minio/extra"
	export BH_TEST_S3_ENDPOINT="127.0.0.1:$port"
	export BH_TEST_S3_ACCESS_KEY=$key
	export BH_TEST_S3_SECRET_KEY=$secret
	export BH_TEST_S3="s3://$key:$secret@127.0.0.1:$port/bhtest?secure=false"
	_bh_log "minio up on 127.0.0.1:$port (pid $_BH_PID, console 127.0.0.1:$cport)"
}

_bh_up_mongo() {
	local bin port
	bin=$(_bh_ensure_ferretdb) || return 1
	port=$(_bh_free_ports 1) || return 1
	mkdir -p "$BH_TEST_DIR/ferretdb" || return 1
	_bh_start ferretdb "$bin" -listen "127.0.0.1:$port" -dir "$BH_TEST_DIR/ferretdb"
	_bh_wait "mongo (ferretdb)" "$BH_TEST_DIR/ferretdb.log" "$_BH_PID" "${BH_TEST_WAIT:-60}" \
		_bh_port_open 127.0.0.1 "$port" || return 1
	export BH_TEST_FERRETDB_BIN=$bin
	export BH_TEST_MONGO="mongodb://127.0.0.1:$port/bhtest"
	_bh_log "mongo (ferretdb) up on 127.0.0.1:$port (pid $_BH_PID)"
}

_bh_up_mysql() {
	local port=${BH_TEST_MYSQL_PORT:-3306} client log=/var/log/mysql/error.log
	if ! _bh_mysql_ok; then
		if [[ ! -x /usr/sbin/mariadbd ]] || ! _bh_mysql_client >/dev/null; then
			if [[ $(id -u) != 0 ]]; then
				_bh_err "mysql: MariaDB is not installed and this is not root: apt-get install mariadb-server"
				return 1
			fi
			_bh_log "mysql: installing mariadb-server with apt-get"
			if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mariadb-server; } \
				>"$BH_TEST_DIR/mysql-install.log" 2>&1; then
				_bh_err "mysql: apt-get install mariadb-server failed; see $BH_TEST_DIR/mysql-install.log"
				return 1
			fi
		fi
		if ! _bh_mysql_ok; then
			_bh_log "mysql: MariaDB does not answer on 127.0.0.1:$port; starting it"
			{ mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld; } 2>/dev/null || true
			if ! start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd \
				>"$BH_TEST_DIR/mysql-start.log" 2>&1; then
				_bh_err "mysql: start-stop-daemon failed; see $BH_TEST_DIR/mysql-start.log"
				return 1
			fi
			_bh_wait "mysql (mariadb)" "$log" "" "${BH_TEST_WAIT:-60}" _bh_mysql_ok || return 1
		fi
	fi
	client=$(_bh_mysql_client) || return 1
	if ! "$client" --protocol=tcp -h127.0.0.1 -P"$port" -uroot \
		-e 'CREATE DATABASE IF NOT EXISTS bhtest' 2>"$BH_TEST_DIR/mysql.log"; then
		_bh_err "mysql: could not create database bhtest; see $BH_TEST_DIR/mysql.log"
		return 1
	fi
	export BH_TEST_MYSQL="mysql://root@127.0.0.1:$port/bhtest"
	_bh_log "mysql (mariadb) up on 127.0.0.1:$port, database bhtest"
}

_bh_up_amqp() {
	local port=${BH_TEST_AMQP_PORT:-5672}
	if ! _bh_amqp_ok 127.0.0.1 "$port"; then
		if ! command -v rabbitmq-server >/dev/null 2>&1; then
			if [[ $(id -u) != 0 ]]; then
				_bh_err "amqp: RabbitMQ is not installed and this is not root: apt-get install rabbitmq-server"
				return 1
			fi
			_bh_log "amqp: installing rabbitmq-server with apt-get"
			if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server; } \
				>"$BH_TEST_DIR/amqp-install.log" 2>&1; then
				_bh_err "amqp: apt-get install rabbitmq-server failed; see $BH_TEST_DIR/amqp-install.log"
				return 1
			fi
		fi
		if ! _bh_amqp_ok 127.0.0.1 "$port"; then
			_bh_log "amqp: RabbitMQ does not answer on 127.0.0.1:$port; starting it (rabbitmq-server -detached)"
			if ! rabbitmq-server -detached >"$BH_TEST_DIR/amqp-start.log" 2>&1; then
				_bh_err "amqp: rabbitmq-server -detached failed; see $BH_TEST_DIR/amqp-start.log"
				return 1
			fi
			_bh_wait "amqp (rabbitmq)" "/var/log/rabbitmq/ (and $BH_TEST_DIR/amqp-start.log)" "" \
				"$((${BH_TEST_WAIT:-60} * 2))" _bh_amqp_ok 127.0.0.1 "$port" || return 1
		fi
	fi
	export BH_TEST_AMQP="amqp://guest:guest@127.0.0.1:$port/"
	_bh_log "amqp (rabbitmq) up on 127.0.0.1:$port"
}

_bh_up_chromium() {
	local bin=${BH_TEST_CHROMIUM:-}
	[[ -n $bin && -x $bin ]] || bin=$(command -v chromium 2>/dev/null) || bin=""
	if [[ -z $bin ]]; then
		if [[ $(id -u) != 0 ]]; then
			_bh_err "chromium: Chromium is not installed and this is not root: apt-get install chromium"
			return 1
		fi
		_bh_log "chromium: installing chromium with apt-get"
		if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } \
			>"$BH_TEST_DIR/chromium-install.log" 2>&1; then
			_bh_err "chromium: apt-get install chromium failed; see $BH_TEST_DIR/chromium-install.log"
			return 1
		fi
		bin=$(command -v chromium 2>/dev/null) || { _bh_err "chromium: installed, but no chromium on PATH"; return 1; }
	fi
	if ! "$bin" --version >"$BH_TEST_DIR/chromium.log" 2>"$BH_TEST_DIR/chromium-stderr.log"; then
		_bh_err "chromium: $bin --version failed; see $BH_TEST_DIR/chromium-stderr.log"
		return 1
	fi
	export BH_TEST_CHROMIUM=$bin
	_bh_log "chromium: $(head -n1 "$BH_TEST_DIR/chromium.log") ($bin)"
}

# bh_servers_up: start the servers named in BH_TEST_SERVERS; see the top of
# this file.
bh_servers_up() {
	local s start=$SECONDS
	local names=()
	IFS=, read -ra names <<<"${BH_TEST_SERVERS-minio,mongo,mysql,amqp,chromium}"
	for s in ${names[@]+"${names[@]}"}; do
		s=${s// /}
		case $s in
		minio | mongo | mysql | amqp | chromium | "") ;;
		*)
			_bh_err "unknown server '$s' in BH_TEST_SERVERS (known: minio,mongo,mysql,amqp,chromium)"
			return 1
			;;
		esac
	done

	# A previous bh_servers_up in this shell: stop it first.
	if [[ -n ${BH_TEST_DIR:-} && -f ${BH_TEST_DIR}/.bh-testservers ]]; then
		bh_servers_down
	fi
	command -v go >/dev/null 2>&1 || { _bh_err "go is not on PATH"; return 1; }

	BH_TEST_DIR=$(mktemp -d "${TMPDIR:-/tmp}/bh-testservers.XXXXXX") || return 1
	export BH_TEST_DIR
	: >"$BH_TEST_DIR/.bh-testservers"
	: >"$BH_TEST_DIR/pids"
	_bh_log "data and logs in $BH_TEST_DIR"

	local t
	for s in minio mongo mysql amqp chromium; do
		_bh_want "$s" || continue
		t=$SECONDS
		"_bh_up_$s" || return 1
		_bh_log "$s took $((SECONDS - t))s"
	done
	_bh_log "all up in $((SECONDS - start))s"
}

# bh_servers_down: stop what bh_servers_up started, remove its temp folder,
# and unset the variables it exported. Safe to call any number of times.
bh_servers_down() {
	local dir=${BH_TEST_DIR:-} name pid bin
	if [[ -n $dir && -f $dir/.bh-testservers ]]; then
		if [[ -f $dir/pids ]]; then
			while read -r name pid bin; do
				[[ -n ${name:-} ]] || continue
				_bh_stop_pid "$name" "$pid" "$bin"
			done <"$dir/pids"
		fi
		if [[ ${BH_TEST_KEEP:-} == 1 ]]; then
			_bh_log "kept $dir (BH_TEST_KEEP=1)"
		else
			rm -rf -- "$dir"
		fi
	fi
	unset BH_TEST_DIR BH_TEST_S3 BH_TEST_S3_ENDPOINT BH_TEST_S3_ACCESS_KEY BH_TEST_S3_SECRET_KEY \
		BH_TEST_MINIO_BIN BH_TEST_MINIO_DIR BH_TEST_MONGO BH_TEST_FERRETDB_BIN BH_TEST_MYSQL BH_TEST_AMQP BH_TEST_CHROMIUM
	return 0
}
