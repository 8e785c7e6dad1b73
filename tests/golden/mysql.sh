#!/bin/sh
# mysql.sh - golden tests of the mysql decoder: every mysql capture in the
# shared fixtures against its tshark ground truth and query list, and the
# upstream capture against upstream's observed output (check-mysql.py says
# exactly what is compared).
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${TCPDP_BIN:?}
fx=${TCPDP_FIXTURES:?}
tmp=${TCPDP_TMP:-/tmp}/golden-mysql.$$
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT INT TERM

run() {	# run NAME PCAP PORT OUT
	# stdin from /dev/null: with a pipe, read takes the capture from stdin
	timeout 120 "$bin" read -d mysql -t "$3" "$2" </dev/null >"$4" 2>"$4.err"
}

for pcap in "$fx"/pcap/mysql_*.pcap; do
	base=${pcap%.pcap}
	name=$(basename "$base")
	opts=""
	case "$name" in
	mysql_compressed) opts="--queries-only" ;;	# tshark is wrong there
	mysql_tls) opts="--queries-only --tls 1" ;;
	esac
	if ! run "$name" "$pcap" 33306 "$tmp/$name.jsonl"; then
		cat "$tmp/$name.jsonl.err"
		echo "FAIL: golden/$name (read exited non-zero)"
		continue
	fi
	if python3 "$here/check-mysql.py" fixture "$tmp/$name.jsonl" "$base" $opts; then
		echo "PASS: golden/$name"
	else
		echo "FAIL: golden/$name"
	fi
done

up=$fx/upstream/mysql_prepare.pcap
if run upstream "$up" 33066 "$tmp/upstream.jsonl" &&
    python3 "$here/check-mysql.py" upstream "$tmp/upstream.jsonl" \
    "$fx/upstream/mysql_prepare.read_mysql_t33066.json.out"; then
	echo "PASS: golden/upstream_mysql_prepare"
else
	echo "FAIL: golden/upstream_mysql_prepare"
fi
exit 0
