#!/bin/bash
# read-loss.sh - capture loss, as a probe under load meets it (kernel
# drops): packets are left out of real multi-connection captures at random
# (seeded) and the mysql and pg records of what remains must never carry a
# response that belongs to another request (tests/tools/pcaploss.py check:
# every record with a response is one the whole capture gives too). A lost
# request once made every later response on its connection go to the
# request before its own. A lost response costs about one request's
# response: at most 1.5 times the loss rate of the records go without
# (one lost server packet cost two, and a loss rate of 2% near 6%). The
# hex records of each connection stay in time order.
set -u
# tests/run.sh and make start us with sh: bash features need bash.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
BIN=${TCPDP_BIN:?}
FX=${TCPDP_FIXTURES:?}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
t_setup loss
tool=$here/../tools/pcaploss.py

for c in mysql_multi_conn:mysql:33306 pg_multi_conn:pg:54322 \
    pg_pgbench_extended:pg:54322; do
	IFS=: read -r name dec port <<<"$c"
	pcap=$FX/pcap/$name.pcap
	[ -f "$pcap" ] || { fail "loss/$name" "no $pcap"; continue; }
	"$BIN" read --batch -d "$dec" -t "$port" "$pcap" >clean.json 2>err ||
	    { fail "loss/$name" "clean read: exit $?"; continue; }
	for rs in 0.02:1 0.02:2 0.02:3 0.05:4; do
		rate=${rs%:*} seed=${rs#*:}
		case=loss/$name/$rate/seed$seed
		python3 "$tool" drop "$pcap" lossy.pcap "$rate" "$seed"
		if ! timeout 60 "$BIN" read --batch -d "$dec" -t "$port" lossy.pcap \
		    >lossy.json 2>err; then
			fail "$case" "exit $?: $(head -c 200 err)"
			continue
		fi
		max=$(awk -v r="$rate" 'BEGIN { print 1.5 * r }')
		if python3 "$tool" check clean.json lossy.json "$max" >res; then
			pass "$case ($(tail -n 1 res))"
		else
			cat res
			fail "$case" "$(tail -n 1 res)"
		fi
		"$BIN" read --batch -d hex -t "$port" lossy.pcap >hex.json 2>err
		if python3 "$tool" order hex.json >res; then
			pass "$case/hex-order"
		else
			cat res
			fail "$case/hex-order"
		fi
	done
done
