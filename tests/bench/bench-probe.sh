#!/bin/bash
# bench-probe.sh - live capture cost (issues 3 and 4): sysbench
# oltp_point_select with 8 threads against a local MariaDB, without capture
# and beside `tcpdump -i lo -w /dev/null`, `probe -i lo -d conn` and
# `probe -i lo -d hex` (default settings). For each: kernel drops
# (pcap_stats), capture CPU per query and the load's QPS.
# Target: zero drops and QPS no lower than under tcpdump. (The mysql
# dumper's live case is in bench-mysql.sh.) A line "tcpdump-file" has
# tcpdump write its capture to a file, as our probes write their dump log:
# the cost of writing a file, which -w /dev/null does not pay, shown apart.
# BENCH_ROUNDS (default 5) rounds of BENCH_SECS (default 15) s per line,
# the lines interleaved and their order rotating from round to round; each
# figure is the median over the rounds, and "vs tcpdump" is the median of
# the per-round ratios, so the slow drift of a shared machine cancels out
# (then their range, and in how many rounds the ratio was at least 1).
# Needs root; port 23303 (BENCH_PORT overrides). BENCH_WRAP="perf record
# -o FILE" profiles the hex probe, BENCH_PROBE_ARGS adds flags to the
# probes (e.g. "-c FILE", "-B 8MB"), BENCH_LINES picks lines by name.
# The line tcpdp-hex-sync (only when named in BENCH_LINES) writes the dump
# log with plain write(2) calls (TCPDP_LOG_ASYNC=0): what the io_uring
# writer saves.
# tests/run.sh and make start us with sh: bash features need bash.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
BIN=${TCPDP_BIN:?}
here=$(cd "$(dirname "$0")" && pwd)
SECS=${BENCH_SECS:-15}
ROUNDS=${BENCH_ROUNDS:-5}
PORT=${BENCH_PORT:-23303}
export TCPDP_TMP=$(mktemp -d /tmp/bench-probe.XXXXXX)
T=$TCPDP_TMP
. "$here/../integration/lib.sh"
CAP_PID=""
cleanup() {
	[ -n "$CAP_PID" ] && kill -INT "$CAP_PID" 2>/dev/null && wait "$CAP_PID" 2>/dev/null
	srv_stop_all
	rm -rf "$T"
}
trap cleanup EXIT
[ "$(id -u)" = 0 ] || { echo "bench-probe: needs root: skipped"; exit 0; }
command -v sysbench >/dev/null || { echo "bench-probe: sysbench missing: skipped"; exit 0; }
cd "$T" || exit 1
srv_mariadb_start $PORT >"$T/srv.log" 2>&1 || { tail "$T/srv.log"; exit 1; }
SB="sysbench oltp_point_select --db-driver=mysql --mysql-host=127.0.0.1 \
--mysql-port=$PORT --mysql-user=app --mysql-password=app-secret \
--mysql-db=appdb --mysql-ssl=off --tables=1 --table-size=10000"
$SB prepare >"$T/prepare.log" 2>&1 || { tail "$T/prepare.log"; exit 1; }

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }

