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
SIZE=${BENCH_MB:-170}	# pgbench packets average ~150 bytes: over a million packets
RUNS=${BENCH_RUNS:-3}
PORT=25412
# The capture is decoded by its server port, so the port names the cache.
OUT=${BENCH_OUT:-/tmp/bench-$PORT}
T=$(mktemp -d /tmp/bench-pg.XXXXXX)
trap 'rm -rf "$T"' EXIT INT TERM

. "$(dirname "$0")/lib.sh"
pcap=${BENCH_PCAP:-$OUT/pg_bench_${SIZE}M.pcap}
bench_pcap "$pcap" pg PG_PORT=$PORT MY_PORT=23314 TCPDP_WORK=/tmp/tcpdp-bench-pg
bench_bare
best() { bench_best wall "$@"; }	# wall time, best of N

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
