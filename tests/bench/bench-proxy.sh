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
# ephemeral range (32768-60999). BENCH_MY_PORT, BENCH_PG_PORT and
# BENCH_PORT_BASE (echo; the proxies take the next 7) move them.
# BENCH_ROUNDS (default 5) rounds of BENCH_SECONDS (default 3) per path and
# line; the paths are interleaved, their order rotating from round to
# round, and every figure is the median over the rounds. The "paired"
# figures compare the paths within each round first (tcpdp-top/haproxy
# throughput, added latency over that round's direct run), then take the
# median: slow drifts of a shared machine's load cancel out.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
BIN=${TCPDP_BIN:?}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../integration/lib.sh"
S=${BENCH_SECONDS:-3}
R=${BENCH_ROUNDS:-5}
MYP=${BENCH_MY_PORT:-23360}
PGP=${BENCH_PG_PORT:-25460}
B=${BENCH_PORT_BASE:-18680}
P_ECHO=$B P_HBULK=$((B + 1)) P_TBULKOFF=$((B + 2)) P_TBULKHEX=$((B + 3))
P_HPG=$((B + 4)) P_HMY=$((B + 5)) P_TPG=$((B + 6)) P_TMY=$((B + 7))
TCPDP_TMP=/tmp t_setup bench-proxy
export TCPDP_TMP=$T
SRV_ROOT=$T/srv

for c in haproxy pgbench sysbench mariadbd cc; do
	command -v $c >/dev/null || { echo "bench-proxy: $c missing (sh contrib/install-deps.sh --test)"; exit 1; }
done

# A port already taken would measure someone else's listener.
for p in $MYP $PGP $P_ECHO $P_HBULK $P_TBULKOFF $P_TBULKHEX $P_HPG $P_HMY $P_TPG $P_TMY; do
	if ss -ltnH "sport = :$p" 2>/dev/null | grep -q .; then
		echo "bench-proxy: port $p in use (BENCH_PORT_BASE, BENCH_MY_PORT, BENCH_PG_PORT move them)"
		exit 1
	fi
done

cc -O2 -o "$T/pxload" "$HERE/../tools/pxload.c" || exit 1
"$T/pxload" echo $P_ECHO & PIDS="$PIDS $!"

echo "starting servers..."
srv_mariadb_start $MYP >"$T/my.log" 2>&1 || { cat "$T/my.log"; exit 1; }
srv_pg_start $PGP >"$T/pg.log" 2>&1 || { cat "$T/pg.log"; exit 1; }

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
	bind 127.0.0.1:$P_HMY
	server s1 127.0.0.1:$MYP
listen pg
	bind 127.0.0.1:$P_HPG
	server s1 127.0.0.1:$PGP
