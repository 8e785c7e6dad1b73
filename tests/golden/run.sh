#!/bin/bash
# run.sh - golden tests of the read path.
#
#  1. Every TESTLIST case: our output against the expected file.
#  1b. Our MySQL captures kept with the server's general log
#     (tests/captures/mysql_*.genlog): the texts of the records.
#  2. For every fixture capture, and our own tests/captures/pkt_*: the hex
#     records of each connection,
#     concatenated per direction, equal the TCP payload tshark reassembles
#     (`tshark -q -z follow,tcp,raw,N`): no byte missing or doubled.
#
# Usage: run.sh [--update]   (--update rewrites expected/NAME.out)
# Environment: TCPDP_BIN, TCPDP_FIXTURES, TCPDP_TMP (see tests/run.sh).
# tests/run.sh and make start us with sh: bash features need bash.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${TCPDP_BIN:?TCPDP_BIN not set}
fx=${TCPDP_FIXTURES:-$(cd "$here/../../.." && pwd)/shared/fixtures}
tmp=$(mktemp -d "${TCPDP_TMP:-/tmp}/golden.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export TZ=UTC
update=0
[ "${1:-}" = --update ] && update=1

norm() {
	sed -E 's/(conn_id[": ]*)[0-9a-v]{20}/\1<id>/g'
}

trim() {
	local s=$1
	s=${s#"${s%%[![:space:]]*}"}
	printf '%s' "${s%"${s##*[![:space:]]}"}"
}

# 1. TESTLIST
while IFS='|' read -r name args pcap expected; do
	name=$(trim "$name")
	case "$name" in ''|'#'*) continue ;; esac
	args=$(trim "$args")
	pcap=$(trim "$pcap")
	expected=$(trim "${expected:-}")
	# Captures of our own (tests/captures/) are found from the repository
	# root; the others in the shared fixtures.
	case "$pcap" in
	tests/*) pcap=$here/../../$pcap ;;
	*) pcap=$fx/$pcap ;;
	esac
	if [ ! -f "$pcap" ]; then
		echo "FAIL: golden/$name (missing $pcap)"
		continue
	fi
	# shellcheck disable=SC2086
	timeout 120 "$bin" $args "$pcap" </dev/null >"$tmp/out" 2>"$tmp/err"
	rc=$?
	norm <"$tmp/out" >"$tmp/got"
	case "$expected" in
	@*)	exp="$fx/${expected#@}" ;;
	'')	exp="$here/expected/$name.out" ;;
	*)	exp="$here/$expected" ;;
	esac
	if [ "$update" = 1 ] && [ "${expected#@}" = "$expected" ]; then
		mkdir -p "$(dirname "$exp")"
		cp "$tmp/got" "$exp"
		echo "updated $exp"
	fi
	if [ "$rc" -ne 0 ]; then
		echo "FAIL: golden/$name (exit $rc: $(head -c 300 "$tmp/err"))"
	elif [ ! -f "$exp" ]; then
		echo "FAIL: golden/$name (no $exp; run make golden-update)"
	elif norm <"$exp" | cmp -s - "$tmp/got"; then
		echo "PASS: golden/$name"
	else
		echo "FAIL: golden/$name (differs from $exp)"
		norm <"$exp" | diff - "$tmp/got" | head -n 10
	fi
done <"$here/TESTLIST"

# 1b. Our captures with the server's general log (README.mysql): the texts
#     of the records, in the charset each says, are the statements as the
#     server got them.
for g in "$here"/../captures/mysql_*.genlog; do
	[ -f "$g" ] || continue
	pcap=tests/captures/$(basename "$g" .genlog).pcap
	n=$(basename "$g" .genlog)
	args=$(awk -F'|' -v p="$pcap" '{ gsub(/^[ \t]+|[ \t]+$/, "", $3) }
	    $3 == p { print $2; exit }' "$here/TESTLIST")
	# shellcheck disable=SC2086
	timeout 120 "$bin" $args "$here/../../$pcap" </dev/null >"$tmp/gl" 2>&1
	if python3 "$here/../tools/mysql-genlog-check.py" "$tmp/gl" "$g" \
	    >"$tmp/glout" 2>&1; then
		echo "PASS: golden/genlog/$n ($(tail -n 1 "$tmp/glout"))"
	else
		echo "FAIL: golden/genlog/$n"
		head -n 10 "$tmp/glout"
	fi
done

# 2. Byte streams against tshark.
if ! command -v tshark >/dev/null 2>&1; then
	echo "FAIL: golden/follow (tshark not installed: sh contrib/install-deps.sh --test)"
	exit 0
fi

# "SRC>DST HEX" per payload, in order, from our JSON hex records.
ours() {
	sed -nE 's/.*"src_addr":"([^"]*)","dst_addr":"([^"]*)","bytes":"([^"]*)".*/\1>\2 \3/p' |
	    awk '{ k = $1; $1 = ""; gsub(/ /, ""); print k, $0 }'
}

# The same from tshark, one line per direction and stream.
theirs() {	# theirs PCAP
	local f=$1 streams zs="" s
	streams=$(tshark -n -r "$f" -T fields -e tcp.stream 2>/dev/null | sort -un)
	for s in $streams; do zs="$zs -z follow,tcp,raw,$s"; done
	[ -n "$zs" ] || return 0
	# shellcheck disable=SC2086
	tshark -n -r "$f" -q $zs 2>/dev/null | awk '
		/^Node 0: / { n0 = $3; next }
		/^Node 1: / { n1 = $3; next }
		/^====/ || /^Follow:/ || /^Filter:/ || /^$/ { next }
		/^\t/ { sub(/^\t/, ""); print n1 ">" n0, $0; next }
		{ print n0 ">" n1, $0 }'
}

# Concatenated hex per direction key, sorted by key.
streams() {
	awk '{ s[$1] = s[$1] $2 } END { for (k in s) print k, s[k] }' | sort
}

for f in "$fx"/pcap/*.pcap "$fx"/upstream/*.pcap "$here"/../captures/pkt_*; do
	[ -f "$f" ] || continue
	n=$(basename "$f" .pcap)
	case "$f" in */upstream/*) n="upstream_$n" ;; esac
	timeout 120 "$bin" read -d hex "$f" </dev/null >"$tmp/hex" 2>"$tmp/err"
	rc=$?
	ours <"$tmp/hex" | streams >"$tmp/ours"
	theirs "$f" | streams >"$tmp/theirs"
	if [ "$rc" -ne 0 ]; then
		echo "FAIL: golden/follow/$n (exit $rc)"
	elif [ ! -s "$tmp/theirs" ] && [ ! -s "$tmp/ours" ] &&
	    [ "${f#"$here"/../captures/}" != "$f" ]; then
		# ours may have none: cut by the snap length (README.pkt)
		echo "PASS: golden/follow/$n (no payload captured)"
	elif [ ! -s "$tmp/theirs" ]; then
		echo "FAIL: golden/follow/$n (tshark found no TCP payload)"
	elif cmp -s "$tmp/ours" "$tmp/theirs"; then
		echo "PASS: golden/follow/$n ($(wc -l <"$tmp/theirs") directions)"
	else
		echo "FAIL: golden/follow/$n (byte streams differ from tshark)"
		diff <(cut -c1-120 "$tmp/theirs") <(cut -c1-120 "$tmp/ours") | head -n 6
	fi
done
exit 0
