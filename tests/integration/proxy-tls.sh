#!/bin/bash
# proxy-tls.sh - TLS sessions of real clients with real servers, both given
# a self-signed certificate made here: the `mariadb` client with --ssl and
# psql with sslmode=require through `proxy -d mysql`/`-d pg` (results right:
# the relay is byte-exact; one record per connection saying TLS is in use,
# nothing decoded from the ciphertext; sslmode=disable and --skip-ssl through
# the same proxies still decoded), a large TLS transfer each way through the
# proxy with its RSS sampled, then the same sessions captured live by
# `probe -i lo -d mysql|pg|hex`, one TLS session each already open when the
# capture begins (nothing decoded from its middle either), and read back by
# `read -d mysql|pg` from tcpdump's file of them.
# Ports: MariaDB 23700 (proxies 18700, 18702), PostgreSQL 25700 (proxies
# 18701, 18703). Needs openssl (skipped without it) and, for the probe
# part, root.
# run.sh starts every part with sh: come back to bash.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
BIN=${TCPDP_BIN:?}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"

if ! command -v openssl >/dev/null 2>&1; then
	echo "SKIP: proxy-tls (openssl not installed: sh contrib/install-deps.sh --test)"
	exit 0
fi
t_setup proxy-tls

MYPORT=23700
PGPORT=25700
MY_TLS_MSG='"error":"client is trying to connect using SSL. tcpdp mysql dumper not support SSL connection"'
PG_TLS_MSG='"error":"client is trying to connect using SSL. tcpdp pg dumper not support SSL connection"'
N_TLS=3		# TLS sessions of each client in each part

srv_tls_cert "$T/ssl" >"$T/cert.log" 2>&1 || { fail proxy-tls/cert "$(tail -n 3 "$T/cert.log")"; exit 0; }
MY_OK=0 PG_OK=0
if command -v mariadbd >/dev/null &&
   MY_SSL_DIR=$T/ssl srv_mariadb_start $MYPORT >"$T/my.log" 2>&1; then
	MY_OK=1
else
	fail proxy-tls/mariadb-start "$(tail -n 5 "$T/my.log" 2>&1)"
fi
if [ -n "$PG_BIN" ] && PG_SSL_DIR=$T/ssl srv_pg_start $PGPORT >"$T/pg.log" 2>&1; then
	PG_OK=1
else
	fail proxy-tls/pg-start "$(tail -n 5 "$T/pg.log" 2>&1)"
fi
export PGPASSWORD=app-secret

start_proxy() {	# NAME ARGS... : the proxy in $T/NAME (dump.log there); PX=pid
	_d=$T/$1; shift
	mkdir -p "$_d"
	(cd "$_d" && exec "$BIN" proxy "$@" >stdout 2>stderr) &
	PX=$!
	PIDS="$PIDS $PX"
}
stop_proxy() {	# PID: SIGTERM flushes the dump; waits at most 15 s
	kill -TERM "$1" 2>/dev/null
	for _ in $(seq 1 150); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$1" 2>/dev/null && kill -KILL "$1"
	wait "$1" 2>/dev/null
}
rss_kb() { awk '/VmRSS/ {print $2}' /proc/"$1"/status 2>/dev/null; }
# rss_sample PID FILE: VmRSS every 20 ms into FILE until PID ends or the
# sampler is killed; RS=its pid
rss_sample() {
	( while kill -0 "$1" 2>/dev/null; do rss_kb "$1"; sleep 0.02; done >"$2" ) &
	RS=$!
	PIDS="$PIDS $RS"
}
max_of() { sort -n "$1" | tail -n 1; }

