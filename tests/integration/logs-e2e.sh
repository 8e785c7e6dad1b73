#!/bin/bash
# logs-e2e.sh - the logs through the real binary: probe --batch on lo with
# minutely rotation under accelerated time, SIGHUP, pidfile, health and
# exit 0 on SIGTERM; read --batch -c writing the dump log; set-up errors.
# Live capture needs root; port 25431.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/logs/common.sh"
BIN=${TCPDP_BIN:?}
FX=${TCPDP_FIXTURES:?}
PORT=25431
export TZ=UTC
SRV_PID=""
e2e_cleanup() {
	[ -n "$SRV_PID" ] && kill "$SRV_PID" 2>/dev/null
	logs_cleanup
}
trap e2e_cleanup EXIT INT TERM

# --- read --batch -c: records into the dump log, stdout left empty ----------
D=$T/read; mkdir -p "$D"
cfg "$T/read.toml" "$D" dumpLog.rotationTime=daily
want=$("$BIN" read -d mysql -t 33066 "$FX/upstream/mysql_prepare.pcap" | wc -l)
(cd "$D" && timeout 30 "$BIN" read --batch -c "$T/read.toml" -d mysql -t 33066 \
	"$FX/upstream/mysql_prepare.pcap" >"$T/read.out" 2>"$T/read.err")
rc=$?
got=$(cat "$D"/dump.log.2* 2>/dev/null | wc -l)
if [ $rc -eq 0 ] && [ "$want" -gt 0 ] && [ "$got" -eq "$want" ] && [ ! -s "$T/read.out" ] &&
	[ -L "$D/dump.log" ] && [ ! -e "$D/tcpdp.pid" ]; then
	pass "logs-e2e: read --batch -c writes $got records to dump.log, none to stdout"
else fail "logs-e2e: read --batch -c writes the dump log" "rc $rc, $got of $want, $(head -2 "$T/read.err")"; fi
if [ "$(sed 's/"conn_id":"[0-9a-v]*"/ID/' "$D/dump.log")" = "$("$BIN" read -d mysql -t 33066 "$FX/upstream/mysql_prepare.pcap" | sed 's/"conn_id":"[0-9a-v]*"/ID/')" ]; then
	pass "logs-e2e: read --batch dump.log lines equal read's stdout"
else fail "logs-e2e: read --batch dump.log lines equal read's stdout"; fi
# Without -c, read only prints (as tcpdp's read does).
mkdir -p "$T/plain" && (cd "$T/plain" && "$BIN" read --batch -d mysql -t 33066 \
	"$FX/upstream/mysql_prepare.pcap" >"$T/plain.out" 2>/dev/null)
if [ "$(wc -l <"$T/plain.out")" -eq "$want" ] && [ -z "$(ls "$T/plain")" ]; then
	pass "logs-e2e: read --batch without -c prints and creates no file"
else fail "logs-e2e: read --batch without -c prints and creates no file" "$(ls "$T/plain")"; fi

