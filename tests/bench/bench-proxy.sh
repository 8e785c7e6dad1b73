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
# ratios tcpdp-top/haproxy (throughput, higher is better; CPU per
# transaction, lower is better) and the added latency per query over
# direct (lower is better).
# Ports: MariaDB 23360 (haproxy 18685, tcpdp-top 18687), PostgreSQL 25460
# (18684, 18686), echo 18680 (18681, 18682, 18683): all below Linux's
# ephemeral range (32768-60999).
# BENCH_SECONDS (default 5) per measurement.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
BIN=${TCPDP_BIN:?}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../integration/lib.sh"
S=${BENCH_SECONDS:-5}
TCPDP_TMP=/tmp t_setup bench-proxy
export TCPDP_TMP=$T
SRV_ROOT=$T/srv

for c in haproxy pgbench sysbench mariadbd cc; do
	command -v $c >/dev/null || { echo "bench-proxy: $c missing (sh contrib/install-deps.sh --test)"; exit 1; }
done

cc -O2 -o "$T/pxload" "$HERE/../tools/pxload.c" || exit 1
"$T/pxload" echo 18680 & PIDS="$PIDS $!"

echo "starting servers..."
srv_mariadb_start 23360 >"$T/my.log" 2>&1 || { cat "$T/my.log"; exit 1; }
srv_pg_start 25460 >"$T/pg.log" 2>&1 || { cat "$T/pg.log"; exit 1; }

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
	bind 127.0.0.1:18685
	server s1 127.0.0.1:23360
listen pg
	bind 127.0.0.1:18684
	server s1 127.0.0.1:25460
listen bulk
	bind 127.0.0.1:18681
	server s1 127.0.0.1:18680
EOF
haproxy -db -f "$T/haproxy.cfg" >"$T/haproxy.log" 2>&1 & PIDS="$PIDS $!"; HAPID=$!

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
tcpdp pg pg true 127.0.0.1:18686 127.0.0.1:25460
tcpdp my mysql true 127.0.0.1:18687 127.0.0.1:23360
tcpdp bulkoff conn false 127.0.0.1:18682 127.0.0.1:18680
tcpdp bulkhex hex true 127.0.0.1:18683 127.0.0.1:18680
for p in 18680 18681 18682 18683 18684 18685 18686 18687; do
	wait_port $p 10 || { echo "port $p not listening"; cat "$T"/*/stderr; exit 1; }
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
diffus() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.0f", (a - b) * 1000 }'; }
cpu() { [ -n "$1" ] && awk '{ print $14 + $15 }' /proc/"$1"/stat 2>/dev/null || echo 0; }
tick_us=$(( 1000000 / $(getconf CLK_TCK) ))
# percall TICKS N -> CPU microseconds per transaction (or per MB)
percall() { awk -v t="$1" -v n="$2" -v u=$tick_us 'BEGIN { if (n > 0) printf "%.1f", t * u / n; else print "n/a" }'; }
# best A B: the larger throughput of two rounds, with its other figures
best() { awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " "); print (y[1] + 0 > x[1] + 0 ? b : a) }'; }

# The machine is shared: throughput and latency are best of two rounds
# (paths interleaved); the proxies' own CPU time per transaction (from
# /proc, independent of what else runs) is the steadier comparison.
report() {	# NAME DIRECT HAPROXY TCPDP  (each "tps lat_ms cpu_us")
	read -r td ld _ <<<"$2"
	read -r th lh ch <<<"$3"
	read -r tt lt ct <<<"$4"
	printf '%-28s direct %7.0f tps | haproxy %7.0f tps, %s us cpu/tx, %s us | tcpdp-top %7.0f tps, %s us cpu/tx, %s us | tcpdp-top/haproxy: throughput %s, cpu/tx %s\n' \
	    "$1" "$td" "$th" "$ch" "$(diffus "$lh" "$ld")" "$tt" "$ct" "$(diffus "$lt" "$ld")" \
	    "$(ratio "$tt" "$th")" "$(ratio "$ct" "$ch")"
}
echo "(+N us = added latency per query over direct)"

export PGPASSWORD=app-secret PGSSLMODE=disable
echo "pgbench init (scale 5)..."
pgbench -i -q -s 5 -h 127.0.0.1 -p 25460 -U app appdb >"$T/pgb-init.log" 2>&1 || { cat "$T/pgb-init.log"; exit 1; }
pgbench -n -S -T 2 -c 4 -h 127.0.0.1 -p 25460 -U app appdb >/dev/null 2>&1	# warm up

# pgb PORT PID ARGS -> "tps latency_ms cpu_us_per_tx"
pgb() {
	port=$1 pid=$2; shift 2
	c0=$(cpu "$pid")
	pgbench -n -T "$S" -h 127.0.0.1 -p "$port" -U app "$@" appdb >"$T/pgb.out" 2>&1
	c1=$(cpu "$pid")
	tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$T/pgb.out" | tail -n 1)
	lat=$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' "$T/pgb.out")
	n=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$T/pgb.out")
	echo "${tps:-0} ${lat:-0} $(percall $((c1 - c0)) "${n:-0}")"
}
for mode in select-only default; do
	for c in 1 8; do
		args="-c $c -j $(( c > 1 ? 2 : 1 ))"
		[ $mode = select-only ] && args="$args -S -M prepared"
		d1=$(pgb 25460 "" $args); h1=$(pgb 18684 "$HAPID" $args); t1=$(pgb 18686 "$PID_pg" $args)
		d2=$(pgb 25460 "" $args); h2=$(pgb 18684 "$HAPID" $args); t2=$(pgb 18686 "$PID_pg" $args)
		report "pgbench $mode c=$c" "$(best "$d1" "$d2")" "$(best "$h1" "$h2")" "$(best "$t1" "$t2")"
	done
done

SB="sysbench --db-driver=mysql --mysql-host=127.0.0.1 --mysql-user=app --mysql-password=app-secret --mysql-db=appdb --mysql-ssl=off --tables=1 --table-size=10000"
$SB --mysql-port=23360 oltp_point_select prepare >"$T/sb-prep.log" 2>&1 || { cat "$T/sb-prep.log"; exit 1; }
sb() {	# PORT PID
	c0=$(cpu "$2")
	$SB --mysql-port="$1" --threads=8 --time="$S" oltp_point_select run >"$T/sb.out" 2>&1
	c1=$(cpu "$2")
	tps=$(sed -n 's/.*transactions: *[0-9]* *(\([0-9.]*\) per sec.*/\1/p' "$T/sb.out")
	n=$(sed -n 's/.*transactions: *\([0-9]*\) .*/\1/p' "$T/sb.out")
	lat=$(sed -n 's/^ *avg: *\([0-9.]*\)$/\1/p' "$T/sb.out" | head -n 1)
	echo "${tps:-0} ${lat:-0} $(percall $((c1 - c0)) "${n:-0}")"
}
sb 23360 "" >/dev/null	# warm up
d1=$(sb 23360 ""); h1=$(sb 18685 "$HAPID"); t1=$(sb 18687 "$PID_my")
d2=$(sb 23360 ""); h2=$(sb 18685 "$HAPID"); t2=$(sb 18687 "$PID_my")
report "sysbench point-select t=8" "$(best "$d1" "$d2")" "$(best "$h1" "$h2")" "$(best "$t1" "$t2")"

