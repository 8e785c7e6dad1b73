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

. "$(dirname "$0")/lib.sh"
pcap=${BENCH_PCAP:-$OUT/mysql_bench_${SIZE}M.pcap}
bench_pcap "$pcap" mysql MY_PORT=23302 PG_PORT=25402 TCPDP_WORK=/tmp/tcpdp-bench-packet
bench_bare
best() { bench_best wall "$RUNS" "$@"; }	# wall time, best of $RUNS

cat "$pcap" >/dev/null
echo "capture: $pcap ($(du -h "$pcap" | cut -f1), $("$T/bare" "$pcap" | cut -d' ' -f1) packets)"
bare=$(best "$T/bare" "$pcap")
tcpd=$(best tcpdump -r "$pcap" -w /dev/null)
conn=$(best "$BIN" read --batch -d conn "$pcap")
hex=$(best "$BIN" read --batch -d hex "$pcap")
printf '%-28s %8s s\n' "bare libpcap loop" "$bare"
printf '%-28s %8s s  %5sx bare\n' "tcpdump -r -w /dev/null" "$tcpd" "$(ratio "$tcpd" "$bare")"
printf '%-28s %8s s  %5sx bare  %5sx tcpdump  (target <= 1.50x bare)\n' \
    "tcpdp-top read -d conn" "$conn" "$(ratio "$conn" "$bare")" "$(ratio "$conn" "$tcpd")"
printf '%-28s %8s s  %5sx bare  %5sx tcpdump  (every payload byte as JSON hex)\n' \
    "tcpdp-top read -d hex" "$hex" "$(ratio "$hex" "$bare")" "$(ratio "$hex" "$tcpd")"
