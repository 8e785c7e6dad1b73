#!/bin/bash
# bench-mysql.sh - mysql decoding speed (issue 4): a large capture of sysbench
# oltp_read_write traffic with prepared statements (made once by
# make-bench-pcap.sh into $BENCH_OUT) through `read --batch -d mysql`, as a
# ratio to a bare libpcap read loop over the same file (built here) and to
# tshark extracting mysql.query. Best CPU time of $BENCH_RUNS runs (tshark:
# one run), page cache warm; also `-d conn` (the packet path alone).
# Then live (root; BENCH_LIVE=0 skips): `probe -i lo -d mysql` beside
# sysbench oltp_point_select, 8 threads, prepared statements, $BENCH_SECS s
# against MariaDB on port 33612: executes recorded vs sysbench's count,
# kernel drops, probe CPU per query. Target: 100%, 0 drops, <= 2 us.
# BENCH_PROBE_OPTS adds probe flags (e.g. "-B 128MB"). Targets: <= 2x the bare loop, >= 20x faster than tshark.
set -u
BIN=${TCPDP_BIN:?}
FX=${TCPDP_FIXTURES:?}
SIZE=${BENCH_MB:-64}
OUT=${BENCH_OUT:-/tmp/bench}
RUNS=${BENCH_RUNS:-5}
PORT=${BENCH_MY_PORT:-33307}	# make-bench-pcap.sh's MariaDB port
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

pcap=${BENCH_PCAP:-$OUT/mysql_bench_${SIZE}M.pcap}
if [ ! -f "$pcap" ]; then
	echo "making $pcap (once; BENCH_PCAP=FILE uses another capture)"
	MY_PORT=$PORT BENCH_OUT=$OUT bash "$FX/scripts/make-bench-pcap.sh" "$SIZE" mysql \
	    >"$T/make.log" 2>&1 || { tail -20 "$T/make.log"; exit 1; }
fi

cat >"$T/bare.c" <<'C'
#include <pcap/pcap.h>
#include <stdio.h>
static void
cb(u_char *a, const struct pcap_pkthdr *h, const u_char *p)
{
	unsigned long *s = (unsigned long *)a;
	s[0] += h->caplen;
	s[1] += h->caplen > 40 ? p[40] : 0;	/* touch the headers */
	s[2]++;
}
int
main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	unsigned long s[3] = { 0, 0, 0 };
	static char buf[1 << 20];
	FILE *f = fopen(argc > 1 ? argv[1] : "/dev/stdin", "rb");
	pcap_t *p;
	if (f == NULL) { perror("fopen"); return 1; }
	setvbuf(f, buf, _IOFBF, sizeof buf);
	if ((p = pcap_fopen_offline(f, err)) == NULL) { fprintf(stderr, "%s\n", err); return 1; }
	pcap_loop(p, -1, cb, (u_char *)s);
	printf("%lu packets %lu bytes %lu\n", s[2], s[0], s[1]);
	pcap_close(p);
	return 0;
}
C
cc -O2 -o "$T/bare" "$T/bare.c" -lpcap || exit 1

# CPU seconds (user + system), not wall time: the machine may be shared,
# and waiting for a core is not our cost.
best() {	# best RUNS CMD...: prints the best CPU time in seconds
	local n=$1 i t b=""
	shift
	for i in $(seq "$n"); do
		t=$( { /usr/bin/env TIMEFORMAT='%U %S' bash -c 'time "$@" >/dev/null 2>&1 </dev/null' _ "$@"; } 2>&1 |
		    tail -n 1 | awk '{ printf "%.3f", $1 + $2 }')
		if [ -z "$b" ] || awk -v a="$t" -v b="$b" 'BEGIN { exit !(a < b) }'; then b=$t; fi
	done
	echo "$b"
}

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
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
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
LPORT=33612
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
got=$(cat "$T/live"/dump.log* "$T/live/out" 2>/dev/null | grep -c '"command_id":23')
drops=$(sed -nE 's/^([0-9]+) packets dropped by kernel.*/\1/p; s/.*"packet_dropped": ([0-9]+).*/\1/p' "$T/live/err" | tail -n 1)
cpu=$(awk -v a="$t0" -v b="$t1" -v q="$q" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { printf "%.2f", (b - a) / hz * 1e6 / (q > 0 ? q : 1) }')
printf 'live probe -d mysql: sysbench %s queries (%s/s), %s executes recorded (%s%%), drops %s, probe cpu %s us/query (target 100%%, 0, <= 2)\n' \
    "${q:-?}" "${qps:-?}" "$got" "$(awk -v a="$got" -v b="${q:-0}" 'BEGIN { printf "%.1f", b ? 100 * a / b : 0 }')" \
    "${drops:-?}" "$cpu"
exit 0
