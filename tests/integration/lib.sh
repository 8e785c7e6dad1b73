# lib.sh - shared helpers for integration tests (sourced, POSIX sh + bash).
#
#   . "$TCPDP_TESTS/integration/lib.sh"
#   srv_mariadb_start PORT      -> MY_SOCK, MY_DIR; users: root (socket),
#                                  app/app-secret (native password), database appdb
#   srv_pg_start PORT           -> PG_DIR, PG_SOCKDIR; roles: app/app-secret
#                                  (scram, password auth on 127.0.0.1), database appdb
#   srv_tls_cert DIR            a self-signed cert.pem/key.pem (CN=localhost,
#                               1 day) in DIR; needs openssl
#   MY_SSL_DIR / PG_SSL_DIR     when set (to a DIR of srv_tls_cert) before a
#                               start, that server also offers TLS with it;
#                               unset, the servers start as before (no TLS)
#   srv_stop_all                stops what this shell started (use in a trap)
#   pass NAME / fail NAME [why] print the PASS:/FAIL: lines run.sh counts
#   wait_port PORT [SECONDS]    waits for a listener on 127.0.0.1:PORT
#   t_setup NAME                T=a fresh directory $TCPDP_TMP/NAME.XXXXXX,
#                               entered; at exit the processes listed in PIDS
#                               get SIGTERM and are waited for, the servers
#                               stop and T is removed (KEEP=1 keeps it)
#
# Servers run as root (MariaDB) and postgres (PostgreSQL) in a private temp
# dir, on the given loopback port only, and are stopped by PID.

SRV_ROOT=${TCPDP_TMP:-/tmp}/srv.$$
MY_PID=""
PG_DATA=""
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}

PIDS=""

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1${2:+ ($2)}"; }

wait_port() {
	_p=$1 _n=${2:-30}
	_i=0
	while [ "$_i" -lt $((_n * 10)) ]; do
		# Look for the listener rather than connect: a connection to a
		# proxy in front of a server is a real session, and closing it
		# with the server's greeting unread resets it (a Read error in
		# the proxy's log).
		if command -v ss >/dev/null 2>&1; then
			ss -ltnH "sport = :$_p" 2>/dev/null | grep -q . && return 0
		elif (exec 3<>/dev/tcp/127.0.0.1/"$_p") 2>/dev/null; then
			return 0
		fi
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

srv_mariadb_start() {
	_port=$1
	MY_DIR=$SRV_ROOT/my$_port
	MY_SOCK=$MY_DIR/mysqld.sock
	rm -rf "$MY_DIR"; mkdir -p "$MY_DIR/data" "$MY_DIR/tmp"
	mariadb-install-db --no-defaults --datadir="$MY_DIR/data" --user=root \
		--skip-test-db >"$MY_DIR/install.log" 2>&1 || { cat "$MY_DIR/install.log"; return 1; }
	mariadbd --no-defaults --datadir="$MY_DIR/data" --user=root \
		--socket="$MY_SOCK" --port="$_port" --bind-address=127.0.0.1 \
		--pid-file="$MY_DIR/mysqld.pid" --tmpdir="$MY_DIR/tmp" \
		--log-error="$MY_DIR/error.log" --skip-name-resolve --skip-log-bin \
		--max-allowed-packet=64M --max-connections=1200 \
		--innodb-buffer-pool-size=64M --innodb-flush-log-at-trx-commit=0 \
		--character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
		${MY_SSL_DIR:+--ssl-cert="$MY_SSL_DIR/cert.pem" --ssl-key="$MY_SSL_DIR/key.pem"} \
		>/dev/null 2>&1 &
	MY_PID=$!
	_i=0
	until mariadb-admin --no-defaults --socket="$MY_SOCK" -uroot ping >/dev/null 2>&1; do
		_i=$((_i + 1))
		[ $_i -gt 120 ] && { cat "$MY_DIR/error.log"; return 1; }
		sleep 0.25
	done
	mariadb --no-defaults --socket="$MY_SOCK" -uroot <<SQL
CREATE USER 'app'@'%' IDENTIFIED VIA mysql_native_password USING PASSWORD('app-secret');
GRANT ALL ON *.* TO 'app'@'%';
CREATE DATABASE appdb;
SQL
}

srv_pg_start() {
	_port=$1
	PG_DIR=$SRV_ROOT/pg$_port
	PG_DATA=$PG_DIR/data
	PG_SOCKDIR=$PG_DIR/run
	id postgres >/dev/null 2>&1 || useradd -r -m -d /var/lib/postgresql -s /bin/bash postgres
	rm -rf "$PG_DIR"; mkdir -p "$PG_SOCKDIR"
	chmod 755 "$SRV_ROOT" "$(dirname "$SRV_ROOT")" 2>/dev/null || true
	chown -R postgres: "$PG_DIR"
	runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -E UTF8 \
		--locale=C.UTF-8 --auth-local=trust --auth-host=scram-sha-256 \
		>"$PG_DIR/initdb.log" 2>&1 || { cat "$PG_DIR/initdb.log"; return 1; }
	cat >>"$PG_DATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $_port
unix_socket_directories = '$PG_SOCKDIR'
max_connections = 1100
shared_buffers = 64MB
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
	if [ -n "${PG_SSL_DIR:-}" ]; then
		# the server refuses a key that others can read: a copy of its own
		cp "$PG_SSL_DIR/cert.pem" "$PG_SSL_DIR/key.pem" "$PG_DIR/"
		chown postgres: "$PG_DIR/cert.pem" "$PG_DIR/key.pem"
		chmod 600 "$PG_DIR/key.pem"
		printf "ssl = on\nssl_cert_file = '%s'\nssl_key_file = '%s'\n" \
			"$PG_DIR/cert.pem" "$PG_DIR/key.pem" >>"$PG_DATA/postgresql.conf"
	fi
	printf 'local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n' >"$PG_DATA/pg_hba.conf"
	runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_DIR/server.log" \
		-w -t 60 start >/dev/null || { cat "$PG_DIR/server.log"; return 1; }
	runuser -u postgres -- psql -X -q -h "$PG_SOCKDIR" -p "$_port" -U postgres -d postgres \
		-c "CREATE ROLE app LOGIN SUPERUSER PASSWORD 'app-secret'" \
		-c "CREATE DATABASE appdb OWNER app" >/dev/null
}

srv_tls_cert() {
	mkdir -p "$1" &&
	openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
		-keyout "$1/key.pem" -out "$1/cert.pem" >"$1/openssl.log" 2>&1 ||
		{ cat "$1/openssl.log"; return 1; }
}

srv_stop_all() {
	if [ -n "$MY_PID" ] && kill -0 "$MY_PID" 2>/dev/null; then
		kill -TERM "$MY_PID"; wait "$MY_PID" 2>/dev/null || true
	fi
	MY_PID=""
	if [ -n "$PG_DATA" ] && [ -f "$PG_DATA/postmaster.pid" ]; then
		runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate -w stop >/dev/null 2>&1 || true
	fi
	PG_DATA=""
	rm -rf "$SRV_ROOT"
}

t_cleanup() {
	for _p in $PIDS; do kill -TERM "$_p" 2>/dev/null; done
	for _p in $PIDS; do wait "$_p" 2>/dev/null; done
	srv_stop_all
	cd /
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}

t_setup() {
	T=$(mktemp -d "${TCPDP_TMP:-/tmp}/$1.XXXXXX") || exit 1
	trap t_cleanup EXIT
	trap 'exit 1' INT TERM
	cd "$T" || exit 1
}
