#!/bin/bash
# proxy-relay.sh - the proxy as a relay (issue 6): byte-exactness under
# concurrency with slow readers, half-closes and resets; half-close passed
# through; remote unreachable; 1,000 concurrent connections (RSS printed);
# SIGTERM drain; pidfile; server_starter fd passing.
# Ports 18650-18669.
# run.sh starts every part with sh: come back to bash.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
BIN=${TCPDP_BIN:?}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
t_setup proxy-relay

cc -O2 -o "$T/pxload" "$HERE/../tools/pxload.c" || { fail proxy/build-pxload; exit 1; }
LOAD=$T/pxload

ECHO=18651
"$LOAD" echo $ECHO & PIDS="$PIDS $!"
wait_port $ECHO 5 || { fail proxy/echo-start; exit 1; }

# start_proxy NAME ARGS... : runs the proxy in its own dir, sets PX, PXDIR
start_proxy() {
	PXDIR=$T/$1; shift
	mkdir -p "$PXDIR"
	(cd "$PXDIR" && exec "$BIN" proxy "$@" >stdout 2>stderr) &
	PX=$!
	PIDS="$PIDS $PX"
}
stop_proxy() {	# sends TERM, waits, sets PXRC
	kill -TERM "$PX" 2>/dev/null
	for _ in $(seq 1 150); do kill -0 "$PX" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$PX" 2>/dev/null && kill -KILL "$PX"
	wait "$PX"; PXRC=$?
}
rss_kb() { awk '/VmRSS/ {print $2}' /proc/"$1"/status; }

# --- byte-exactness: 40 connections x 3 MB, slow readers, resets ----------
start_proxy bulk -l 127.0.0.1:18650 -r 127.0.0.1:$ECHO -d conn
wait_port 18650 10 || fail proxy/bulk-start
if out=$(timeout 120 "$LOAD" client 18650 -c 40 -b 3000000 -s 5 -a 9 -t 100 2>&1); then
	pass proxy/byte-exact-40x3MB
else
	fail proxy/byte-exact-40x3MB "$out"
fi
echo "bulk: $out; proxy RSS $(rss_kb $PX) kB"
# Back-pressure: 4 slow readers of 20 MB each must not make the proxy
# buffer what they have not read yet.
base_rss=$(rss_kb $PX)
timeout 120 "$LOAD" client 18650 -c 4 -b 4000000 -s 1 -t 100 >"$T/slow.out" 2>&1 &
LP=$!; PIDS="$PIDS $LP"
sleep 2
mid_rss=$(rss_kb $PX)
wait $LP; lrc=$?
echo "slow readers: $(cat "$T/slow.out"); RSS before $base_rss kB, during $mid_rss kB"
if [ $lrc -eq 0 ] && [ $((mid_rss - base_rss)) -lt 20000 ]; then
	pass proxy/back-pressure-slow-readers
else
	fail proxy/back-pressure-slow-readers "rc=$lrc rss $base_rss -> $mid_rss"
fi
kill -0 $PX 2>/dev/null && pass proxy/survives-resets || fail proxy/survives-resets
# the dump has one conn record per chunk with the proxy keys
if head -n 1 "$PXDIR/dump.log" | grep -q '^{"conn_id":"[0-9a-v]\{20\}","client_addr":"127.0.0.1:[0-9]*","proxy_listen_addr":"127.0.0.1:18650","proxy_client_addr":"127.0.0.1:[0-9]*","remote_addr":"127.0.0.1:18651","conn_seq_num":[0-9]*,"direction":"[-<>]*","ts":"[^"]*"'; then
	pass proxy/conn-record-keys
else
	fail proxy/conn-record-keys "$(head -n 1 "$PXDIR/dump.log")"
fi
stop_proxy
[ $PXRC -eq 0 ] && pass proxy/sigterm-exit-0 || fail proxy/sigterm-exit-0 "rc=$PXRC"