# --- set-up errors of the real binary: exit 1, clear message ----------------
mkdir -p "$T/ok"
for c in "log.format=xml:log.format \"xml\": must be json or ltsv" \
	"dumpLog.format=yaml:dumpLog.format \"yaml\": must be json or ltsv" \
	"dumpLog.rotationTime=weekly:please specify one of the periods"; do
	kv=${c%%:*} pat=${c#*:}
	cfg "$T/bad.toml" "$T/ok" "$kv"
	timeout 20 "$BIN" probe --batch -c "$T/bad.toml" -i lo -t $PORT >"$T/bad.out" 2>"$T/bad.err"
	rc=$?
	if [ $rc -eq 1 ] && grep -q -- "$pat" "$T/bad.err"; then pass "logs-e2e: probe --batch with $kv: exit 1, clear error"
	else fail "logs-e2e: probe --batch with $kv: exit 1, clear error" "rc $rc: $(head -2 "$T/bad.err")"; fi
done

if [ "$(id -u)" != 0 ]; then
	pass "logs-e2e: probe --batch (skipped: not root, no live capture)"
	exit 0
fi

# --- probe --batch on lo: rotation, SIGHUP, pidfile, health, SIGTERM --------
D=$T/probe; mkdir -p "$D"
cfg "$T/probe.toml" "$D" tcpdp.dumper=hex probe.interface=lo probe.target=$PORT \
	dumpLog.rotationHook="$T/hook.sh" log.enableInternal=true log.stdout=true
printf '#!/bin/sh\necho "[$1] [$2]" >>%s/hook.calls\n' "$T" >"$T/hook.sh"; chmod +x "$T/hook.sh"
socat -u TCP-LISTEN:$PORT,bind=127.0.0.1,reuseaddr OPEN:/dev/null &
SRV_PID=$!
# 2026-11-26T23:58:00Z, 60 times faster: a new minute every second.
(cd "$D" && TCPDP_TEST_CLOCK=1795737480x60 TCPDP_TEST_HEALTH_INTERVAL=1 exec \
	"$BIN" probe --batch -c "$T/probe.toml" >"$T/probe.out" 2>"$T/probe.err") &
BG_PID=$!
wait_grep 10 'Starting probe' "$T/probe.out" "$D/tcpdp.log.2*"
sleep 0.5
if [ "$(cat "$D/tcpdp.pid" 2>/dev/null)" = "$BG_PID" ]; then pass "logs-e2e: probe --batch writes the pidfile"
else fail "logs-e2e: probe --batch writes the pidfile" "$(cat "$D/tcpdp.pid" 2>&1) vs $BG_PID"; fi
timeout 20 "$BIN" probe --batch -c "$T/probe.toml" >/dev/null 2>"$T/second.err"
rc=$?
if [ $rc -eq 1 ] && grep -q "pid already running: $BG_PID" "$T/second.err" "$D"/tcpdp.log.2*; then
	pass "logs-e2e: a second probe with the same pidfile is refused"
else fail "logs-e2e: a second probe with the same pidfile is refused" "rc $rc"; fi
K=60
(
	exec 3<>/dev/tcp/127.0.0.1/$PORT
	i=0
	while [ $i -lt $K ]; do
		printf 'marker-%04d\n' $i >&3
		[ $i -eq 30 ] && kill -HUP "$BG_PID"
		sleep 0.06
		i=$((i + 1))
	done
	exec 3>&-
) 2>/dev/null
sleep 1
bg_stop TERM
kill "$SRV_PID" 2>/dev/null; SRV_PID=""
files=$(ls "$D" | grep -c '^dump\.log\.[0-9]\{12\}$')
seen=$(cat "$D"/dump.log.2* | grep -o 'marker-[0-9]*' | sort | uniq -c | awk '$1 == 1' | wc -l)
dups=$(cat "$D"/dump.log.2* | grep -o 'marker-[0-9]*' | sort | uniq -d | wc -l)
if [ "$BG_RC" -eq 0 ]; then pass "logs-e2e: probe --batch exits 0 on SIGTERM"
else fail "logs-e2e: probe --batch exits 0 on SIGTERM" "rc $BG_RC: $(tail -3 "$T/probe.err")"; fi
if [ "$files" -ge 3 ] && [ "$seen" -eq $K ] && [ "$dups" -eq 0 ]; then
	pass "logs-e2e: probe records across $files rotated files, all $K once"
else fail "logs-e2e: probe records across rotated files" "$files files, $seen of $K once, $dups dups"; fi
if [ "$(readlink "$D/dump.log")" = "$D/$(ls "$D" | grep '^dump\.log\.[0-9]*$' | sort | tail -n 1)" ] &&
	grep -q '"probe_target_addr":"'$PORT'"' "$D/dump.log"; then
	pass "logs-e2e: dump.log links the current file; probe keys present"
else fail "logs-e2e: dump.log links the current file"; fi
if [ "$(wc -l <"$T/hook.calls" 2>/dev/null)" -eq "$files" ] && head -n 1 "$T/hook.calls" | grep -q '^\[\] \['; then
	pass "logs-e2e: rotation hook run once per new file, first with empty previous"
else fail "logs-e2e: rotation hook once per new file" "$(wc -l <"$T/hook.calls" 2>&1) calls, $files files"; fi
cat "$D"/tcpdp.log.2* >"$T/internal"
ok=1
for m in '"msg":"Starting probe."' '"msg":"Reopening log files (SIGHUP)"' '"msg":"Shutting down probe..."' \
	'"msg":"pcap Stats"' '"msg":"health","packets":[1-9]' '"records_written":[1-9].*"rss_bytes":[1-9]' \
	'"msg":"rotation hook done"'; do
	grep -q "$m" "$T/internal" || { ok=0; echo "  missing in tcpdp.log: $m"; }
done
[ $ok = 1 ] && pass "logs-e2e: tcpdp.log has start, SIGHUP, stop, pcap Stats, health, hook lines" ||
	fail "logs-e2e: tcpdp.log has start, SIGHUP, stop, pcap Stats, health, hook lines"
if [ ! -e "$D/tcpdp.pid" ]; then pass "logs-e2e: pidfile removed at exit"
else fail "logs-e2e: pidfile removed at exit"; fi
if grep -qP '\tinfo\tStarting probe\.' "$T/probe.out" && ! grep -q '^{' "$T/probe.out"; then
	pass "logs-e2e: console lines on stdout (log.stdout), no dump records there"
else fail "logs-e2e: console lines on stdout" "$(head -c 300 "$T/probe.out" | od -c | head -5)"; fi
