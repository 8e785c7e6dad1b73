#!/bin/bash
# bench-read.sh - read-mode speed (issue 3): a large capture of sysbench
# traffic (made once by make-bench-pcap.sh, kept in $BENCH_OUT) through
# `read --batch -d conn` and `-d hex`, as ratios to a bare libpcap read loop
# over the same file (built here) and to `tcpdump -r FILE -w /dev/null`.
# Best of $BENCH_RUNS runs each, page cache warm. Target: conn <= 1.5x bare.
# tests/run.sh and make start us with sh: bash features need bash.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
BIN=${TCPDP_BIN:?}
FX=${TCPDP_FIXTURES:?}
SIZE=${BENCH_MB:-256}
OUT=${BENCH_OUT:-/tmp/bench-packet}
RUNS=${BENCH_RUNS:-5}
T=$(mktemp -d /tmp/bench-read.XXXXXX)
trap 'rm -rf "$T"' EXIT

pcap=${BENCH_PCAP:-$OUT/mysql_bench_${SIZE}M.pcap}
if [ ! -f "$pcap" ]; then
	echo "making $pcap (once; BENCH_PCAP=FILE uses another capture)"
	MY_PORT=33602 PG_PORT=54602 TCPDP_WORK=/tmp/tcpdp-bench-packet \
	    BENCH_OUT=$OUT bash "$FX/scripts/make-bench-pcap.sh" "$SIZE" mysql \
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
	setvbuf(f, buf, _IOFBF, sizeof buf);	/* as tcpdp-top reads */
	if ((p = pcap_fopen_offline(f, err)) == NULL) { fprintf(stderr, "%s\n", err); return 1; }
	pcap_loop(p, -1, cb, (u_char *)s);
	printf("%lu packets %lu bytes %lu\n", s[2], s[0], s[1]);
	pcap_close(p);
	return 0;
}
C
cc -O2 -o "$T/bare" "$T/bare.c" -lpcap || exit 1

best() {	# best CMD...: prints the best wall time in seconds
	local i t b=""
	"$@" >/dev/null 2>"$T/err" || { echo "FAILED: $* $(head -c 300 "$T/err")" >&2; echo 0; return; }
	for i in $(seq "$RUNS"); do
		t=$( { /usr/bin/env TIMEFORMAT=%R bash -c 'time "$@" >/dev/null 2>&1' _ "$@"; } 2>&1 | tail -n 1)
		if [ -z "$b" ] || awk -v a="$t" -v b="$b" 'BEGIN { exit !(a < b) }'; then b=$t; fi
	done
	echo "$b"
}

cat "$pcap" >/dev/null
echo "capture: $pcap ($(du -h "$pcap" | cut -f1), $("$T/bare" "$pcap" | cut -d' ' -f1) packets)"
bare=$(best "$T/bare" "$pcap")
tcpd=$(best tcpdump -r "$pcap" -w /dev/null)
conn=$(best "$BIN" read --batch -d conn "$pcap")
hex=$(best "$BIN" read --batch -d hex "$pcap")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
printf '%-28s %8s s\n' "bare libpcap loop" "$bare"
printf '%-28s %8s s  %5sx bare\n' "tcpdump -r -w /dev/null" "$tcpd" "$(ratio "$tcpd" "$bare")"
printf '%-28s %8s s  %5sx bare  %5sx tcpdump  (target <= 1.50x bare)\n' \
    "tcpdp-top read -d conn" "$conn" "$(ratio "$conn" "$bare")" "$(ratio "$conn" "$tcpd")"
printf '%-28s %8s s  %5sx bare  %5sx tcpdump  (every payload byte as JSON hex)\n' \
    "tcpdp-top read -d hex" "$hex" "$(ratio "$hex" "$bare")" "$(ratio "$hex" "$tcpd")"
