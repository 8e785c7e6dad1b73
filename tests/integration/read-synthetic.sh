#!/bin/bash
# read-synthetic.sh - `read` over captures this test writes itself
# (tests/tools/mkpcap.py): one connection per file whose segments are
# reordered, duplicated, overlapping, lost and cut by the snap length, over
# IPv4 and IPv6 with 0-2 VLAN tags, the server's sequence numbers wrapping.
# The hex records concatenated per direction must equal the bytes sent
# minus the lost ones, and record times never go backwards. Also: a
# pcapng copy of a fixture reads the same as the pcap.
set -u
# tests/run.sh and make start us with sh: bash features need bash.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
BIN=${TCPDP_BIN:?}
FX=${TCPDP_FIXTURES:?}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
t_setup synthetic

stream() {	# stream FILE SRC: concatenated hex of SRC's records
	sed -nE 's/.*"src_addr":"'"$2"'","dst_addr":"[^"]*","bytes":"([^"]*)".*/\1/p' "$1" |
	    tr -d ' \n'
}

for fam in V4 V6; do
	for vlans in 0 2; do
		for seed in 1 2 3; do
			name=$fam.vlan$vlans.seed$seed
			python3 "$here/../tools/mkpcap.py" messy $fam $vlans $seed m.pcap >exp 2>/dev/null ||
			    { echo "FAIL: synthetic/$name (mkpcap)"; continue; }
			if [ $fam = V4 ]; then c=127.0.0.1:50001 s=127.0.0.1:5432
			else c='\[::1\]:50001' s='\[::2\]:5432'; fi
			bad=""
			for t in "-t 5432" ""; do
				# shellcheck disable=SC2086
				timeout 30 "$BIN" read -d hex $t m.pcap >out 2>err || bad="$bad exit$?"
				[ "$(stream out "$c")" = "$(sed -n 's/^C2S //p' exp)" ] || bad="$bad c2s($t)"
				[ "$(stream out "$s")" = "$(sed -n 's/^S2C //p' exp)" ] || bad="$bad s2c($t)"
				sed -nE 's/^\{"ts":"([^"]*)".*/\1/p' out | sort -c 2>/dev/null || bad="$bad ts-order"
				grep -q 'Sanitizer\|runtime error' err && bad="$bad sanitizer"
			done
			[ -z "$bad" ] && echo "PASS: synthetic/$name" || echo "FAIL: synthetic/$name ($bad)"
		done
	done
done

if command -v editcap >/dev/null 2>&1; then
	editcap -F pcapng "$FX/pcap/mysql_simple.pcap" ng.pcapng
	"$BIN" read -d hex -t 33306 "$FX/pcap/mysql_simple.pcap" | sed -E 's/"conn_id":"[^"]*"//' >a
	"$BIN" read -d hex -t 33306 ng.pcapng | sed -E 's/"conn_id":"[^"]*"//' >b
	[ -s a ] && cmp -s a b && echo "PASS: synthetic/pcapng" || echo "FAIL: synthetic/pcapng"
else
	echo "FAIL: synthetic/pcapng (editcap missing: wireshark-common)"
fi

# A pcap file is read in place (pcapfile.c), standard input through
# libpcap: both must give the same records for every fixture, and so must a
# nanosecond-precision copy.
nomask() { sed -E 's/"conn_id":"[^"]*"//'; }
bad=""
for f in "$FX"/pcap/*.pcap "$FX"/upstream/*.pcap; do
	case $(basename "$f") in
	mysql*) dumpers="mysql hex" ;;
	*) dumpers="pg conn" ;;
	esac
	for d in $dumpers; do
		"$BIN" read -d $d "$f" 2>&1 | nomask >a
		"$BIN" read -d $d - <"$f" 2>&1 | nomask >b
		{ [ -s a ] && cmp -s a b; } || bad="$bad $(basename "$f"):$d"
	done
done
[ -z "$bad" ] && echo "PASS: synthetic/mapped-equals-libpcap" ||
    echo "FAIL: synthetic/mapped-equals-libpcap ($bad)"
# pcapng is read in place too (pcapfile.c): the same records as libpcap
# reading it from standard input, for every fixture.
if command -v editcap >/dev/null 2>&1; then
	bad=""
	for f in "$FX"/pcap/*.pcap; do
		case $(basename "$f") in mysql*) d=mysql ;; *) d=pg ;; esac
		editcap -F pcapng "$f" ng.pcapng
		"$BIN" read -d $d ng.pcapng 2>&1 | nomask >a
		"$BIN" read -d $d - <ng.pcapng 2>&1 | nomask >b
		{ [ -s a ] && cmp -s a b; } || bad="$bad $(basename "$f")"
	done
	[ -z "$bad" ] && echo "PASS: synthetic/pcapng-mapped-equals-libpcap" ||
	    echo "FAIL: synthetic/pcapng-mapped-equals-libpcap ($bad)"
fi
if command -v editcap >/dev/null 2>&1; then
	editcap -F nsecpcap "$FX/pcap/pg_simple.pcap" ns.pcap
	"$BIN" read -d pg "$FX/pcap/pg_simple.pcap" | nomask >a
	"$BIN" read -d pg ns.pcap | nomask >b
	{ [ -s a ] && cmp -s a b; } && echo "PASS: synthetic/nanosecond-pcap" ||
	    echo "FAIL: synthetic/nanosecond-pcap"
fi
exit 0