# --- hex records, half-close passed through --------------------------------
socat TCP-LISTEN:18652,bind=127.0.0.1,reuseaddr,fork SYSTEM:'cat >/dev/null; printf done' &
PIDS="$PIDS $!"
wait_port 18652 5
start_proxy half -l 127.0.0.1:18653 -r 127.0.0.1:18652 -d hex --stdout
wait_port 18653 10
got=$(printf 'hello\tworld\n' | timeout 5 socat -t 5 - TCP:127.0.0.1:18653)
[ "$got" = done ] && pass proxy/half-close-response-after-eof || fail proxy/half-close-response-after-eof "got '$got'"
sleep 0.3
if grep -q '^{"bytes":"68 65 6c 6c 6f 09 77 6f 72 6c 64 0a","ascii":"hello.world.","conn_id":"[0-9a-v]*","client_addr":"127.0.0.1:[0-9]*","proxy_listen_addr":"127.0.0.1:18653","proxy_client_addr":"127.0.0.1:[0-9]*","remote_addr":"127.0.0.1:18652","conn_seq_num":0,"direction":"->","ts":' "$PXDIR/stdout" &&
   grep -q '"ascii":"done".*"conn_seq_num":1,"direction":"<-"' "$PXDIR/stdout"; then
	pass proxy/hex-records
else
	fail proxy/hex-records "$(cat "$PXDIR/stdout")"
fi

# --- pidfile: written, refuses a second instance, removed at exit ---------
pidf=$PXDIR/tcpdp.pid
if [ "$(cat "$pidf" 2>/dev/null)" = "$PX" ]; then pass proxy/pidfile-written; else fail proxy/pidfile-written "$(cat "$pidf" 2>&1)"; fi
(cd "$PXDIR" && timeout 5 "$BIN" proxy -l 127.0.0.1:18654 -r 127.0.0.1:18652 >stdout2 2>stderr2); rc=$?
if [ $rc -eq 1 ] && grep -q "pid already running: $PX" "$PXDIR/stdout2" "$PXDIR/stderr2"; then
	pass proxy/pidfile-already-running
else
	fail proxy/pidfile-already-running "rc=$rc $(cat "$PXDIR/stdout2" "$PXDIR/stderr2")"
fi
stop_proxy
[ ! -e "$pidf" ] && pass proxy/pidfile-removed || fail proxy/pidfile-removed
# a stale pidfile (dead pid) does not block
echo 999999 >"$pidf"
start_proxy half -l 127.0.0.1:18653 -r 127.0.0.1:18652 -d hex
if wait_port 18653 10 && [ "$(cat "$pidf")" = "$PX" ]; then pass proxy/pidfile-stale; else fail proxy/pidfile-stale; fi
stop_proxy

# --- remote unreachable -------------------------------------------------------
start_proxy unreach -l 127.0.0.1:18655 -r 127.0.0.1:18669 -d mysql --stdout
wait_port 18655 10
got=$(printf 'x' | timeout 5 socat -t 2 - TCP:127.0.0.1:18655 2>&1); rc=$?
sleep 0.3
if [ $rc -eq 0 ] && [ -z "$got" ] &&
   grep -q 'remoteAddr DialTCP error.*"error": "dial tcp 127.0.0.1:18669: Connection refused", "client_addr": "127.0.0.1:[0-9]*", "proxy_listen_addr": "127.0.0.1:18655", "remote_addr": "127.0.0.1:18669"' "$PXDIR/stdout" "$PXDIR/stderr" &&
   grep -q '^{"error":"dial tcp 127.0.0.1:18669: Connection refused","conn_id":"[^"]*","client_addr":"127.0.0.1:[0-9]*","proxy_listen_addr":"127.0.0.1:18655","proxy_client_addr":"","remote_addr":"127.0.0.1:18669"' "$PXDIR/stdout" &&
   kill -0 $PX 2>/dev/null; then
	pass proxy/remote-unreachable
else
	fail proxy/remote-unreachable "rc=$rc got=$got $(cat "$PXDIR/stdout" "$PXDIR/stderr")"
fi
stop_proxy

# --- 1,000 concurrent connections held open and used ----------------------
start_proxy many -l 127.0.0.1:18656 -r 127.0.0.1:$ECHO -d hex
wait_port 18656 10
rss0=$(rss_kb $PX)
timeout 120 "$LOAD" client 18656 -c 1000 -b 16384 -k 3 -r 3 -t 100 >"$T/many.out" 2>"$T/many.err" &
LP=$!; PIDS="$PIDS $LP"
for _ in $(seq 1 600); do grep -q HOLDING "$T/many.out" && break; sleep 0.1; done
held=$(ls /proc/$PX/fd | wc -l)
rss1=$(rss_kb $PX)
wait $LP; lrc=$?
echo "1000 connections: $(tail -n 1 "$T/many.out"); proxy fds while held: $held; RSS idle $rss0 kB, 1000 held $rss1 kB, after $(rss_kb $PX) kB"
if [ $lrc -eq 0 ] && grep -q '^ok=1000 ' "$T/many.out" && [ "$held" -ge 2000 ]; then
	pass proxy/1000-concurrent
