#!/bin/bash
# probe-lo.sh - `probe -i lo` against a real MariaDB and a real client
# (issue 3): hex and conn records with the probe keys, a query larger than
# many segments reassembled whole, the dump file, and the pcap Stats line.
# Needs root (live capture); port 23301.
# tests/run.sh and make start us with sh: bash features need bash.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
BIN=${TCPDP_BIN:?}
here=$(cd "$(dirname "$0")" && pwd)
export TCPDP_TMP=${TCPDP_TMP:-/tmp}
. "$here/lib.sh"
PORT=23301
t_setup probe-lo

if [ "$(id -u)" != 0 ]; then
	echo "probe-lo: not root, live capture impossible: skipped"
	exit 0
fi
srv_mariadb_start $PORT >"$T/srv.log" 2>&1 || { fail probe/server "$(tail -3 "$T/srv.log")"; exit 0; }

sql() { timeout 20 mariadb --no-defaults -h127.0.0.1 -P$PORT -uapp -papp-secret appdb "$@"; }

# The internal log as JSON in ./tcpdp.log, not on stdout (its default).
cat >"$T/tcpdp.toml" <<TOML
[log]
dir = "."
stdout = false
format = "json"
[dumpLog]
dir = "."
TOML

# probe_start NAME ARGS...: starts the probe in $T/NAME, waits until it
# captures. Its internal log: $T/NAME/tcpdp.log.
probe_start() {
	name=$1; shift
	mkdir -p "$T/$name"
	(cd "$T/$name" && exec timeout 60 "$BIN" probe --batch -c "$T/tcpdp.toml" \
	    -i lo "$@" >"$T/$name/out" 2>"$T/$name/err") &
	PROBE_PID=$!; PIDS=$PROBE_PID
	for _ in $(seq 50); do
		grep -q 'Starting probe' "$T/$name/tcpdp.log" 2>/dev/null && break
		sleep 0.1
	done
	sleep 0.5	# the capture is activated just after the message
}

probe_stop() {
	sleep 0.5
	kill -INT "$PROBE_PID" 2>/dev/null
	wait "$PROBE_PID"
	rc=$?
	PROBE_PID=""
	return $rc
}

# --- hex: keys, markers, a 300 KB query in one piece -------------------
long=$(head -c 300000 /dev/zero | tr '\0' 'q')
# 16 MB: a loaded machine (ASan, parallel jobs) must not drop the burst;
# -s auto: lo's MTU is 65536, so tcpdp's default snaplen (65535) would cut
# full-size segments (counted as snaplen gaps, as it should).
probe_start hex -t $PORT -d hex --stdout -B 16MB -s auto
sql -e "SELECT 'probe-marker-1'" >/dev/null
printf "SELECT LENGTH('%s') AS n;\n" "$long" | sql >"$T/hex/client.out"
probe_stop; rc=$?
o=$T/hex/out
[ $rc -eq 0 ] && [ ! -e "$T/hex/tcpdp.pid" ] && pass probe/hex_exit ||
    fail probe/hex_exit "rc=$rc $(tail -3 "$T/hex/err")"
if grep -q 'probe-marker-1' "$o" &&
    grep -q '"src_addr":"127.0.0.1:[0-9]*","dst_addr":"127.0.0.1:'$PORT'","bytes":' "$o" &&
    grep -q '"dst_addr":"127.0.0.1:[0-9]*","bytes"' "$o" &&
    grep -q '"interface":"lo","probe_target_addr":"'$PORT'","conn_id":"[0-9a-v]\{20\}","mss":[0-9]' "$o"; then
	pass probe/hex_records
else
	fail probe/hex_records "$(head -c 400 "$o")"
fi
# The long query's connection: client bytes concatenated hold it whole.
grep -q 300000 "$T/hex/client.out" || fail probe/hex_client "client did not run the query"
cport=$(grep -o '"src_addr":"127.0.0.1:[0-9]*","dst_addr":"127.0.0.1:'$PORT'","bytes":"[^"]*","ascii":"[^"]*qqqqqqqq' "$o" |
    head -n 1 | sed -E 's/.*"src_addr":"127.0.0.1:([0-9]+)".*/\1/')
if [ -n "$cport" ] && grep "\"src_addr\":\"127.0.0.1:$cport\"" "$o" |
    sed -E 's/.*"ascii":"(.*)","interface".*/\1/' | tr -d '\n' |
    grep -o "LENGTH('q*')" | awk 'length($0) == 300010 { ok = 1 } END { exit !ok }'; then
	pass probe/hex_reassembled_300k
else
	fail probe/hex_reassembled_300k "client port '$cport': $(grep "\"src_addr\":\"127.0.0.1:$cport\"" "$o" |
	    sed -E 's/.*"ascii":"(.*)","interface".*/\1/' | tr -d '\n' | grep -o "LENGTH('q*" | wc -c) bytes;
	    $(grep -o '"msg":"pcap Stats".*' "$T/hex/tcpdp.log") $(grep -o '"gaps":[0-9]*' "$T/hex/tcpdp.log")"
fi
if [ -s "$T/hex/dump.log" ] && cmp -s "$T/hex/dump.log" "$o"; then
	pass probe/dump_file
else
	fail probe/dump_file "$(ls -la "$T/hex")"
fi
if grep -q '"msg":"pcap Stats","packet_received":[1-9][0-9]*,"packet_dropped":0' "$T/hex/tcpdp.log" &&
    grep -q '"msg":"Shutting down probe..."' "$T/hex/tcpdp.log"; then
	pass probe/pcap_stats
else
	fail probe/pcap_stats "$(cat "$T/hex/tcpdp.log")"
fi

# --- conn: one record per connection, host-only target matches ----------
probe_start conn -t 127.0.0.1 -d conn --stdout -s auto
for i in 1 2 3; do sql -e "SELECT $i" >/dev/null; done
probe_stop
n=$(grep -c '"dst_addr":"127.0.0.1:'$PORT'","interface":"lo","probe_target_addr":"127.0.0.1","conn_id":"[0-9a-v]\{20\}"}$' "$T/conn/out")
[ "$n" = 3 ] && pass probe/conn_records || fail probe/conn_records "got $n: $(head -c 300 "$T/conn/out")"
grep -q '"snapshot_length":"65554B"' "$T/conn/tcpdp.log" &&
    pass probe/snaplen_auto || fail probe/snaplen_auto "$(grep Starting "$T/conn/tcpdp.log")"

# --- a filter that excludes the port: nothing recorded -----------------
probe_start filt -t $PORT -d hex --stdout --filter 'port 1'
sql -e "SELECT 1" >/dev/null
probe_stop
[ ! -s "$T/filt/out" ] && grep -q '"filter":"tcp and (port 1)"' "$T/filt/tcpdp.log" &&
    pass probe/filter || fail probe/filter "$(head -c 300 "$T/filt/out") $(grep Starting "$T/filt/tcpdp.log")"
exit 0
