#!/bin/bash
# bench-probe.sh - live capture cost (issue 3): sysbench oltp_point_select
# with 8 threads against a local MariaDB for $BENCH_SECS s (default 15),
# once without capture, then beside `tcpdump -i lo -w /dev/null`,
# `probe -i lo -d conn` and `probe -i lo -d hex` (default settings). For each:
# kernel drops (pcap_stats), capture CPU per query and the load's QPS.
# Target: zero drops and QPS no lower than under tcpdump. Needs root;
# port 23303 (BENCH_PORT overrides). BENCH_WRAP="perf record -o FILE"
# profiles the hex probe, BENCH_PROBE_ARGS adds flags to both probes
# (e.g. "-c FILE", "-B 8MB").
# The box is shared: compare the lines of one run, not runs.
# tests/run.sh and make start us with sh: bash features need bash.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
BIN=${TCPDP_BIN:?}
here=$(cd "$(dirname "$0")" && pwd)
SECS=${BENCH_SECS:-15}
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

# bench NAME CAPTURE-COMMAND... (empty command: no capture)
bench() {
	local name=$1 qps q t0 t1 drops="-" cpu="-"; shift
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
	printf '%-22s qps %9s  drops %8s of %9s  capture cpu %6s us/query\n' \
	    "$name" "${qps:-?}" "${drops:-?}" "${recv:--}" "$cpu"
	rm -f "$T/$name"/*.log* "$T/$name/out" 2>/dev/null
	recv=""
}

bench none
bench tcpdump tcpdump -i lo -n -w /dev/null "tcp port $PORT"
bench tcpdp-conn ${BENCH_WRAP_CONN:-} "$BIN" probe --batch ${BENCH_PROBE_ARGS:-} -i lo -t $PORT -d conn
bench tcpdp-hex ${BENCH_WRAP:-} "$BIN" probe --batch ${BENCH_PROBE_ARGS:-} -i lo -t $PORT -d hex
