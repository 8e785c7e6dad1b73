#!/bin/bash
# proxy-pp.sh - PROXY protocol in the proxy (issue 6, SPEC §1.12): v1, v2
# (IPv4, IPv6 with TLVs, LOCAL), UNKNOWN, headers split across reads,
# malformed headers close only their connection, the header is forwarded
# unchanged. Ports 18670-18679.
# run.sh starts every part with sh: come back to bash.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
BIN=${TCPDP_BIN:?}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
t_setup proxy-pp

cc -O2 -o "$T/pxload" "$HERE/../tools/pxload.c" || { fail proxy-pp/build; exit 1; }
"$T/pxload" echo 18671 & PIDS="$PIDS $!"
wait_port 18671 5 || { fail proxy-pp/echo-start; exit 1; }

# send.py PORT HEX [split]: sends the bytes (one byte per write with
# "split"), half-closes, prints what came back as hex.
cat >"$T/send.py" <<'EOF'
import socket, sys, time
port, data = int(sys.argv[1]), bytes.fromhex(sys.argv[2])
s = socket.create_connection(("127.0.0.1", port), timeout=5)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
if len(sys.argv) > 3:
    for i in range(len(data)):
        s.send(data[i:i + 1]); time.sleep(0.002)
else:
    s.sendall(data)
s.shutdown(socket.SHUT_WR)
out = b""
try:
    while True:
        b = s.recv(65536)
        if not b: break
        out += b
except ConnectionResetError:
    pass
print(out.hex())
EOF
hexof() { printf '%s' "$1" | od -An -tx1 -v | tr -d ' \n'; }
send() { python3 "$T/send.py" "$@"; }

(exec "$BIN" proxy -l 127.0.0.1:18670 -r 127.0.0.1:18671 -d hex --proxy-protocol --stdout >>out 2>>err) &
PX=$!; PIDS="$PIDS $PX"
wait_port 18670 10 || fail proxy-pp/start

n=0
# case NAME HEX [split]: the echo must be the bytes sent, unchanged.
case_echo() {
	name=$1; shift
	got=$(send 18670 "$@")
	if [ "$got" = "$1" ]; then pass "proxy-pp/$name-forwarded"
	else fail "proxy-pp/$name-forwarded" "got $got"; fi
}

v1=$(hexof $'PROXY TCP4 198.51.100.22 203.0.113.7 35646 80\r\nhello')
case_echo v1 "$v1"
sleep 0.3
if grep -q '"ascii":"hello",.*"remote_addr":"127.0.0.1:18671","proxy_protocol_src_addr":"198.51.100.22:35646","proxy_protocol_dst_addr":"203.0.113.7:80","conn_seq_num":0,"direction":"->"' out; then
	pass proxy-pp/v1-values-and-stripped
else
	fail proxy-pp/v1-values-and-stripped "$(tail -n 3 out)"
fi

: >out
case_echo v1-split "$v1" split
sleep 0.3
if grep -q '"proxy_protocol_src_addr":"198.51.100.22:35646"' out && ! grep -q '"ascii":"PROXY' <(grep '"direction":"->"' out) &&
   [ "$(grep '"direction":"->"' out | sed 's/.*"ascii":"\([^"]*\)".*/\1/' | tr -d '\n')" = hello ]; then
	pass proxy-pp/v1-split-bytewise
else
	fail proxy-pp/v1-split-bytewise "$(cat out)"
fi

: >out
v2="0d0a0d0a000d0a515549540a2121002c20010db800000000000000000000000100000000000000000000000000000001d43115380400056162636465$(hexof hi)"
case_echo v2-ipv6-tlv "$v2"
sleep 0.3
if grep -q '"ascii":"hi",.*"proxy_protocol_src_addr":"\[2001:db8::1\]:54321","proxy_protocol_dst_addr":"\[::1\]:5432"' out; then
	pass proxy-pp/v2-ipv6-tlv
else
	fail proxy-pp/v2-ipv6-tlv "$(cat out)"
fi

: >out
local_hc="0d0a0d0a000d0a515549540a20000000"
case_echo v2-local "$local_hc$(hexof ok)"
sleep 0.3
if grep -q '"ascii":"ok",' out && ! grep -q proxy_protocol_src out && ! grep -q '"error"' out; then
	pass proxy-pp/v2-local-health-check
else
	fail proxy-pp/v2-local-health-check "$(cat out)"
fi

: >out
case_echo unknown "$(hexof $'PROXY UNKNOWN\r\nok')"
sleep 0.3
if grep -q '"ascii":"ok",' out && ! grep -q proxy_protocol_src out; then pass proxy-pp/v1-unknown; else fail proxy-pp/v1-unknown "$(cat out)"; fi

: >out
case_echo none "$(hexof 'GET / HTTP/1.0')"
sleep 0.3
grep -q '"ascii":"GET / HTTP/1.0",' out && pass proxy-pp/no-header || fail proxy-pp/no-header "$(cat out)"

# malformed: the connection is closed, an error record is written, the
# process and other connections are fine.
bad1=$(hexof $'PROXY TCP4 1.2.3 5.6.7.8 1 2\r\nhello')
bad2=$(hexof "PROXY $(head -c 300 /dev/zero | tr '\0' A)")
bad3="0d0a0d0a000d0a515549540a21110008123456789abcdef0"
i=0
for bad in "$bad1" "$bad2" "$bad3"; do
	i=$((i + 1))
	: >out
	got=$(send 18670 "$bad")
	sleep 0.3
	if [ -z "$got" ] && grep -q '^{"error":"PROXY v[12] header: [^"]*","conn_id":' out &&
	   grep -q 'dumper Dump error.*"error": "PROXY v[12] header' out err && kill -0 $PX 2>/dev/null; then
		pass proxy-pp/malformed-$i
	else
		fail proxy-pp/malformed-$i "got=$got $(cat out)"
	fi
done
# a header cut by the client's EOF
: >out
got=$(send 18670 "$(hexof 'PROXY TCP4 1.2.3.4')")
sleep 0.3
if [ -z "$got" ] && grep -q '"error":"PROXY header: truncated"' out; then pass proxy-pp/truncated-by-eof; else fail proxy-pp/truncated-by-eof "got=$got $(cat out)"; fi
case_echo after-errors "$v1"

kill -TERM $PX; wait $PX; rc=$?
[ $rc -eq 0 ] && pass proxy-pp/exit-0 || fail proxy-pp/exit-0 "rc=$rc"

# without --proxy-protocol the header is payload
(exec "$BIN" proxy -l 127.0.0.1:18672 -r 127.0.0.1:18671 -d hex --stdout >out2 2>err2) &
PX=$!; PIDS="$PIDS $PX"
wait_port 18672 10
send 18672 "$v1" >/dev/null
sleep 0.3
if grep -q '"ascii":"PROXY TCP4 ' out2 && ! grep -q proxy_protocol_src out2; then pass proxy-pp/off-by-default; else fail proxy-pp/off-by-default "$(cat out2)"; fi
kill -TERM $PX; wait $PX
exit 0