else
	fail proxy/1000-concurrent "rc=$lrc held=$held $(cat "$T/many.out" "$T/many.err" | tail -5)"
fi
stop_proxy

# --- SIGTERM: stop accepting, drain open connections, exit 0 ---------------
start_proxy drain -l 127.0.0.1:18657 -r 127.0.0.1:$ECHO -d conn
wait_port 18657 10
timeout 60 "$LOAD" client 18657 -c 3 -b 2500000 -s 1 -t 50 >"$T/drain.out" 2>&1 &
LP=$!; PIDS="$PIDS $LP"
sleep 0.5
kill -TERM $PX
sleep 0.3
if (exec 3<>/dev/tcp/127.0.0.1/18657) 2>/dev/null; then refused=0; else refused=1; fi
wait $LP; lrc=$?
for _ in $(seq 1 100); do kill -0 $PX 2>/dev/null || break; sleep 0.1; done
wait $PX; PXRC=$?
if [ $lrc -eq 0 ] && [ $refused -eq 1 ] && [ $PXRC -eq 0 ] &&
   grep -q 'Graceful Shutting down proxy' "$PXDIR/stdout" "$PXDIR/stderr"; then
	pass proxy/sigterm-drain
else
	fail proxy/sigterm-drain "load rc=$lrc refused=$refused exit=$PXRC $(cat "$T/drain.out")"
fi

# --- grace period: a connection that never ends is cut after it ------------
export TCPDP_GRACE_MS=1000
start_proxy grace -l 127.0.0.1:18658 -r 127.0.0.1:$ECHO -d conn
unset TCPDP_GRACE_MS
wait_port 18658 10
python3 -c "import socket, time; s = socket.create_connection(('127.0.0.1', 18658)); time.sleep(30)" &
HP=$!
PIDS="$PIDS $HP"
sleep 0.3
t0=$(date +%s)
kill -TERM $PX
for _ in $(seq 1 150); do kill -0 $PX 2>/dev/null || break; sleep 0.1; done
wait $PX; PXRC=$?
dt=$(( $(date +%s) - t0 ))
if [ $PXRC -eq 0 ] && [ $dt -le 3 ]; then pass proxy/grace-period; else fail proxy/grace-period "exit=$PXRC after ${dt}s"; fi
kill $HP 2>/dev/null

# --- a second signal during the grace period ends it at once ----------------
start_proxy twice -l 127.0.0.1:18665 -r 127.0.0.1:$ECHO -d conn
wait_port 18665 10
python3 -c "import socket, time; s = socket.create_connection(('127.0.0.1', 18665)); time.sleep(30)" &
HP=$!
PIDS="$PIDS $HP"
sleep 0.3
kill -INT $PX
sleep 0.3
t0=$(date +%s%N)
kill -INT $PX
for _ in $(seq 1 100); do kill -0 $PX 2>/dev/null || break; sleep 0.1; done
wait $PX; PXRC=$?
dt=$(( ($(date +%s%N) - t0) / 1000000 ))
if [ $PXRC -eq 0 ] && [ $dt -lt 2000 ] && grep -q 'Shutting down proxy\.\.\.' "$PXDIR/stdout" "$PXDIR/stderr"; then
	pass proxy/second-signal
else
	fail proxy/second-signal "exit=$PXRC after ${dt}ms"
fi
kill $HP 2>/dev/null

# --- server_starter: listening socket inherited as fd 3 ---------------------
mkdir -p "$T/ss"
cat >"$T/ss/start.py" <<'EOF'
import os, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 18659))
s.listen(128)
if s.fileno() != 3:
    os.dup2(s.fileno(), 3)
os.set_inheritable(3, True)
os.environ["SERVER_STARTER_PORT"] = "127.0.0.1:18659=3"
os.execv(sys.argv[1], sys.argv[1:])
EOF
(cd "$T/ss" && exec python3 start.py "$BIN" proxy -s -r 127.0.0.1:$ECHO -d hex --stdout >stdout 2>stderr) &
PX=$!; PIDS="$PIDS $PX"; PXDIR=$T/ss
wait_port 18659 10
got=$(printf 'ping' | timeout 5 socat -t 2 - TCP:127.0.0.1:18659)
if [ "$got" = ping ] && grep -q 'Starting proxy. \[server_starter\] <-> 127.0.0.1:18651' "$PXDIR/stdout" "$PXDIR/stderr" &&
   [ "$(cat "$PXDIR/tcpdp.pid" 2>/dev/null)" = "$PX" ]; then
	pass proxy/server-starter
