#!/bin/bash
# bench-mysql.sh - mysql decoding speed (issue 4): a large capture of sysbench
# oltp_read_write traffic with prepared statements (made once by
# make-bench-pcap.sh into $BENCH_OUT) through `read --batch -d mysql`, as a
# ratio to a bare libpcap read loop over the same file (built here) and to
# tshark extracting mysql.query. Best CPU time of $BENCH_RUNS runs (tshark:
# one run), page cache warm; also `-d conn` (the packet path alone).
# Then live (root; BENCH_LIVE=0 skips): `probe -i lo -d mysql` beside
# sysbench oltp_point_select, 8 threads, prepared statements, $BENCH_SECS s
# against MariaDB on port 23312: executes recorded vs sysbench's count,
# kernel drops, probe CPU per query. Target: 100%, 0 drops, <= 2 us.
# BENCH_PROBE_OPTS adds probe flags (e.g. "-B 128MB"). Targets: <= 2x the bare loop, >= 20x faster than tshark.
set -u
BIN=${TCPDP_BIN:?}
FX=${TCPDP_FIXTURES:?}
SIZE=${BENCH_MB:-64}
RUNS=${BENCH_RUNS:-5}
PORT=${BENCH_MY_PORT:-23307}	# MariaDB's port in the capture
# The capture is decoded by its server port, so the port names the cache.
OUT=${BENCH_OUT:-/tmp/bench-$PORT}
T=$(mktemp -d /tmp/bench-mysql.XXXXXX)
export TCPDP_TMP=$T
here=$(cd "$(dirname "$0")" && pwd)
CAP_PID=""
cleanup() {
	[ -n "$CAP_PID" ] && kill -TERM "$CAP_PID" 2>/dev/null && wait "$CAP_PID" 2>/dev/null
	[ -n "${MY_PID:-}" ] && srv_stop_all
	rm -rf "$T"
}
trap cleanup EXIT

. "$here/lib.sh"
pcap=${BENCH_PCAP:-$OUT/mysql_bench_${SIZE}M.pcap}
bench_pcap "$pcap" mysql MY_PORT="$PORT"
bench_bare
# CPU seconds (user + system), not wall time: the machine may be shared,
# and waiting for a core is not our cost.
best() { bench_best cpu "$@"; }

cat "$pcap" >/dev/null
"$BIN" read --batch -d mysql -t "$PORT" "$pcap" </dev/null >"$T/out.jsonl" 2>"$T/err" ||
    { echo "FAILED: read: $(head -c 300 "$T/err")"; exit 1; }
recs=$(wc -l <"$T/out.jsonl")
ex=$(grep -c '"command_id":23' "$T/out.jsonl")
echo "capture: $pcap ($(du -h "$pcap" | cut -f1), $("$T/bare" "$pcap" | cut -d' ' -f1) packets)"
echo "decoded: $recs records, $ex executes"
grep -i 'COM_\|command' "${pcap%.pcap}.summary.txt" 2>/dev/null | head -n 8 | sed 's/^/  summary: /'
bare=$(best "$RUNS" "$T/bare" "$pcap")
conn=$(best "$RUNS" "$BIN" read --batch -d conn -t "$PORT" "$pcap")
my=$(best "$RUNS" "$BIN" read --batch -d mysql -t "$PORT" "$pcap")
if command -v tshark >/dev/null 2>&1; then
	tsh=$(best 1 tshark -n -r "$pcap" -d "tcp.port==$PORT,mysql" -Y mysql.query \
	    -T fields -e mysql.query)
else
	tsh=""
fi
printf '%-32s %8s s CPU\n' "bare libpcap loop" "$bare"
printf '%-32s %8s s CPU  %5sx bare  (packet path, no decoding)\n' \
    "tcpdp-top read --batch -d conn" "$conn" "$(ratio "$conn" "$bare")"
printf '%-32s %8s s CPU  %5sx bare  (target <= 2x)\n' \
    "tcpdp-top read --batch -d mysql" "$my" "$(ratio "$my" "$bare")"
[ -n "$tsh" ] && printf '%-32s %8s s CPU  %5sx slower than tcpdp-top (target >= 20x)\n' \
    "tshark -e mysql.query" "$tsh" "$(ratio "$tsh" "$my")"

[ "${BENCH_LIVE:-1}" = 1 ] || exit 0
if [ "$(id -u)" != 0 ] || ! command -v sysbench >/dev/null; then
	echo "live: needs root and sysbench: skipped"
	exit 0
fi
LPORT=23312
SECS=${BENCH_SECS:-10}
. "$here/../integration/lib.sh"
srv_mariadb_start $LPORT >"$T/srv.log" 2>&1 || { tail "$T/srv.log"; exit 1; }
SB="sysbench oltp_point_select --db-driver=mysql --mysql-host=127.0.0.1 \
--mysql-port=$LPORT --mysql-user=app --mysql-password=app-secret \
--mysql-db=appdb --mysql-ssl=off --tables=1 --table-size=10000 --db-ps-mode=auto"
$SB prepare >"$T/prepare.log" 2>&1 || { tail "$T/prepare.log"; exit 1; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
mkdir -p "$T/live"
(cd "$T/live" && exec "$BIN" probe --batch -i lo -t $LPORT -d mysql ${BENCH_PROBE_OPTS:-} >out 2>err) &
CAP_PID=$!
sleep 1.5
t0=$(cpu_ticks $CAP_PID)
$SB --threads=8 --time="$SECS" --report-interval=0 run >"$T/sb.log" 2>&1
sleep 1
t1=$(cpu_ticks $CAP_PID)
kill -TERM "$CAP_PID"
wait "$CAP_PID" 2>/dev/null
CAP_PID=""
q=$(sed -nE 's/.*queries: *([0-9]+) .*/\1/p' "$T/sb.log")
qps=$(sed -nE 's/.*queries: *[0-9]+ *\(([0-9.]+) per sec.*/\1/p' "$T/sb.log")
# dump.log is a symlink to the current dump.log.YYYYMMDD: count the files.
got=$(cat "$T/live"/dump.log.* 2>/dev/null | grep -c '"command_id":23')
drops=$(cat "$T/live/out" "$T/live/err" "$T/live"/tcpdp.log.* 2>/dev/null |
    sed -nE 's/.*"packet_dropped": ?([0-9]+).*/\1/p' | tail -n 1)
cpu=$(awk -v a="$t0" -v b="$t1" -v q="$q" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { printf "%.2f", (b - a) / hz * 1e6 / (q > 0 ? q : 1) }')
printf 'live probe -d mysql: sysbench %s queries (%s/s), %s executes recorded (%s%%), drops %s, probe cpu %s us/query (target 100%%, 0, <= 2)\n' \
    "${q:-?}" "${qps:-?}" "$got" "$(awk -v a="$got" -v b="${q:-0}" 'BEGIN { printf "%.1f", b ? 100 * a / b : 0 }')" \
    "${drops:-?}" "$cpu"
exit 0