listen bulk
	bind 127.0.0.1:$P_HBULK
	server s1 127.0.0.1:$P_ECHO
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
tcpdp pg pg true 127.0.0.1:$P_TPG 127.0.0.1:$PGP
tcpdp my mysql true 127.0.0.1:$P_TMY 127.0.0.1:$MYP
tcpdp bulkoff conn false 127.0.0.1:$P_TBULKOFF 127.0.0.1:$P_ECHO
tcpdp bulkhex hex true 127.0.0.1:$P_TBULKHEX 127.0.0.1:$P_ECHO
for p in $P_ECHO $P_HBULK $P_TBULKOFF $P_TBULKHEX $P_HPG $P_HMY $P_TPG $P_TMY; do
	wait_port $p 10 || { echo "port $p not listening"; cat "$T"/*/stderr; exit 1; }
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
diffus() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.0f", (a - b) * 1000 }'; }
cpu() { [ -n "$1" ] && awk '{ print $14 + $15 }' /proc/"$1"/stat 2>/dev/null || echo 0; }
tick_us=$(( 1000000 / $(getconf CLK_TCK) ))
# percall TICKS N -> CPU microseconds per transaction (or per MB)
percall() { awk -v t="$1" -v n="$2" -v u=$tick_us 'BEGIN { if (n > 0) printf "%.1f", t * u / n; else print "n/a" }'; }
# med "a1 b1 c1|a2 b2 c2|..." -> the median of each column
med() {
	awk -v s="$1" 'BEGIN {
		n = split(s, row, "|")
		for (i = 1; i <= n; i++) { nc = split(row[i], f, " "); for (j = 1; j <= nc; j++) v[j, i] = f[j] + 0 }
		for (j = 1; j <= nc; j++) {
			for (i = 1; i <= n; i++) a[i] = v[j, i]
			for (i = 2; i <= n; i++) for (k = i; k > 1 && a[k - 1] > a[k]; k--) { t = a[k]; a[k] = a[k - 1]; a[k - 1] = t }
			m = n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
			printf "%s%.10g", (j > 1 ? " " : ""), m
		}
		print ""
	}'
}
# rounds FN ARGS...: R rounds of the three paths (FN direct|haproxy|tcpdp
# ARGS), their order rotating; sets D H X to the medians of each figure and
# P to the medians of the per-round (paired) comparisons: tcpdp-top/haproxy
# throughput, haproxy's and tcpdp-top's added latency over direct (ms).
rounds() {
	_fn=$1; shift
	_d="" _h="" _x="" _p=""
	for _r in $(seq 0 $((R - 1))); do
		for _k in 0 1 2; do
			case $(( (_r + _k) % 3 )) in
			0) _rd=$($_fn direct "$@") ;;
			1) _rh=$($_fn haproxy "$@") ;;
			2) _rx=$($_fn tcpdp "$@") ;;
			esac
		done
		_d="$_d${_d:+|}$_rd" _h="$_h${_h:+|}$_rh" _x="$_x${_x:+|}$_rx"
		_p="$_p${_p:+|}$(awk -v d="$_rd" -v h="$_rh" -v x="$_rx" 'BEGIN {
			split(d, a, " "); split(h, b, " "); split(x, c, " ")
			printf "%.4f %.4f %.4f", (b[1] > 0 ? c[1] / b[1] : 0), b[2] - a[2], c[2] - a[2] }')"
	done
	D=$(med "$_d") H=$(med "$_h") X=$(med "$_x") P=$(med "$_p")
}

# The machine is shared: every figure is the median of R interleaved rounds;
# the proxies' own CPU time per transaction (from /proc, independent of what
# else runs) is the steadier comparison.
report() {	# NAME DIRECT HAPROXY TCPDP PAIRED
	read -r td ld _ <<<"$2"
	read -r th lh ch <<<"$3"
	read -r tt lt ct <<<"$4"
	read -r pr ph px <<<"$5"
	printf '%-26s direct %6.0f tps %.3f ms | haproxy %6.0f tps, %s us cpu/tx, %s us | tcpdp-top %6.0f tps, %s us cpu/tx, %s us | tcpdp-top/haproxy: throughput %s, cpu/tx %s | paired: throughput %.2f, added latency haproxy %s us, tcpdp-top %s us\n' \
	    "$1" "$td" "$ld" "$th" "$ch" "$(diffus "$lh" "$ld")" "$tt" "$ct" "$(diffus "$lt" "$ld")" \
	    "$(ratio "$tt" "$th")" "$(ratio "$ct" "$ch")" "$pr" "$(diffus "$ph" 0)" "$(diffus "$px" 0)"
}
echo "($R rounds of ${S}s per path, medians; +N us = added latency per query over direct)"

export PGPASSWORD=app-secret PGSSLMODE=disable
echo "pgbench init (scale 5)..."
pgbench -i -q -s 5 -h 127.0.0.1 -p $PGP -U app appdb >"$T/pgb-init.log" 2>&1 || { cat "$T/pgb-init.log"; exit 1; }
pgbench -n -S -T 2 -c 4 -h 127.0.0.1 -p $PGP -U app appdb >/dev/null 2>&1	# warm up

# pgb PATH ARGS -> "tps latency_ms cpu_us_per_tx"
pgb() {
	case $1 in
	direct) port=$PGP pid="" ;;
	haproxy) port=$P_HPG pid=$HAPID ;;
	tcpdp) port=$P_TPG pid=$PID_pg ;;
	esac
	shift
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
		rounds pgb $args
		report "pgbench $mode c=$c" "$D" "$H" "$X" "$P"
	done
done

SB="sysbench --db-driver=mysql --mysql-host=127.0.0.1 --mysql-user=app --mysql-password=app-secret --mysql-db=appdb --mysql-ssl=off --tables=1 --table-size=10000"
$SB --mysql-port=$MYP oltp_point_select prepare >"$T/sb-prep.log" 2>&1 || { cat "$T/sb-prep.log"; exit 1; }
sb() {	# PATH
	case $1 in
	direct) port=$MYP pid="" ;;
	haproxy) port=$P_HMY pid=$HAPID ;;
	tcpdp) port=$P_TMY pid=$PID_my ;;
	esac
	c0=$(cpu "$pid")
	$SB --mysql-port="$port" --threads=8 --time="$S" oltp_point_select run >"$T/sb.out" 2>&1
	c1=$(cpu "$pid")
	tps=$(sed -n 's/.*transactions: *[0-9]* *(\([0-9.]*\) per sec.*/\1/p' "$T/sb.out")
	n=$(sed -n 's/.*transactions: *\([0-9]*\) .*/\1/p' "$T/sb.out")
	lat=$(sed -n 's/^ *avg: *\([0-9.]*\)$/\1/p' "$T/sb.out" | head -n 1)
	echo "${tps:-0} ${lat:-0} $(percall $((c1 - c0)) "${n:-0}")"
}
sb direct >/dev/null	# warm up
rounds sb
report "sysbench point-select t=8" "$D" "$H" "$X" "$P"

