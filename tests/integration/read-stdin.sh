#!/bin/bash
# read-stdin.sh - `read -` and pipes (issue 3): a capture piped in gives
# what the same bytes give as a file, whole or cut, in every format the
# golden tests read (pcapng mixing link types too, which libpcap refuses);
# formats left to libpcap still reach it whole; a slow writer (tcpdump -U
# -w - | tcpdp-top read -) sees its records before the pipe closes.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
BIN=${TCPDP_BIN:?}
FX=${TCPDP_FIXTURES:?}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
t_setup stdin
repo=$here/../..

ok() { echo "PASS: stdin/$1"; }
no() { echo "FAIL: stdin/$1${2:+ ($2)}"; }
# conn_id values are drawn per run; log lines carry the wall clock and the
# file's name
norm() {
	sed -E 's/^[0-9T:.+-]+Z?\t//; s/"conn_id": ?"[^"]*"//; s/conn_id:[^\t]*//;
	    s#read [^ :]*:#read X:#; /Sanitizer|runtime error/s/^/SAN /'
}

# Every golden case: whole, and cut inside a record at two places.
n=0 bad=""
while IFS='|' read -r name args cap _; do
	name=$(echo $name) args=$(echo $args) cap=$(echo $cap)
	case "$name" in \#*|"") continue ;; esac
	case "$cap" in tests/*) cap=$repo/$cap ;; *) cap=$FX/$cap ;; esac
	[ -f "$cap" ] || continue
	size=$(stat -c %s "$cap")
	for cut in $size $((size / 3)) $((size - 5)); do
		head -c $cut "$cap" >c.pcap
		timeout 60 "$BIN" $args c.pcap </dev/null 2>&1 | norm >a
		cat c.pcap | timeout 60 "$BIN" $args - 2>&1 | norm >b
		n=$((n + 1))
		if ! cmp -s a b || grep -q '^SAN' b; then
			bad="$bad $name@$cut"
		fi
	done
done <"$repo/tests/golden/TESTLIST"
[ $n -gt 100 ] && [ -z "$bad" ] && ok "pipe_equals_file ($n cases)" ||
    no pipe_equals_file "$n cases, differ:$bad"

# The golden pcapng that libpcap refuses, through a pipe: records, not
# its refusal.
cat "$repo/tests/captures/pkt_multilink.pcapng" |
    timeout 60 "$BIN" read -d conn - >out 2>err
[ "$(wc -l <out)" -ge 3 ] && ! grep -q 'different from the type' err &&
    ok pcapng_mixed_links || no pcapng_mixed_links "$(head -c 200 err)"

# A format we leave to libpcap (a "modified" pcap), piped: libpcap gets
# the bytes read to decide as well as the rest.
if command -v editcap >/dev/null; then
	src=$FX/pcap/mysql_simple.pcap
	editcap -F modpcap "$src" mod.pcap
	timeout 60 "$BIN" read -d mysql -t 33306 mod.pcap 2>&1 </dev/null | norm >a
	timeout 60 "$BIN" read -d mysql -t 33306 "$src" 2>&1 </dev/null | norm >full
	cat mod.pcap | timeout 60 "$BIN" read -d mysql -t 33306 - 2>&1 | norm >b
	[ -s full ] && cmp -s a b && cmp -s a full && ok libpcap_fallback ||
	    no libpcap_fallback "$(diff a b | head -c 300)"
else
	echo "SKIP: stdin/libpcap_fallback (no editcap)"
fi

# A slow writer: the records of what it wrote are out while it waits
# (before, read held them until 4096 packets or the end of the pipe).
src=$FX/pcap/mysql_simple.pcap
size=$(stat -c %s "$src")
{ head -c $((size / 2)) "$src"; sleep 4; tail -c +$((size / 2 + 1)) "$src"; } |
    timeout 60 "$BIN" read -d mysql -t 33306 - >slow.out 2>slow.err &
pid=$!
sleep 2
early=$(wc -l <slow.out)
wait $pid
late=$(wc -l <slow.out)
timeout 60 "$BIN" read -d mysql -t 33306 "$src" </dev/null >whole.out 2>/dev/null
[ "$early" -gt 0 ] && [ "$early" -lt "$late" ] &&
    cmp -s <(norm <slow.out) <(norm <whole.out) &&
    ok slow_writer_flushed || no slow_writer_flushed "early $early, late $late"

# An empty pipe and a garbage one: a message and exit 1, as for files.
: | timeout 10 "$BIN" read -d hex - >out 2>err
rc=$?
[ $rc -eq 1 ] && [ -s out -o -s err ] && ok empty_pipe || no empty_pipe "rc=$rc"
head -c 100000 /dev/urandom | timeout 10 "$BIN" read -d hex - >out 2>err
rc=$?
[ $rc -eq 1 ] && [ -s out -o -s err ] && ! grep -q 'Sanitizer' err &&
    ok garbage_pipe || no garbage_pipe "rc=$rc"
