#!/bin/bash
# bench-mysql.sh - mysql decoding speed (issue 4): a large capture of sysbench
# oltp_read_write traffic with prepared statements (made once by
# make-bench-pcap.sh into $BENCH_OUT) through `read --batch -d mysql`, as a
# ratio to a bare libpcap read loop over the same file (built here) and to
# tshark extracting mysql.query. Best CPU time of $BENCH_RUNS runs (tshark:
# one run), page cache warm; also `-d conn` (the packet path alone). Targets: <= 2x the bare loop, >= 20x faster than tshark.
set -u
BIN=${TCPDP_BIN:?}
FX=${TCPDP_FIXTURES:?}
SIZE=${BENCH_MB:-64}
OUT=${BENCH_OUT:-/tmp/bench}
RUNS=${BENCH_RUNS:-5}
PORT=${BENCH_MY_PORT:-33307}	# make-bench-pcap.sh's MariaDB port
T=$(mktemp -d /tmp/bench-mysql.XXXXXX)
trap 'rm -rf "$T"' EXIT

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
exit 0