# bulk PATH -> "MB/s cpu_us_per_MB" (4 connections x 16 MB each way,
# echoed and checked); the tcpdp path runs hex off and hex on back to back
# (a failed transfer is said and tried again, up to 3 times: haproxy now
# and then resets a connection at the half-close)
bulk1() {	# PORT PID
	for _try in 1 2 3; do
		c0=$(cpu "$2")
		t0=$(date +%s%N)
		if "$T/pxload" client "$1" -c 4 -b 16777216 -t 300 >"$T/bulk.out" 2>&1; then
			t1=$(date +%s%N)
			c1=$(cpu "$2")
			echo "$(awk -v ns=$((t1 - t0)) 'BEGIN { printf "%.0f", 2 * 4 * 16 / (ns / 1e9) }') $(percall $((c1 - c0)) 128)"
			return
		fi
		echo "bulk through port $1 failed: $(tail -n 2 "$T/bulk.out" | tr '\n' ' ')" >&2
	done
	echo "0 0"
}
bulk() {
	case $1 in
	direct) bulk1 $P_ECHO "" ;;
	haproxy) bulk1 $P_HBULK "$HAPID" ;;
	tcpdp) echo "$(bulk1 $P_TBULKOFF "$PID_bulkoff") $(bulk1 $P_TBULKHEX "$PID_bulkhex")" ;;
	esac
}
rounds bulk
read -r bd _ <<<"$D"
read -r bh ch <<<"$H"
read -r bo co bx cx <<<"$X"
echo "bulk (4 x 16 MB echoed): direct $bd MB/s | haproxy $bh MB/s, $ch us cpu/MB | tcpdp-top hex off $bo MB/s, $co us cpu/MB ($(ratio "$bo" "$bh") of haproxy's throughput, paired $(echo "$P" | cut -d' ' -f1), cpu/MB $(ratio "$co" "$ch")) | hex on $bx MB/s, $cx us cpu/MB ($(ratio "$bx" "$bh"), cpu/MB $(ratio "$cx" "$ch"))"
for d in pg my bulkoff bulkhex; do
	echo "tcpdp-top $d: dump log $(du -sh "$T/$d" | cut -f1), max RSS $(awk '/VmHWM/ {print $2}' /proc/$(eval echo \$PID_$d)/status 2>/dev/null) kB"
done