# tls_only NAME DUMP MSG WANT PLAIN: the dump has WANT records with MSG, one
# per connection, the only record of its connection; any other record is
# one of the plain sessions' (its line matches the regex PLAIN). Prints PASS
# or FAIL NAME.
tls_only() {
	_name=$1 _dump=$2 _msg=$3 _want=$4 _plain=$5
	grep -F -- "$_msg" "$_dump" 2>/dev/null | sed -n 's/.*"conn_id":"\([0-9a-v]*\)".*/\1/p' >"$T/ids"
	_n=$(grep -c . "$T/ids")
	_u=$(sort -u "$T/ids" | grep -c .)
	_why=""
	[ "$_n" -eq "$_want" ] && [ "$_u" -eq "$_want" ] ||
		_why="$_n TLS records for $_u connections, want $_want"
	while read -r _id; do
		_c=$(grep -c "\"conn_id\":\"$_id\"" "$_dump")
		[ "$_c" -eq 1 ] || _why="$_why; $_c records for TLS connection $_id"
	done <"$T/ids"
	# what is left must be the plain sessions' records
	_other=$(grep -v -F -f "$T/ids" "$_dump" 2>/dev/null | grep -v -e "$_plain" | head -n 2)
	[ -z "$_other" ] || _why="$_why; other records: $(echo "$_other" | cut -c 1-300)"
	if [ -z "$_why" ]; then pass "$_name"; else fail "$_name" "$_why"; fi
}
# relay_errors NAME DIR [ALLOW]: the proxy logged no relay or dump error
# (those matching the regex ALLOW aside)
relay_errors() {
	[ -f "$T/$2/stderr" ] || { fail "$1" "no proxy log"; return; }
	_e=$(grep -h 'Read error\|Write error\|Dump error\|fatal\|ERROR: \|runtime error' \
		"$T/$2/stdout" "$T/$2/stderr" | grep -v -e "${3:-^$}" | head -n 3)
	if [ -z "$_e" ]; then pass "$1"; else fail "$1" "$(echo "$_e" | cut -c 1-300)"; fi
}

# ---------------------------------------------------- proxy: MariaDB + TLS
if [ $MY_OK = 1 ]; then
	start_proxy mydec -l 127.0.0.1:18700 -r 127.0.0.1:$MYPORT -d mysql
	wait_port 18700 10 || fail proxy-tls/my-proxy-start
	MY="timeout 30 mariadb --no-defaults -h127.0.0.1 -uapp -papp-secret appdb -N -B"
	# What the server says to the same statements without the proxy: the
	# session's cipher aside, the answer through the proxy is the same.
	Q="SELECT 'tls_marker', SHA2(REPEAT('tcpdp', 20000), 256), REPEAT('ab', 30000)"
	want=$($MY -P$MYPORT --ssl -e "$Q" 2>&1)
	bad=""
	for i in $(seq 1 $N_TLS); do
		got=$($MY -P18700 --ssl -e "SHOW STATUS LIKE 'Ssl_version'; $Q" 2>&1)
		case "$got" in "Ssl_version	TLSv1."?*"
$want") ;; *) bad="session $i: $(echo "$got" | cut -c 1-200)" ;; esac
	done
	if [ -z "$bad" ] && [ ${#want} -gt 60000 ]; then
		pass proxy-tls/my-tls-results
	else
		fail proxy-tls/my-tls-results "${bad:-direct: $(echo "$want" | cut -c 1-200)}"
	fi
	# OpenSSL's own SSL request (a bare 32-byte packet) is TLS too
	out=$(timeout 10 openssl s_client -starttls mysql -connect 127.0.0.1:18700 </dev/null 2>&1)
	case "$out" in *"Protocol  : TLS"*|*"New, TLSv1"*) pass proxy-tls/my-openssl-starttls ;;
	*) fail proxy-tls/my-openssl-starttls "$(echo "$out" | tail -n 3)" ;; esac
	got=$($MY -P18700 --skip-ssl -e "SELECT 'plain_marker'" 2>&1)
	stop_proxy $PX
	d=$T/mydec/dump.log
	if [ "$got" = plain_marker ] &&
	   grep -q "^{\"query\":\"SELECT 'plain_marker'\",.*\"username\":\"app\",\"database\":\"appdb\",.*\"status\":\"ok\",\"rows\":1" "$d"; then
		pass proxy-tls/my-plain-decoded
	else
		fail proxy-tls/my-plain-decoded "got=$got $(tail -n 2 "$d" 2>&1 | cut -c 1-300)"
	fi
	tls_only proxy-tls/my-one-tls-record-each "$d" "$MY_TLS_MSG" $((N_TLS + 1)) "plain_marker"
	if grep -F -- "$MY_TLS_MSG" "$d" | grep -q '"proxy_listen_addr":"127.0.0.1:18700",.*"remote_addr":"127.0.0.1:'$MYPORT'",.*"direction":"->"'; then
		pass proxy-tls/my-tls-record-keys
	else
		fail proxy-tls/my-tls-record-keys "$(grep -F -- "$MY_TLS_MSG" "$d" | head -n 1)"
	fi
	relay_errors proxy-tls/my-no-errors mydec