# bench NAME CAPTURE-COMMAND... (empty command: no capture): one run,
# appended to $T/NAME.res as "qps drops received cpu-us-per-query".
bench() {
	local name=$1 qps q t0 t1 drops=0 recv=0 cpu=0; shift
	mkdir -p "$T/$name"
	if [ $# -gt 0 ]; then
		(cd "$T/$name" && exec "$@" >"$T/$name/out" 2>"$T/$name/err") &
		CAP_PID=$!
		sleep 1.5
		t0=$(cpu_ticks $CAP_PID)
	fi
	$SB --threads=8 --time="$SECS" --report-interval=0 run >"$T/$name/sb.log" 2>&1
	qps=$(sed -nE 's/.*queries: *[0-9]+ *\(([0-9.]+) per sec.*/\1/p' "$T/$name/sb.log")
	q=$(sed -nE 's/.*queries: *([0-9]+) .*/\1/p' "$T/$name/sb.log")
	if [ -n "$CAP_PID" ]; then
		sleep 0.5
		t1=$(cpu_ticks $CAP_PID)
		kill -INT "$CAP_PID"
		wait "$CAP_PID" 2>/dev/null
		CAP_PID=""
		cpu=$(awk -v a="$t0" -v b="$t1" -v q="$q" -v hz="$(getconf CLK_TCK)" \
		    'BEGIN { printf "%.2f", (b - a) / hz * 1e6 / (q > 0 ? q : 1) }')
		drops=$(sed -nE 's/^([0-9]+) packets dropped by kernel.*/\1/p' "$T/$name/err")
		# ours: the internal log's console lines (stdout by default)
		[ -n "$drops" ] || drops=$(cat "$T/$name/out" "$T/$name/err" |
		    sed -nE 's/.*pcap Stats.*"packet_dropped": ([0-9]+).*/\1/p')
		recv=$(cat "$T/$name/out" "$T/$name/err" |
		    sed -nE 's/^([0-9]+) packets received by filter.*/\1/p; s/.*pcap Stats.*"packet_received": ([0-9]+).*/\1/p')
	fi
	echo "${qps:-0} ${drops:-?} ${recv:-0} $cpu" >>"$T/$name.res"
	rm -rf "$T/$name"
}

NAMES="none tcpdump tcpdump-file tcpdp-conn tcpdp-hex tcpdp-hex-sync"
LINES=${BENCH_LINES:-none tcpdump tcpdump-file tcpdp-conn tcpdp-hex}
line() {
	case $1 in
	none)		bench none ;;
	tcpdump)	bench tcpdump tcpdump -i lo -n -w /dev/null "tcp port $PORT" ;;
	tcpdump-file)	bench tcpdump-file tcpdump -i lo -n -w capture.pcap "tcp port $PORT" ;;
	tcpdp-conn)	bench tcpdp-conn ${BENCH_WRAP_CONN:-} "$BIN" probe --batch \
			    ${BENCH_PROBE_ARGS:-} -i lo -t $PORT -d conn ;;
	tcpdp-hex)	bench tcpdp-hex ${BENCH_WRAP:-} "$BIN" probe --batch \
			    ${BENCH_PROBE_ARGS:-} -i lo -t $PORT -d hex ;;
	tcpdp-hex-sync)	bench tcpdp-hex-sync env TCPDP_LOG_ASYNC=0 "$BIN" probe \
			    --batch ${BENCH_PROBE_ARGS:-} -i lo -t $PORT -d hex ;;
	esac
}
set -- $NAMES
n=$#
r=0
while [ $r -lt "$ROUNDS" ]; do
	# rotate the order: each line runs early in one round, late in another
	i=0
	while [ $i -lt $n ]; do
		k=$(( (i + r) % n + 1 ))
		name=${!k}
		case " $LINES " in *" $name "*) line "$name" ;; esac
		i=$((i + 1))
	done
	r=$((r + 1))
done

med() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# vs_line RES BASE-RES: median of the per-round QPS ratios, their range and
# in how many rounds the ratio was at least 1 ("-" without the baseline).
vs_line() {
	[ -f "$2" ] || { echo "-"; return; }
	paste -d' ' "$1" "$2" | awk '$5 > 0 { printf "%.3f\n", $1 / $5 }' >"$T/ratios"
	echo "$(med <"$T/ratios") ($(sort -g "$T/ratios" | head -1)-$(sort -g "$T/ratios" | tail -1), $(awk '$1 >= 1' "$T/ratios" | wc -l)/$(wc -l <"$T/ratios") >= 1)"
}
echo "sysbench oltp_point_select, 8 threads, $ROUNDS rounds of ${SECS}s per line, medians"
for name in $NAMES; do
	f=$T/$name.res
	[ -f "$f" ] || continue
	qps=$(cut -d' ' -f1 "$f" | med)
	drops=$(awk '{ s += $2 } END { print s + 0 }' "$f")
	recv=$(awk '{ s += $3 } END { print s + 0 }' "$f")
	cpu=$(cut -d' ' -f4 "$f" | med)
	vs="-" vsf=""
	case $name in none|tcpdump) ;; *)
		vs=$(vs_line "$f" "$T/tcpdump.res") ;;
	esac
	case $name in tcpdp-*)
		[ -f "$T/tcpdump-file.res" ] &&
		    vsf="  vs tcpdump-file $(vs_line "$f" "$T/tcpdump-file.res" | cut -d' ' -f1)" ;;
	esac
	[ "$name" = none ] && { drops="-"; recv="-"; cpu="-"; }
	printf '%-12s qps %9s  vs tcpdump %-28s  drops %8s of %9s  capture cpu %6s us/query%s\n' \
	    "$name" "$qps" "$vs" "$drops" "$recv" "$cpu" "$vsf"
done
echo "target: drops 0 and qps vs tcpdump >= 1 (within the rounds' spread)"
