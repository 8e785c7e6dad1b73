#!/bin/bash
# read-badinput.sh - `read` over hostile input (issue 3): empty and garbage
# files, captures cut mid-record, stdin, unsupported and garbage link
# layers, snaplen-cut packets, broken TCP options. A clear message and
# exit 1 for what is not a capture; exit 0 after printing what was
# readable otherwise; never a crash (run with the ASan/UBSan binary).
# tests/run.sh and make start us with sh: bash features need bash.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
BIN=${TCPDP_BIN:?}
FX=${TCPDP_FIXTURES:?}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
t_setup badinput
MK="python3 $here/../tools/mkpcap.py"

ok() { echo "PASS: badinput/$1"; }
no() { echo "FAIL: badinput/$1${2:+ ($2)}"; }
san_clean() { ! grep -q 'Sanitizer\|runtime error' "$1"; }

run() {	# run ARGS... : rc in $rc, stdout in out, stderr in err
	timeout 60 "$BIN" "$@" >out 2>err </dev/null
	rc=$?
}

: >empty.pcap
run read -d hex empty.pcap
[ $rc -eq 1 ] && [ -s out -o -s err ] && san_clean err && ok empty_file || no empty_file "rc=$rc"

head -c 4000 /dev/urandom >garbage.bin
run read -d hex garbage.bin
[ $rc -eq 1 ] && grep -qi 'format\|magic\|unknown\|bad' out err && san_clean err &&
    ok garbage_file || no garbage_file "rc=$rc $(cat out err)"

src=$FX/pcap/mysql_simple.pcap
size=$(stat -c %s "$src")
"$BIN" read -d hex "$src" >full.out 2>/dev/null
full=$(wc -l <full.out)

head -c $((size - 10)) "$src" >cut.pcap
run read -d hex cut.pcap
lines=$(wc -l <out)
[ $rc -eq 0 ] && [ "$lines" -ge $((full - 2)) ] && grep -qi 'truncated' err && san_clean err &&
    ok truncated_last_record || no truncated_last_record "rc=$rc lines=$lines/$full $(cat err)"

# A sample of cuts everywhere (the unit test cuts at every byte in-process).
bad=""
for cut in 24 25 30 40 41 $(seq 97 331 "$size"); do
	head -c "$cut" "$src" >c.pcap
	run read -d conn c.pcap
	{ [ $rc -eq 0 ] && san_clean err; } || bad="$bad $cut:$rc"
done
[ -z "$bad" ] && ok cut_everywhere || no cut_everywhere "$bad"

cat "$src" | timeout 60 "$BIN" read -d hex - >stdin.out 2>err
rc=$?
[ $rc -eq 0 ] && cmp -s <(sed -E 's/"conn_id":"[^"]*"//' stdin.out) \
    <(sed -E 's/"conn_id":"[^"]*"//' full.out) && ok stdin_pipe || no stdin_pipe "rc=$rc"

timeout 10 "$BIN" read -d hex - </dev/null >out 2>err
rc=$?
[ $rc -eq 1 ] && san_clean err && ok stdin_empty || no stdin_empty "rc=$rc"

$MK garbage 147 5 1 dlt147.pcap
run read -d hex dlt147.pcap
[ $rc -eq 1 ] && grep -qi 'link' out err && ok unsupported_link || no unsupported_link "rc=$rc $(cat out err)"

bad=""
for dlt in 0 1 12 101 108 113 228 229 276; do
	$MK garbage $dlt 3000 $dlt g$dlt.pcap
	for d in hex conn mysql pg; do
		run read -d $d g$dlt.pcap
		{ [ $rc -eq 0 ] && san_clean err; } || bad="$bad $dlt/$d:$rc"
	done
done
[ -z "$bad" ] && ok garbage_link_layers || no garbage_link_layers "$bad $(head -c 500 err)"

if command -v editcap >/dev/null 2>&1; then
	editcap -s 80 "$FX/pcap/mysql_large.pcap" snap.pcap >/dev/null 2>&1
	run read -d hex -t 33306 snap.pcap
	# every record holds at most 80 - 14 - 20 - 20 captured bytes
	long=$(grep -o '"bytes":"[^"]*"' out | awk 'length($0) > 10 + 26 * 3 { n++ } END { print n + 0 }')
	[ $rc -eq 0 ] && [ -s out ] && [ "$long" = 0 ] && san_clean err &&
	    ok snaplen_cut || no snaplen_cut "rc=$rc long=$long"
else
	no snaplen_cut "editcap missing (wireshark-common)"
fi

$MK badopts badopts.pcap
run read -d hex -t 3306 badopts.pcap
[ $rc -eq 0 ] && grep -q '"ascii":"after-bad-options"' out && ! grep -q '"mss"' out && san_clean err &&
    ok bad_tcp_options || no bad_tcp_options "rc=$rc $(cat out err)"
exit 0