else
	fail proxy/server-starter "got=$got $(cat "$PXDIR/stdout" "$PXDIR/stderr")"
fi
stop_proxy
(cd "$T/ss" && SERVER_STARTER_PORT= timeout 5 "$BIN" proxy -s -r 127.0.0.1:$ECHO >stdout3 2>stderr3); rc=$?
if [ $rc -eq 1 ] && grep -q 'server-starter listen error.*no listening target' "$T/ss/stdout3" "$T/ss/stderr3"; then
	pass proxy/server-starter-missing
else
	fail proxy/server-starter-missing "rc=$rc $(cat "$T/ss/stdout3" "$T/ss/stderr3")"
fi
# --- IPv6 and names ---------------------------------------------------------
socat TCP6-LISTEN:18661,bind=[::1],reuseaddr,fork EXEC:cat &
PIDS="$PIDS $!"
sleep 0.3
start_proxy v6 -l '[::1]:18660' -r '[::1]:18661' -d hex --stdout
sleep 0.5
got=$(printf 'six' | timeout 5 socat -t 2 - 'TCP6:[::1]:18660' 2>&1)
sleep 0.3
if [ "$got" = six ] && grep -q '"client_addr":"\[::1\]:[0-9]*","proxy_listen_addr":"\[::1\]:18660","proxy_client_addr":"\[::1\]:[0-9]*","remote_addr":"\[::1\]:18661"' "$PXDIR/stdout" &&
   grep -q 'Starting proxy. \[::1\]:18660 <-> \[::1\]:18661' "$PXDIR/stdout" "$PXDIR/stderr"; then
	pass proxy/ipv6
else
	fail proxy/ipv6 "got=$got $(cat "$PXDIR/stdout" "$PXDIR/stderr")"
fi
stop_proxy
start_proxy names -l localhost:18662 -r localhost:$ECHO -d hex --stdout
wait_port 18662 10
got=$(printf 'name' | timeout 5 socat -t 2 - TCP4:127.0.0.1:18662 2>&1)
sleep 0.3
if [ "$got" = name ] && grep -q "Starting proxy. 127.0.0.1:18662 <-> 127.0.0.1:$ECHO.*\"proxy_listen_addr\": \"localhost:18662\", \"remote_addr\": \"localhost:$ECHO\"" "$PXDIR/stdout" "$PXDIR/stderr"; then
	pass proxy/host-names
else
	fail proxy/host-names "got=$got $(cat "$PXDIR/stdout" "$PXDIR/stderr")"
fi
stop_proxy

# --- connect timeout: a remote whose accept queue is full drops our SYN -----
cat >"$T/full.py" <<'PYEOF'
import socket, time
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", 18663)); l.listen(0)
cs = []
for i in range(4):
    c = socket.socket(); c.setblocking(False)
    try: c.connect(("127.0.0.1", 18663))
    except BlockingIOError: pass
    cs.append(c)
time.sleep(0.5)
print("ready", flush=True)
time.sleep(30)
PYEOF
python3 "$T/full.py" >"$T/full.out" &
FP=$!; PIDS="$PIDS $FP"
for _ in $(seq 1 50); do grep -q ready "$T/full.out" && break; sleep 0.1; done
export TCPDP_CONNECT_TIMEOUT_MS=700
start_proxy ctimeout -l 127.0.0.1:18664 -r 127.0.0.1:18663 -d hex --stdout
unset TCPDP_CONNECT_TIMEOUT_MS
wait_port 18664 10
t0=$(date +%s%N)
got=$(printf 'x' | timeout 10 socat -t 5 - TCP:127.0.0.1:18664 2>&1)
dt=$(( ($(date +%s%N) - t0) / 1000000 ))
sleep 0.2
if [ -z "$got" ] && [ $dt -ge 600 ] && [ $dt -lt 4000 ] && grep -q 'remoteAddr DialTCP error.*i/o timeout' "$PXDIR/stdout" "$PXDIR/stderr"; then
	pass proxy/connect-timeout
else
	fail proxy/connect-timeout "got=$got after ${dt}ms $(cat "$PXDIR/stdout" "$PXDIR/stderr")"
fi
echo "connect timeout: client closed after ${dt} ms (timeout 700 ms)"
stop_proxy
kill $FP 2>/dev/null
exit 0
