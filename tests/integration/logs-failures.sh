#!/bin/bash
# logs-failures.sh - what goes wrong with log files: unwritable or bad
# settings at start (clear error, exit 1), the directory removed while
# running, a full disk (tmpfs, as root), SIGHUP reopening after a move,
# SIGTERM flushing, and the pidfile refusing a second instance.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/logs/common.sh"
need_driver logs-failures
export TZ=UTC
unset TCPDP_TEST_CLOCK

# --- settings errors at start -------------------------------------------------
start_error() {	# start_error NAME PATTERN cfg-args...
	_name=$1 _pat=$2; shift 2
	cfg "$T/e.toml" "$@"
	timeout 10 "$DRV" -c "$T/e.toml" -n 10 >/dev/null 2>"$T/e.err"
	_rc=$?
	if [ $_rc -eq 1 ] && grep -q -- "$_pat" "$T/e.err" && ! grep -q 'AddressSanitizer\|runtime error' "$T/e.err"; then
		pass "logs-failures: $_name: exit 1, clear error"
	else fail "logs-failures: $_name: exit 1, clear error" "rc $_rc: $(head -2 "$T/e.err")"; fi
}
mkdir -p "$T/ok"
start_error "log.format xml" 'log.format "xml": must be json or ltsv' "$T/ok" log.format=xml
start_error "dumpLog.format yaml" 'dumpLog.format "yaml": must be json or ltsv' "$T/ok" dumpLog.format=yaml
start_error "rotationTime weekly" 'please specify one of the periods \[daily, hourly, minutely\]' "$T/ok" dumpLog.rotationTime=weekly
touch "$T/afile"
start_error "log dir is a file" "log directory $T/afile" "$T/afile"

if [ "$(id -u)" = 0 ] && command -v mount >/dev/null; then
	mkdir -p "$T/ro"
	if mount -t tmpfs -o ro,size=64k tmpfs "$T/ro" 2>/dev/null; then
		MOUNTS="$MOUNTS $T/ro"
		start_error "read-only log dir" "log directory $T/ro: Read-only file system" "$T/ro"
		cfg "$T/e2.toml" "$T/ok" dumpLog.dir="$T/ro"
		timeout 10 "$DRV" -c "$T/e2.toml" -n 10 >/dev/null 2>"$T/e.err"
		rc=$?
		if [ $rc -eq 1 ] && grep -q "dumpLog: log directory $T/ro: Read-only" "$T/e.err"; then
			pass "logs-failures: read-only dumpLog dir: exit 1, clear error"
		else fail "logs-failures: read-only dumpLog dir" "rc $rc: $(head -2 "$T/e.err")"; fi
	else
		pass "logs-failures: read-only log dir (skipped: cannot mount tmpfs)"
	fi
	# Unprivileged user and a root-owned directory (outside TCPDP_TMP,
	# which only root may enter).
	U=$(mktemp -d /tmp/tcpdp-logs-nobody.XXXXXX); chmod 0711 "$U"
	EXTRA="$EXTRA $U"
	mkdir -p "$U/rootonly"; chmod 0755 "$U/rootonly"
	cfg "$U/e3.toml" "$U/rootonly"; chmod 0644 "$U/e3.toml"
	if ! command -v setpriv >/dev/null || ! setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$DRV"; then
		pass "logs-failures: unwritable log dir (skipped: no setpriv or driver not reachable for nobody)"
	else
		setpriv --reuid=65534 --regid=65534 --clear-groups \
			timeout 10 "$DRV" -c "$U/e3.toml" -n 10 >/dev/null 2>"$T/e.err"
		rc=$?
		if [ $rc -eq 1 ] && grep -q "log directory $U/rootonly: Permission denied" "$T/e.err"; then
			pass "logs-failures: unwritable log dir (nobody): exit 1, clear error"
		else fail "logs-failures: unwritable log dir (nobody)" "rc $rc: $(head -2 "$T/e.err")"; fi
	fi
else
	pass "logs-failures: read-only log dir (skipped: not root)"
fi

# --- the directory removed while running ----------------------------------------
D=$T/gone; mkdir -p "$D" "$T/int1"
cfg "$T/gone.toml" "$D" log.dir="$T/int1" dumpLog.rotationTime=daily
bg_start "$T/gone.out" "$T/gone.err" -c "$T/gone.toml" -n 0 -b 2
sleep 1
rm -rf "$D"
if wait_grep 10 '"msg":"log file removed, reopening"' "$T/int1/tcpdp.log.2*" &&
	wait_grep 5 '"seq"' "$D/dump.log.2*" && [ -L "$D/dump.log" ]; then
	pass "logs-failures: dir removed: noticed, recreated, records continue"
else fail "logs-failures: dir removed: noticed, recreated, records continue"; fi
bg_stop TERM
if [ "$BG_RC" -eq 0 ] && kill -0 $$; then pass "logs-failures: dir removed: still serving, SIGTERM exits 0"
else fail "logs-failures: dir removed: SIGTERM exits 0" "rc $BG_RC"; fi