# bulk PORT PID -> "MB/s cpu_us_per_MB" (4 connections x 16 MB each way,
# echoed and checked)
bulk() {
	c0=$(cpu "$2")
	t0=$(date +%s%N)
	"$T/pxload" client "$1" -c 4 -b 16777216 -t 300 >"$T/bulk.out" 2>&1 ||
	    { echo "bulk through port $1 failed: $(tail -n 3 "$T/bulk.out")" >&2; echo "0 n/a"; return; }
	t1=$(date +%s%N)
	c1=$(cpu "$2")
	echo "$(awk -v ns=$((t1 - t0)) 'BEGIN { printf "%.0f", 2 * 4 * 16 / (ns / 1e9) }') $(percall $((c1 - c0)) 128)"
}
read -r bd _ <<<"$(bulk 18680 "")"
read -r bh ch <<<"$(bulk 18681 "$HAPID")"
read -r bo co <<<"$(bulk 18682 "$PID_bulkoff")"
read -r bx cx <<<"$(bulk 18683 "$PID_bulkhex")"
echo "bulk (4 x 16 MB echoed): direct $bd MB/s | haproxy $bh MB/s, $ch us cpu/MB | tcpdp-top hex off $bo MB/s, $co us cpu/MB ($(ratio "$bo" "$bh") of haproxy's throughput, cpu/MB $(ratio "$co" "$ch")) | hex on $bx MB/s, $cx us cpu/MB ($(ratio "$bx" "$bh"), cpu/MB $(ratio "$cx" "$ch"))"
for d in pg my bulkoff bulkhex; do
	echo "tcpdp-top $d: dump log $(du -sh "$T/$d" | cut -f1), max RSS $(awk '/VmHWM/ {print $2}' /proc/$(eval echo \$PID_$d)/status 2>/dev/null) kB"
done
