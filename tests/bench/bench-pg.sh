#!/bin/sh
# bench-pg.sh - pg dumper speed (issue 5): a large pgbench -M extended
# capture (made once by make-bench-pcap.sh into $BENCH_OUT) through
# `read --batch -d pg`, as ratios to a bare libpcap read loop over the same
# file (built here) and to tshark extracting pgsql.query. Best of
# $BENCH_RUNS runs (tshark: one run), page cache warm.
# Targets: within 2x of the bare loop, at least 30x faster than tshark.
set -u
BIN=${TCPDP_BIN:?}
FX=${TCPDP_FIXTURES:?}
SIZE=${BENCH_MB:-64}
OUT=${BENCH_OUT:-/tmp/bench}
RUNS=${BENCH_RUNS:-3}
PORT=54612
T=$(mktemp -d /tmp/bench-pg.XXXXXX)
trap 'rm -rf "$T"' EXIT INT TERM

pcap=${BENCH_PCAP:-$OUT/pg_bench_${SIZE}M.pcap}
if [ ! -f "$pcap" ]; then
	echo "making $pcap (once; BENCH_PCAP=FILE uses another capture, on port $PORT)"
	PG_PORT=$PORT MY_PORT=33612 TCPDP_WORK=/tmp/tcpdp-bench-pg \
	    BENCH_OUT=$OUT bash "$FX/scripts/make-bench-pcap.sh" "$SIZE" pg \
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

# best N CMD...: the best wall time of N runs, in seconds.
best() {
	n=$1; shift
	"$@" >/dev/null 2>"$T/err" || { echo "FAILED: $* $(head -c 300 "$T/err")" >&2; echo 0; return; }
	b=""
	i=0
	while [ $i -lt "$n" ]; do
		s=$(date +%s.%N)
		"$@" >/dev/null 2>&1
		e=$(date +%s.%N)
		t=$(awk -v s="$s" -v e="$e" 'BEGIN { printf "%.3f", e - s }')
		if [ -z "$b" ] || awk -v a="$t" -v b="$b" 'BEGIN { exit !(a < b) }'; then b=$t; fi
		i=$((i + 1))
	done
	echo "$b"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "?" }'; }

cat "$pcap" >/dev/null
echo "capture: $pcap ($(du -h "$pcap" | cut -f1), $("$T/bare" "$pcap" | cut -d' ' -f1) packets)"
"$BIN" read --batch -d pg -t $PORT "$pcap" >"$T/recs" 2>"$T/err"
echo "records: $(wc -l <"$T/recs") ($(grep -c '"message_type":"E"' "$T/recs") Execute)"
bare=$(best "$RUNS" "$T/bare" "$pcap")
pg=$(best "$RUNS" "$BIN" read --batch -d pg -t $PORT "$pcap")
printf '%-34s %8s s\n' "bare libpcap loop" "$bare"
printf '%-34s %8s s  %6sx bare  (target <= 2x)\n' \
    "tcpdp-top read --batch -d pg" "$pg" "$(ratio "$pg" "$bare")"
if command -v tshark >/dev/null 2>&1; then
	ts=$(best 1 tshark -n -r "$pcap" -d tcp.port==$PORT,pgsql -T fields -e pgsql.query)
	printf '%-34s %8s s  %6sx bare  %6sx tcpdp-top  (target >= 30x)\n' \
	    "tshark -T fields -e pgsql.query" "$ts" "$(ratio "$ts" "$bare")" \
	    "$(ratio "$ts" "$pg")"
else
	echo "tshark not installed: no tshark baseline"
fi