# --- disk full ------------------------------------------------------------------
if [ "$(id -u)" = 0 ] && mkdir -p "$T/full" && mount -t tmpfs -o size=1m tmpfs "$T/full" 2>/dev/null; then
	MOUNTS="$MOUNTS $T/full"
	mkdir -p "$T/int2"
	# Leave a few KB: the dump log fills them within a second.
	dd if=/dev/zero of="$T/full/filler" bs=1k count=1010 2>/dev/null
	cfg "$T/full.toml" "$T/full" log.dir="$T/int2" dumpLog.rotationTime=daily
	bg_start "$T/full.out" "$T/full.err" -c "$T/full.toml" -n 0 -b 5
	if wait_grep 10 'No space left on device' "$T/full.err"; then
		sleep 1
		n=$(grep -c 'write error' "$T/full.err")
		if [ "$n" -eq 1 ] && grep -q '"msg":"log write error".*"error":"No space left on device"' "$T"/int2/tcpdp.log.2*; then
			pass "logs-failures: disk full: reported once on stderr and in tcpdp.log"
		else fail "logs-failures: disk full: reported once" "$n stderr lines"; fi
		rm -f "$T/full/filler"
		if wait_grep 20 '"msg":"log write resumed".*"lost_records":[1-9]' "$T/int2/tcpdp.log.2*"; then
			pass "logs-failures: disk full: writing resumes, loss counted"
		else fail "logs-failures: disk full: writing resumes, loss counted"; fi
		sleep 0.3
		bg_stop TERM
		bad=$(cat "$T"/full/dump.log.2* | grep -cv '^{"seq":[0-9]*,"query":"[^"]*"}$')
		if [ "$BG_RC" -eq 0 ] && [ "$bad" -eq 0 ]; then
			pass "logs-failures: disk full: no partial line on disk, exit 0"
		else fail "logs-failures: disk full: no partial line on disk, exit 0" "rc $BG_RC, $bad bad lines"; fi
	else
		fail "logs-failures: disk full reported" "$(head -3 "$T/full.err")"
		bg_stop TERM
	fi
else
	pass "logs-failures: disk full (skipped: not root or no tmpfs)"
fi

# --- SIGHUP reopens (logrotate moved the file), SIGTERM flushes -------------
D=$T/hup; mkdir -p "$D"
cfg "$T/hup.toml" "$D" dumpLog.rotateEnable=false log.rotateEnable=false
bg_start "$T/hup.out" "$T/hup.err" -c "$T/hup.toml" -n 0 -b 20
sleep 1
mv "$D/dump.log" "$D/dump.log.1"
mv "$D/tcpdp.log" "$D/tcpdp.log.1"
kill -HUP "$BG_PID"
sleep 1
bg_stop TERM
total=$(sed -n 's/.*"msg":"health".*"records_written":\([0-9]*\).*/\1/p' "$D/tcpdp.log" | tail -n 1)
if [ "$BG_RC" -eq 0 ] && [ -f "$D/dump.log" ] && [ -s "$D/dump.log" ] &&
	grep -q 'Reopening log files' "$D/tcpdp.log.1" && [ -n "$total" ] &&
	seq_check "$D" "$total" "dump.log.1 dump.log"; then
	pass "logs-failures: SIGHUP reopens, SIGTERM flushes all $total records, exit 0"
else fail "logs-failures: SIGHUP reopen + SIGTERM flush" "rc $BG_RC total '$total'"; fi
if [ ! -L "$D/dump.log" ]; then pass "logs-failures: rotateEnable=false appends to the plain file"
else fail "logs-failures: rotateEnable=false appends to the plain file"; fi

# --- SIGINT exits 0 too ---------------------------------------------------------
D=$T/int; mkdir -p "$D"
cfg "$T/int.toml" "$D"
bg_start "$T/int.out" "$T/int.err" -c "$T/int.toml" -n 0 -b 3
sleep 0.5
bg_stop INT
total=$(cat "$D"/tcpdp.log.2* | sed -n 's/.*"msg":"health".*"records_written":\([0-9]*\).*/\1/p' | tail -n 1)
if [ "$BG_RC" -eq 0 ] && [ -n "$total" ] && seq_check "$D" "$total"; then
	pass "logs-failures: SIGINT flushes and exits 0"
else fail "logs-failures: SIGINT flushes and exits 0" "rc $BG_RC"; fi

# --- pidfile: a second instance is refused, the file removed at exit --------
D=$T/pid; mkdir -p "$D"
cfg "$T/pid.toml" "$D"
bg_start "$T/pid.out" "$T/pid.err" -c "$T/pid.toml" -n 0 -b 1 -p
wait_grep 5 . "$D/tcpdp.pid"
if [ "$(cat "$D/tcpdp.pid")" = "$BG_PID" ]; then pass "logs-failures: pidfile holds the pid and a newline"
else fail "logs-failures: pidfile holds the pid" "$(od -c "$D/tcpdp.pid" | head -1)"; fi
timeout 10 "$DRV" -c "$T/pid.toml" -n 10 -p >/dev/null 2>"$T/pid2.err"
rc=$?
if [ $rc -eq 1 ] && grep -q "pid already running: $BG_PID" "$T/pid2.err"; then
	pass "logs-failures: second instance refused"
else fail "logs-failures: second instance refused" "rc $rc: $(head -2 "$T/pid2.err")"; fi
bg_stop TERM
if [ "$BG_RC" -eq 0 ] && [ ! -e "$D/tcpdp.pid" ]; then pass "logs-failures: pidfile removed at exit"
else fail "logs-failures: pidfile removed at exit" "rc $BG_RC"; fi
