#!/bin/bash
# bench-proxy.sh - the proxy against haproxy (TCP mode) and a direct
# connection, same machine, same run (issue 6):
#   pgbench select-only and default (tpcb-like), 1 and 8 clients
#   sysbench oltp_point_select, 8 threads
#   bulk transfer (pxload, 4 connections x 16 MB echoed), tcpdp-top with the
#   conn dumper and no dump log ("hex off") and with the hex dumper writing
#   the dump log ("hex on")
# tcpdp-top runs with the pg/mysql dumper writing the dump log. haproxy runs
# with one thread, as tcpdp-top does. Prints throughput, latency and the
# ratios tcpdp-top/haproxy (throughput, higher is better) and the added
# latency per query over direct (lower is better).
# Ports: MariaDB 33660 (haproxy 33661, tcpdp-top 33662), PostgreSQL 54660
# (54661, 54662), echo 18680 (18681, 18682, 18683).
# BENCH_SECONDS (default 5) per measurement.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
BIN=${TCPDP_BIN:?}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../integration/lib.sh"
S=${BENCH_SECONDS:-5}
T=$(mktemp -d /tmp/bench-proxy.XXXXXX)
export TCPDP_TMP=$T
SRV_ROOT=$T/srv
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	srv_stop_all
	rm -rf "$T"
}
trap cleanup EXIT

for c in haproxy pgbench sysbench mariadbd cc; do
	command -v $c >/dev/null || { echo "bench-proxy: $c missing (sh contrib/install-deps.sh --test)"; exit 1; }
done

cc -O2 -o "$T/pxload" "$HERE/../tools/pxload.c" || exit 1
"$T/pxload" echo 18680 & PIDS="$PIDS $!"

# Our ports lie in the ephemeral range: a client elsewhere may hold one
# for a moment.
retry() { "$@" || { sleep 3; "$@"; } || { sleep 10; "$@"; }; }
echo "starting servers..."
retry srv_mariadb_start 33660 >"$T/my.log" 2>&1 || { cat "$T/my.log"; exit 1; }
retry srv_pg_start 54660 >"$T/pg.log" 2>&1 || { cat "$T/pg.log"; exit 1; }

cat >"$T/haproxy.cfg" <<EOF
global
	maxconn 4096
	nbthread 1
defaults
	mode tcp
	timeout connect 5s
	timeout client 5m
	timeout server 5m
listen my
	bind 127.0.0.1:33661
	server s1 127.0.0.1:33660
listen pg
	bind 127.0.0.1:54661
	server s1 127.0.0.1:54660
listen bulk
	bind 127.0.0.1:18681
	server s1 127.0.0.1:18680
EOF
haproxy -db -f "$T/haproxy.cfg" >"$T/haproxy.log" 2>&1 & PIDS="$PIDS $!"