fi

# ------------------------------------------------- proxy: PostgreSQL + TLS
# psql over TLS resets its connection as it closes (TLS data left unread:
# it does so without the proxy too), and so does PostgreSQL refusing a
# ClientHello; the proxy says so: "Connection reset by peer" is allowed.
RESET='Read error.*Connection reset by peer'
if [ $PG_OK = 1 ]; then
	start_proxy pgdec -l 127.0.0.1:18701 -r 127.0.0.1:$PGPORT -d pg
	wait_port 18701 10 || fail proxy-tls/pg-proxy-start
	PSQL="timeout 30 psql -X -A -t -q"
	Q="SELECT 'tls_marker', md5(repeat('tcpdp', 20000)), repeat('ab', 30000)"
	want=$($PSQL "host=127.0.0.1 port=$PGPORT user=app dbname=appdb sslmode=require" -c "$Q" 2>&1)
	bad=""
	for i in $(seq 1 $N_TLS); do
		got=$($PSQL "host=127.0.0.1 port=18701 user=app dbname=appdb sslmode=require" \
			-c "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()" -c "$Q" 2>&1)
		[ "$got" = "t
$want" ] || bad="session $i: $(echo "$got" | cut -c 1-200)"
	done
	if [ -z "$bad" ] && [ ${#want} -gt 60000 ]; then
		pass proxy-tls/pg-tls-results
	else
		fail proxy-tls/pg-tls-results "${bad:-direct: $(echo "$want" | cut -c 1-200)}"
	fi
	got=$($PSQL "host=127.0.0.1 port=18701 user=app dbname=appdb sslmode=disable" \
		-c "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()" -c "SELECT 'plain_marker'" 2>&1)
	# OpenSSL's SSLRequest, and a ClientHello with no SSLRequest before it
	# (PostgreSQL 17's sslnegotiation=direct; this server refuses it, but
	# the connection is TLS all the same)
	out=$(timeout 10 openssl s_client -starttls postgres -connect 127.0.0.1:18701 </dev/null 2>&1)
	case "$out" in *"Protocol  : TLS"*|*"New, TLSv1"*) pass proxy-tls/pg-openssl-starttls ;;
	*) fail proxy-tls/pg-openssl-starttls "$(echo "$out" | tail -n 3)" ;; esac
	timeout 10 openssl s_client -connect 127.0.0.1:18701 </dev/null >"$T/direct.out" 2>&1
	# The server without TLS (ssl off, reloaded): sslmode=prefer asks, is
	# answered 'N', and goes on in the clear, decoded.
	$PSQL "host=127.0.0.1 port=$PGPORT user=app dbname=appdb sslmode=disable" \
		-c "ALTER SYSTEM SET ssl = off" -c "SELECT pg_reload_conf()" >"$T/ssl-off.out" 2>&1
	sleep 0.5
	got_prefer=$($PSQL "host=127.0.0.1 port=18701 user=app dbname=appdb sslmode=prefer" \
		-c "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()" -c "SELECT 'prefer_marker'" 2>&1)
	$PSQL "host=127.0.0.1 port=$PGPORT user=app dbname=appdb sslmode=disable" \
		-c "ALTER SYSTEM RESET ssl" -c "SELECT pg_reload_conf()" >>"$T/ssl-off.out" 2>&1
	sleep 0.5
	stop_proxy $PX
	d=$T/pgdec/dump.log
	if [ "$got" = "f
plain_marker" ] &&
	   grep -q "^{\"query\":\"SELECT 'plain_marker'\",\"message_type\":\"Q\",.*\"username\":\"app\",\"database\":\"appdb\",.*\"rows\":1,\"command_tag\":\"SELECT 1\"" "$d"; then
		pass proxy-tls/pg-sslmode-disable-decoded
	else
		fail proxy-tls/pg-sslmode-disable-decoded "got=$got $(tail -n 2 "$d" 2>&1 | cut -c 1-300)"
	fi
	if [ "$got_prefer" = "f
prefer_marker" ] &&
	   grep -q "^{\"query\":\"SELECT 'prefer_marker'\",\"message_type\":\"Q\",.*\"username\":\"app\",\"database\":\"appdb\",.*\"rows\":1,\"command_tag\":\"SELECT 1\"" "$d"; then
		pass proxy-tls/pg-sslmode-prefer-refused-decoded
	else
		fail proxy-tls/pg-sslmode-prefer-refused-decoded "got=$got_prefer $(head -c 300 "$T/ssl-off.out")"
	fi
	tls_only proxy-tls/pg-one-tls-record-each "$d" "$PG_TLS_MSG" $((N_TLS + 2)) \
		'"username":"app","database":"appdb"'
	if grep -F -- "$PG_TLS_MSG" "$d" | grep -q '"proxy_listen_addr":"127.0.0.1:18701",.*"remote_addr":"127.0.0.1:'$PGPORT'",.*"direction":"->"'; then
		pass proxy-tls/pg-tls-record-keys
	else
		fail proxy-tls/pg-tls-record-keys "$(grep -F -- "$PG_TLS_MSG" "$d" | head -n 1)"
	fi
	relay_errors proxy-tls/pg-no-errors pgdec "$RESET"
fi

# ------------------------------------- proxy: large TLS transfers, its RSS
# 16 MB each way through the mysql proxy, 20 MB each way through the pg
# proxy: the proxy relays what it reads as it can write it, so its RSS
# stays near what it was idle.
BIG=16000000
if [ $MY_OK = 1 ]; then
	start_proxy mybig -l 127.0.0.1:18702 -r 127.0.0.1:$MYPORT -d mysql
	wait_port 18702 10 || fail proxy-tls/my-big-proxy-start
	rss0=$(rss_kb $PX)
	rss_sample $PX "$T/mybig.rss"
	{ printf "SELECT LENGTH('"; head -c $BIG /dev/zero | tr '\0' 'q'; printf "');\n"; } >"$T/big.sql"
	t0=$(date +%s%N)
	timeout 60 mariadb --no-defaults -h127.0.0.1 -P18702 -uapp -papp-secret --ssl \
		appdb -N -B -e "SELECT REPEAT('x', $BIG)" >"$T/mybig.out" 2>"$T/mybig.err"
	up=$(timeout 60 mariadb --no-defaults -h127.0.0.1 -P18702 -uapp -papp-secret --ssl \
		appdb -N -B <"$T/big.sql" 2>>"$T/mybig.err")
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	kill "$RS" 2>/dev/null; wait "$RS" 2>/dev/null
	rss1=$(max_of "$T/mybig.rss")
	sz=$(wc -c <"$T/mybig.out")
	echo "mysql TLS 16 MB down, 16 MB up through the proxy: ${ms} ms; proxy RSS idle $rss0 kB, max $rss1 kB"
	if [ "$sz" -eq $((BIG + 1)) ] && [ "$(tr -d 'x\n' <"$T/mybig.out" | wc -c)" -eq 0 ] &&
	   [ "$up" = $BIG ]; then
		pass proxy-tls/my-big-transfer
	else
		fail proxy-tls/my-big-transfer "down $sz bytes, up answer '$up' $(head -c 300 "$T/mybig.err")"
	fi
	if [ -n "$rss1" ] && [ $((rss1 - rss0)) -lt 20000 ]; then
		pass proxy-tls/my-big-rss
	else
		fail proxy-tls/my-big-rss "RSS $rss0 -> $rss1 kB"
	fi
	stop_proxy $PX
	tls_only proxy-tls/my-big-one-tls-record-each "$T/mybig/dump.log" "$MY_TLS_MSG" 2 '^$'
	relay_errors proxy-tls/my-big-no-errors mybig
fi
if [ $PG_OK = 1 ]; then
	start_proxy pgbig -l 127.0.0.1:18703 -r 127.0.0.1:$PGPORT -d pg
	wait_port 18703 10 || fail proxy-tls/pg-big-proxy-start
	rss0=$(rss_kb $PX)
	rss_sample $PX "$T/pgbig.rss"
	C="host=127.0.0.1 port=18703 user=app dbname=appdb sslmode=require"
	# 20,000 lines of 1,000 characters and their newline
	t0=$(date +%s%N)
	timeout 60 psql -X -q "$C" -c "COPY (SELECT repeat('x', 1000) FROM generate_series(1, 20000)) TO STDOUT" \
		>"$T/copy.out" 2>"$T/pgbig.err"
	got=$(timeout 60 psql -X -q -A -t "$C" 2>>"$T/pgbig.err" \
		-c "CREATE TABLE big (v text)" -c "\\copy big FROM '$T/copy.out'" \
		-c "SELECT count(*), sum(length(v)), count(DISTINCT v) FROM big")
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	kill "$RS" 2>/dev/null; wait "$RS" 2>/dev/null
	rss1=$(max_of "$T/pgbig.rss")
	sz=$(wc -c <"$T/copy.out")
	echo "pg TLS COPY 20 MB out and 20 MB in through the proxy: ${ms} ms; proxy RSS idle $rss0 kB, max $rss1 kB"
	if [ "$sz" -eq 20020000 ] && [ "$(tr -d 'x\n' <"$T/copy.out" | wc -c)" -eq 0 ] &&
	   [ "$got" = "20000|20000000|1" ]; then
		pass proxy-tls/pg-big-copy
	else
		fail proxy-tls/pg-big-copy "out $sz bytes, in: '$got' $(head -c 300 "$T/pgbig.err")"
	fi
	if [ -n "$rss1" ] && [ $((rss1 - rss0)) -lt 20000 ]; then
		pass proxy-tls/pg-big-rss
	else
		fail proxy-tls/pg-big-rss "RSS $rss0 -> $rss1 kB"
	fi
	stop_proxy $PX
	tls_only proxy-tls/pg-big-one-tls-record-each "$T/pgbig/dump.log" "$PG_TLS_MSG" 2 '^$'
	relay_errors proxy-tls/pg-big-no-errors pgbig "$RESET"
fi

# ------------------------------------------------------- probe -i lo + TLS
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: proxy-tls/probe (not root: live capture impossible)"
	exit 0
fi
# probe_start NAME PORT DUMPER: a probe in $T/NAME (its pidfile there),
# records on its stdout $T/NAME/out; waits until it captures
PROBES=""
probe_start() {
	mkdir -p "$T/$1"
	(cd "$T/$1" && exec timeout 60 "$BIN" probe --batch -i lo -t "$2" -d "$3" -B 16MB --stdout \
	    >"$T/$1/out" 2>"$T/$1/err" </dev/null) &
	PROBES="$PROBES $!"
	PIDS="$PIDS $!"
}
probes_wait_started() {
	for n in "$@"; do
		for _ in $(seq 1 50); do
			grep -q 'Starting probe' "$T/$n/err" 2>/dev/null && break
			sleep 0.1
		done
	done
	sleep 0.5	# the capture is activated just after the message
}

# One session of each client is already open, its TLS handshake done, when
# the capture begins: its middle must not be decoded as requests.
# After the wait each sends and receives 4 MB: ciphertext enough that a
# decoder hunting in it for a message boundary would find false ones. (Full
# loopback segments are longer than the default snapshot length, 65535
# bytes: the probes see them truncated, so gaps in the ciphertext too.)
MID=""
yes 'tcpdp mid-session line, sent after the capture began' | head -c 4000000 >"$T/mid.txt"
if [ $MY_OK = 1 ]; then
	{ echo "SELECT SLEEP(3);"; printf "SELECT LENGTH('"; tr -d '\n' <"$T/mid.txt"; echo "');"
	  echo "SELECT REPEAT('m', 4000000); SELECT 'mid_marker'; SELECT 1 FROM nosuch;"; } >"$T/mid.sql"
	timeout 30 mariadb --no-defaults -h127.0.0.1 -P$MYPORT -uapp -papp-secret --ssl appdb -N -B \
		<"$T/mid.sql" >"$T/my-mid.out" 2>&1 &
	MID="$MID $!"
fi
if [ $PG_OK = 1 ]; then
	timeout 30 psql -X -A -t -q "host=127.0.0.1 port=$PGPORT user=app dbname=appdb sslmode=require" \
		-c "SELECT pg_sleep(3)" -c "CREATE TEMP TABLE mid (v text)" -c "\\copy mid FROM '$T/mid.txt'" \
		-c "COPY mid TO STDOUT" -c "SELECT 'mid_marker'" -c "SELECT 1/0" >"$T/pg-mid.out" 2>&1 &
	MID="$MID $!"
fi
sleep 1
started=""
if [ $MY_OK = 1 ]; then
	probe_start prmy $MYPORT mysql; probe_start prmyhex $MYPORT hex
	started="$started prmy prmyhex"
fi
if [ $PG_OK = 1 ]; then
	probe_start prpg $PGPORT pg; probe_start prpghex $PGPORT hex
	started="$started prpg prpghex"
fi
# tcpdump beside the probes: the same sessions read back from its file
TD=""
if command -v tcpdump >/dev/null 2>&1; then
	tcpdump -i lo -n -s 0 -U -w "$T/tls.pcap" "tcp port $MYPORT or tcp port $PGPORT" \
		>"$T/tcpdump.log" 2>&1 &
	TD=$!; PIDS="$PIDS $TD"
	for _ in $(seq 1 50); do grep -q 'listening on' "$T/tcpdump.log" && break; sleep 0.1; done
fi
# shellcheck disable=SC2086
probes_wait_started $started
if [ $MY_OK = 1 ]; then
	bad=""
	for i in $(seq 1 $N_TLS); do
		got=$(timeout 30 mariadb --no-defaults -h127.0.0.1 -P$MYPORT -uapp -papp-secret --ssl \
			appdb -N -B -e "SELECT 'probe_tls_$i'" 2>&1)
		[ "$got" = "probe_tls_$i" ] || bad="$bad $got"
	done
	got=$(timeout 30 mariadb --no-defaults -h127.0.0.1 -P$MYPORT -uapp -papp-secret --skip-ssl \
		appdb -N -B -e "SELECT 'plain_marker'" 2>&1)
	[ "$got" = plain_marker ] || bad="$bad $got"
	[ -z "$bad" ] || fail proxy-tls/probe-my-clients "$bad"
fi
if [ $PG_OK = 1 ]; then
	bad=""
	for i in $(seq 1 $N_TLS); do
		got=$(timeout 30 psql -X -A -t -q "host=127.0.0.1 port=$PGPORT user=app dbname=appdb sslmode=require" \
			-c "SELECT 'probe_tls_$i'" 2>&1)
		[ "$got" = "probe_tls_$i" ] || bad="$bad $got"
	done
	got=$(timeout 30 psql -X -A -t -q "host=127.0.0.1 port=$PGPORT user=app dbname=appdb sslmode=disable" \
		-c "SELECT 'plain_marker'" 2>&1)
	[ "$got" = plain_marker ] || bad="$bad $got"
	[ -z "$bad" ] || fail proxy-tls/probe-pg-clients "$bad"
fi
for p in $MID; do wait "$p"; done
sleep 0.5
for p in $PROBES $TD; do kill -INT "$p" 2>/dev/null; done
[ -z "$TD" ] || wait "$TD"
rcs=""
for p in $PROBES; do wait "$p"; rcs="$rcs $?"; done
case "$rcs" in *[1-9]*) fail proxy-tls/probe-exit "exit codes:$rcs" ;; *) pass proxy-tls/probe-exit ;; esac
for n in $started; do
	if grep -q 'fatal\|ERROR: \|runtime error' "$T/$n/err"; then
		fail "proxy-tls/probe-$n-log" "$(grep 'fatal\|ERROR: \|runtime error' "$T/$n/err" | head -n 2)"
	fi
done

# hex_tls NAME DIR PORT FIRST_C2S FIRST_S2C: hex records both ways, among
# them the TLS handshake's first records (a ClientHello "16 03 01", the
# server's "16 03 03"), application data ("17 03 03") each way, and the
# session's first plain bytes in each direction
hex_tls() {
	_o=$T/$2/out _port=$3
	_c=$(grep -c "\"dst_addr\":\"127.0.0.1:$_port\",\"bytes\":" "$_o")
	_s=$(grep -c "\"src_addr\":\"127.0.0.1:$_port\",.*\"bytes\":" "$_o")
	if [ "$_c" -gt 0 ] && [ "$_s" -gt 0 ] &&
	   grep -q "\"dst_addr\":\"127.0.0.1:$_port\",\"bytes\":\"16 03 01 " "$_o" &&
	   grep -q "\"src_addr\":\"127.0.0.1:$_port\",.*\"bytes\":\"16 03 03 " "$_o" &&
	   grep -q "\"dst_addr\":\"127.0.0.1:$_port\",\"bytes\":\"17 03 03 " "$_o" &&
	   grep -q "\"src_addr\":\"127.0.0.1:$_port\",.*\"bytes\":\"17 03 03 " "$_o" &&
	   grep -q "\"dst_addr\":\"127.0.0.1:$_port\",\"bytes\":\"$4" "$_o" &&
	   grep -q "\"src_addr\":\"127.0.0.1:$_port\",.*\"bytes\":\"$5" "$_o"; then
		pass "$1"
	else
		fail "$1" "$_c records ->, $_s <-: $(head -c 300 "$_o")"
	fi
}
if [ $MY_OK = 1 ]; then
	o=$T/prmy/out
	tls_only proxy-tls/probe-my-one-tls-record-each "$o" "$MY_TLS_MSG" $N_TLS "plain_marker"
	if grep -F -- "$MY_TLS_MSG" "$o" | grep -q '"dst_addr":"127.0.0.1:'$MYPORT'",.*"interface":"lo","probe_target_addr":"'$MYPORT'"' &&
	   grep -q "\"query\":\"SELECT 'plain_marker'\".*\"username\":\"app\",\"database\":\"appdb\"" "$o"; then
		pass proxy-tls/probe-my-records
	else
		fail proxy-tls/probe-my-records "$(head -c 600 "$o")"
	fi
	grep -q mid_marker "$T/my-mid.out" || fail proxy-tls/probe-my-mid-session "$(head -c 200 "$T/my-mid.out")"
	# the server's greeting (protocol 10) and the client's SSL request
	# (a 32-byte packet, sequence 1)
	hex_tls proxy-tls/probe-my-hex "prmyhex" $MYPORT "20 00 00 01 " "[0-9a-f][0-9a-f] 00 00 00 0a "
	if [ -n "$TD" ]; then
		"$BIN" read -d mysql -t $MYPORT "$T/tls.pcap" >"$T/read-my.out" 2>"$T/read-my.err"
		tls_only proxy-tls/read-my-one-tls-record-each "$T/read-my.out" "$MY_TLS_MSG" $N_TLS "plain_marker"
	fi
fi
if [ $PG_OK = 1 ]; then
	o=$T/prpg/out
	tls_only proxy-tls/probe-pg-one-tls-record-each "$o" "$PG_TLS_MSG" $N_TLS '"username":"app","database":"appdb"'
	if grep -F -- "$PG_TLS_MSG" "$o" | grep -q '"dst_addr":"127.0.0.1:'$PGPORT'",.*"interface":"lo","probe_target_addr":"'$PGPORT'"' &&
	   grep -q "\"query\":\"SELECT 'plain_marker'\".*\"username\":\"app\",\"database\":\"appdb\"" "$o"; then
		pass proxy-tls/probe-pg-records
	else
		fail proxy-tls/probe-pg-records "$(head -c 600 "$o")"
	fi
	grep -q mid_marker "$T/pg-mid.out" || fail proxy-tls/probe-pg-mid-session "$(head -c 200 "$T/pg-mid.out")"
	# SSLRequest (length 8, code 80877103) and its answer 'S'
	hex_tls proxy-tls/probe-pg-hex "prpghex" $PGPORT "00 00 00 08 04 d2 16 2f\"" "53\""
	if [ -n "$TD" ]; then
		"$BIN" read -d pg -t $PGPORT "$T/tls.pcap" >"$T/read-pg.out" 2>"$T/read-pg.err"
		tls_only proxy-tls/read-pg-one-tls-record-each "$T/read-pg.out" "$PG_TLS_MSG" $N_TLS '"username":"app","database":"appdb"'
	fi
fi
exit 0
