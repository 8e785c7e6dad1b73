#!/bin/bash
# hostile-memory.sh - protocol-valid but pathological captures must cost a
# bounded amount of memory (max RSS of `read`): a COM_QUERY of endless
# 16 MB packets, a pg message announcing 1 GB, 100k pipelined requests
# with no response, 100k prepared statements, an out-of-order backlog
# behind a lost segment, many connections left open, and many connections
# each holding part of a huge message. Limits are over the RSS of reading
# a small fixture in the same run. HOSTILE_LONG=1: larger inputs.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
BIN=${TCPDP_BIN:?}
FX=${TCPDP_FIXTURES:?}
here=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d "${TCPDP_TMP:-/tmp}/hostile.XXXXXX")
trap 'rm -rf "$T"' EXIT
MK="python3 $here/../tools/mkhostile.py"
# ASan's quarantine would hold freed memory and hide what we measure.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=1"
long=${HOSTILE_LONG:-0}
mb=48 conns=20000
[ "$long" = 1 ] && mb=400 conns=100000

# rss OUT ARGS...: runs ARGS, its max RSS in MB on stdout, its exit code
# and stderr in $T/rc and $T/err.
rss() {
	python3 - "$@" <<'PY'
import resource, subprocess, sys
try:
    r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, timeout=300)
    rc, err = r.returncode, r.stderr
except subprocess.TimeoutExpired:
    rc, err = 124, b"timeout"
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)
sys.stderr.write("rc=%d\n" % rc)
sys.stderr.buffer.write(err[-2000:])
PY
}

base=$(rss "$BIN" read -d mysql "$FX/pcap/mysql_simple.pcap" 2>/dev/null)
echo "hostile-memory: baseline RSS ${base} MB"

# check NAME LIMIT_MB DUMPER PCAP
check() {
	local got
	got=$(rss "$BIN" read -d "$3" "$4" 2>"$T/err")
	if grep -q 'Sanitizer\|runtime error' "$T/err" ||
	    ! grep -q '^rc=0$' "$T/err"; then
		echo "FAIL: hostile/$1 ($(head -c 300 "$T/err"))"
	elif [ "$got" -gt $((base + $2)) ]; then
		echo "FAIL: hostile/$1 (max RSS ${got} MB > ${base} + $2 MB)"
	else
		echo "PASS: hostile/$1 (${got} MB)"
	fi
	rm -f "$4"
}

$MK mysql16m "$T/a.pcap" $mb && check mysql_16mb_packets 16 mysql "$T/a.pcap"
$MK pg1g "$T/a.pcap" $mb && check pg_1gb_message 16 pg "$T/a.pcap"
$MK mysqlpipe "$T/a.pcap" 100000 && check mysql_pipelined_100k 16 mysql "$T/a.pcap"
$MK mysqlprep "$T/a.pcap" 100000 && check mysql_prepare_100k 16 mysql "$T/a.pcap"
$MK pgpipe "$T/a.pcap" 100000 && check pg_pipelined_100k 16 pg "$T/a.pcap"
$MK ooo "$T/a.pcap" $mb && check ooo_backlog_mysql 16 mysql "$T/a.pcap"
$MK ooo "$T/a.pcap" $mb && check ooo_backlog_hex 16 hex "$T/a.pcap"
# Open connections cost a fixed amount each (up to the flow table's cap),
# not a copy of their last bytes: at most 12 KB per flow (sanitizer
# redzones included; about 5 KB for mysql in a release build).
for d in mysql pg hex conn; do
	k=conns; [ $d = pg ] && k=pgconns
	$MK $k "$T/a.pcap" $conns && check ${conns}_open_conns_$d $((conns * 12 / 1024)) $d "$T/a.pcap"
done
# A SYN flood: connections without a byte hold no decoder state, so they
# cost the flow alone: at most 1.75 KB each (1.4 KB with redzones, 0.7 KB
# in a release build; with the state made at the SYN, mysql took 2 KB in
# a release build).
for d in mysql pg; do
	p=3306; [ $d = pg ] && p=5432
	$MK syns "$T/a.pcap" $conns $p && check ${conns}_syn_flood_$d $((conns * 7 / 4 / 1024)) $d "$T/a.pcap"
done
# Many connections each holding part of a 16 MB / 1 GB message: the bytes
# kept for unfinished messages are capped across connections (32 MB).
$MK conns "$T/a.pcap" 100 1000000 && check mysql_100_partial_1mb 48 mysql "$T/a.pcap"
$MK pgconns "$T/a.pcap" 100 1000000 && check pg_100_partial_1mb 48 pg "$T/a.pcap"
exit 0