# tcpdp NAME DUMPER DUMPLOG LISTEN REMOTE: a tcpdp-top proxy with its own
# config (dump log in its dir, internal log quiet).
tcpdp() {
	d=$T/$1
	mkdir -p "$d"
	cat >"$d/tcpdp.toml" <<EOF
[tcpdp]
pidfile = "$d/tcpdp.pid"
dumper = "$2"
[log]
dir = "$d"
stdout = false
rotateEnable = false
[dumpLog]
dir = "$d"
enable = $3
rotateEnable = false
EOF
	(cd "$d" && exec "$BIN" proxy -c "$d/tcpdp.toml" -l "$4" -r "$5" >"$d/stdout" 2>"$d/stderr") &
	PIDS="$PIDS $!"
	eval "PID_$1=$!"
}
tcpdp pg pg true 127.0.0.1:54662 127.0.0.1:54660
tcpdp my mysql true 127.0.0.1:33662 127.0.0.1:33660
tcpdp bulkoff conn false 127.0.0.1:18682 127.0.0.1:18680
tcpdp bulkhex hex true 127.0.0.1:18683 127.0.0.1:18680
for p in 18680 18681 18682 18683 33661 33662 54661 54662; do
	wait_port $p 10 || { echo "port $p not listening"; cat "$T"/*/stderr; exit 1; }
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
diffus() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", (a - b) * 1000 }'; }

export PGPASSWORD=app-secret PGSSLMODE=disable
echo "pgbench init (scale 5)..."
pgbench -i -q -s 5 -h 127.0.0.1 -p 54660 -U app appdb >"$T/pgb-init.log" 2>&1 || { cat "$T/pgb-init.log"; exit 1; }

# pgb PORT ARGS -> "tps latency_ms"
pgb() {
	port=$1; shift
	pgbench -n -T "$S" -h 127.0.0.1 -p "$port" -U app "$@" appdb >"$T/pgb.out" 2>&1
	tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$T/pgb.out" | tail -n 1)
	lat=$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' "$T/pgb.out")
	echo "${tps:-0} ${lat:-0}"
}
for mode in select-only default; do
	for c in 1 8; do
		args="-c $c -j $(( c > 1 ? 2 : 1 ))"
		[ $mode = select-only ] && args="$args -S -M prepared"
		read -r td ld <<<"$(pgb 54660 $args)"
		read -r th lh <<<"$(pgb 54661 $args)"
		read -r tt lt <<<"$(pgb 54662 $args)"
		printf 'pgbench %-11s c=%d: direct %8.0f tps, haproxy %8.0f tps, tcpdp-top %8.0f tps | tcpdp-top/haproxy %s | added latency/query: haproxy %s us, tcpdp-top %s us\n' \
		    $mode $c "$td" "$th" "$tt" "$(ratio "$tt" "$th")" "$(diffus "$lh" "$ld")" "$(diffus "$lt" "$ld")"
	done
done

SB="sysbench --db-driver=mysql --mysql-host=127.0.0.1 --mysql-user=app --mysql-password=app-secret --mysql-db=appdb --mysql-ssl=off --tables=1 --table-size=10000"
$SB --mysql-port=33660 oltp_point_select prepare >"$T/sb-prep.log" 2>&1 || { cat "$T/sb-prep.log"; exit 1; }
sb() {
	$SB --mysql-port="$1" --threads=8 --time="$S" oltp_point_select run >"$T/sb.out" 2>&1
	tps=$(sed -n 's/.*transactions: *[0-9]* *(\([0-9.]*\) per sec.*/\1/p' "$T/sb.out")
	lat=$(sed -n 's/^ *avg: *\([0-9.]*\)$/\1/p' "$T/sb.out" | head -n 1)
	echo "${tps:-0} ${lat:-0}"
}
read -r td ld <<<"$(sb 33660)"
read -r th lh <<<"$(sb 33661)"
read -r tt lt <<<"$(sb 33662)"
printf 'sysbench point-select t=8: direct %8.0f tps, haproxy %8.0f tps, tcpdp-top %8.0f tps | tcpdp-top/haproxy %s | added latency/query: haproxy %s us, tcpdp-top %s us\n' \
    "$td" "$th" "$tt" "$(ratio "$tt" "$th")" "$(diffus "$lh" "$ld")" "$(diffus "$lt" "$ld")"

# bulk PORT -> MB/s (4 connections x 16 MB each way, echoed and checked)
bulk() {
	t0=$(date +%s%N)
	"$T/pxload" client "$1" -c 4 -b 16777216 -t 300 >"$T/bulk.out" 2>&1 || { echo "bulk through port $1 failed: $(tail -n 3 "$T/bulk.out")" >&2; echo 0; return; }
	t1=$(date +%s%N)
	awk -v ns=$((t1 - t0)) 'BEGIN { printf "%.0f", 2 * 4 * 16 / (ns / 1e9) }'
}
bd=$(bulk 18680); bh=$(bulk 18681); bo=$(bulk 18682); bx=$(bulk 18683)
echo "bulk (4 x 16 MB echoed): direct $bd MB/s, haproxy $bh MB/s, tcpdp-top hex off $bo MB/s ($(ratio "$bo" "$bh") of haproxy), hex on $bx MB/s ($(ratio "$bx" "$bh") of haproxy)"
for d in pg my bulkoff bulkhex; do
	echo "tcpdp-top $d: dump log $(du -sh "$T/$d" | cut -f1), max RSS $(awk '/VmHWM/ {print $2}' /proc/$(eval echo \$PID_$d)/status 2>/dev/null) kB"
done
