#!/bin/bash
# logs-rotation.sh - rotation under a burst of records with accelerated
# time (TCPDP_TEST_CLOCK: 10 simulated minutes per second), retention, the
# rotation hook with its arguments, failing and missing hooks.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/logs/common.sh"
need_driver logs-rotation
export TZ=UTC
# 2026-11-26T23:50:00Z, 600 times faster than real time.
export TCPDP_TEST_CLOCK=1795737000x600
N=30000

# --- burst: 10+ rotations, nothing lost or duplicated ---------------------
D=$T/burst; mkdir -p "$D"
cfg "$T/burst.toml" "$D"
if timeout 60 "$DRV" -c "$T/burst.toml" -n $N -b 40 -l 1000 2>"$T/burst.err"; then
	pass "logs-rotation: burst run exits 0"
else
	fail "logs-rotation: burst run exits 0" "$(head -3 "$T/burst.err")"
fi
nfiles=$(ls "$D" | grep -c '^dump\.log\.[0-9]\{12\}$')
if [ "$nfiles" -ge 11 ]; then pass "logs-rotation: $nfiles minutely files"
else fail "logs-rotation: 11+ minutely files" "$nfiles"; fi
if seq_check "$D" $N; then pass "logs-rotation: $N records once each, in order, whole lines"
else fail "logs-rotation: records once each, in order, whole lines"; fi
last=$(ls "$D" | grep '^dump\.log\.[0-9]*$' | sort | tail -n 1)
if [ "$(readlink "$D/dump.log")" = "$D/$last" ]; then
	pass "logs-rotation: dump.log -> current file (absolute)"
else fail "logs-rotation: dump.log -> current file" "$(readlink "$D/dump.log") vs $last"; fi
# Names are consecutive minutes starting at the simulated start.
first=$(ls "$D" | grep '^dump\.log\.[0-9]*$' | sort | head -n 1)
if [ "$first" = dump.log.202611262350 ]; then pass "logs-rotation: first file named by local start minute"
else fail "logs-rotation: first file named by local start minute" "$first"; fi
gaps=$(ls "$D" | sed -n 's/^dump\.log\.\([0-9]\{12\}\)$/\1/p' | sort | python3 -c '
import sys, datetime as d
t = [d.datetime.strptime(l.strip(), "%Y%m%d%H%M") for l in sys.stdin]
print(sum(1 for a, b in zip(t, t[1:]) if (b - a).seconds % 60 or b <= a))')
if [ "$gaps" = 0 ]; then pass "logs-rotation: file names on minute boundaries"
else fail "logs-rotation: file names on minute boundaries" "$gaps"; fi
modes=$(stat -c %a "$D"/dump.log.2* | sort -u | tr '\n' ' ')
if [ "$modes" = "644 " ]; then pass "logs-rotation: files are 0644"
else fail "logs-rotation: files are 0644" "$modes"; fi
# The internal log rotates too, and its lines are JSON with level first.
nint=$(ls "$D" | grep -c '^tcpdp\.log\.[0-9]\{12\}$')
bad=$(cat "$D"/tcpdp.log.2* | grep -cv '^{"level":"[a-z]*","ts":"[^"]*","msg":')
if [ "$nint" -ge 2 ] && [ "$bad" -eq 0 ] && [ -L "$D/tcpdp.log" ]; then
	pass "logs-rotation: tcpdp.log rotated ($nint files), JSON lines"
else fail "logs-rotation: tcpdp.log rotated, JSON lines" "$nint files, $bad bad"; fi
if grep -q '"msg":"health".*"records_written":'$N "$D"/tcpdp.log.2*; then
	pass "logs-rotation: final health line counts $N records"
else fail "logs-rotation: final health line counts $N records"; fi

# --- retention and the hook ------------------------------------------------
D=$T/keep; mkdir -p "$D"
cat >"$T/hook.sh" <<HOOK
#!/bin/sh
echo "[\$1] [\$2]" >>"$T/hook.calls"
echo "hook saw \$2"
HOOK
chmod +x "$T/hook.sh"
cfg "$T/keep.toml" "$D" dumpLog.rotationCount=3 dumpLog.rotationHook="$T/hook.sh"
timeout 60 "$DRV" -c "$T/keep.toml" -n $N -b 40 2>"$T/keep.err"
sleep 0.5	# hooks started just before exit
ls "$D" | grep '^dump\.log\.[0-9]*$' | sort >"$T/kept"
sed -n 's/^\[.*\] \[\(.*\)\]$/\1/p' "$T/hook.calls" | sed 's|.*/||' | sort | tail -n 3 >"$T/newest"
if [ "$(wc -l <"$T/kept")" -eq 3 ] && cmp -s "$T/kept" "$T/newest"; then
	pass "logs-rotation: rotationCount=3 keeps exactly the 3 newest"
else fail "logs-rotation: rotationCount=3 keeps exactly the 3 newest" "$(tr '\n' ' ' <"$T/kept")"; fi
# The kept files hold the last records, contiguous up to N-1.
first_seq=$(head -n 1 "$D/$(head -n 1 "$T/kept")" | sed 's/^{"seq":\([0-9]*\),.*/\1/')
if seq_check "$D" $N >/dev/null 2>&1; then fail "logs-rotation: old files deleted" "nothing deleted"
elif [ -n "$first_seq" ] && [ "$(cat "$D"/dump.log.2* | wc -l)" -eq $((N - first_seq)) ] &&
	[ "$(tail -n 1 "$D/$(tail -n 1 "$T/kept")" | sed 's/^{"seq":\([0-9]*\),.*/\1/')" -eq $((N - 1)) ]; then
	pass "logs-rotation: kept files hold the newest records"
else fail "logs-rotation: kept files hold the newest records"; fi
calls=$(wc -l <"$T/hook.calls")
created=$(grep -c . "$T/hook.calls")
if head -n 1 "$T/hook.calls" | grep -q "^\[\] \[$D/dump.log.202611262350\]$"; then
	pass "logs-rotation: hook first call: empty previous, new file"
else fail "logs-rotation: hook first call" "$(head -n 1 "$T/hook.calls")"; fi
chain=$(python3 - "$T/hook.calls" <<'PY'
import sys
calls = [l.rstrip("\n")[1:-1].split("] [") for l in open(sys.argv[1])]
ok = all(calls[i][0] == calls[i - 1][1] for i in range(1, len(calls)))
print("ok" if ok and len(calls) >= 11 else "bad %d" % len(calls))
PY
)
if [ "$chain" = ok ]; then pass "logs-rotation: hook args chain prev -> new over $calls rotations"
else fail "logs-rotation: hook args chain prev -> new" "$chain"; fi
done_lines=$(cat "$D"/tcpdp.log.2* 2>/dev/null | grep -c '"msg":"rotation hook done".*"exit_status":0,"output":"hook saw ')
if [ "$done_lines" -eq "$created" ]; then pass "logs-rotation: every hook run reported with status and output"
else fail "logs-rotation: every hook run reported" "$done_lines of $created"; fi

# --- failing and missing hooks: reported, logging goes on --------------------
for kind in failing missing; do
	D=$T/$kind; mkdir -p "$D"
	if [ $kind = failing ]; then
		printf '#!/bin/sh\necho boom >&2\nexit 3\n' >"$T/bad.sh"; chmod +x "$T/bad.sh"
		h=$T/bad.sh; want='"rotation hook failed".*"exit_status":3,"output":"boom"'
	else
		h=$T/no/such/hook; want='"rotation hook failed".*"error":"No such file or directory"'
	fi
	cfg "$T/$kind.toml" "$D" dumpLog.rotationHook="$h"
	timeout 60 "$DRV" -c "$T/$kind.toml" -n 10000 -b 40 2>"$T/$kind.err"
	rc=$?
	sleep 0.3
	if [ $rc -eq 0 ] && seq_check "$D" 10000 && grep -q "$want" "$D"/tcpdp.log.2*; then
		pass "logs-rotation: $kind hook reported, all records written"
	else fail "logs-rotation: $kind hook reported, all records written" "rc $rc"; fi
done

# --- a hook that hangs: reported, never more than a few at once, logging
# goes on and the process still exits at once --------------------------------
D=$T/hang; mkdir -p "$D"
cat >"$T/hang.sh" <<HOOK
#!/bin/sh
echo \$\$ >>"$T/hang.pids"
exec sleep 30
HOOK
chmod +x "$T/hang.sh"
cfg "$T/hang.toml" "$D" dumpLog.rotationHook="$T/hang.sh"
start=$(date +%s)
TCPDP_TEST_HOOK_SLOW=1 timeout 60 "$DRV" -c "$T/hang.toml" -n 20000 -b 10 2>"$T/hang.err"
rc=$?
took=$(($(date +%s) - start))
for p in $(cat "$T/hang.pids" 2>/dev/null); do kill "$p" 2>/dev/null; done
running=$(wc -l <"$T/hang.pids")
if [ $rc -eq 0 ] && seq_check "$D" 20000 && [ "$took" -lt 20 ] && [ "$running" -le 4 ] &&
	grep -q '"msg":"rotation hook skipped: earlier runs still running"' "$D"/tcpdp.log.2* &&
	grep -q '"msg":"rotation hook still running".*"pid":' "$D"/tcpdp.log.2* &&
	grep -q 'rotation hook still running at exit' "$T/hang.err" "$D"/tcpdp.log.2*; then
	pass "logs-rotation: hanging hook reported and bounded, logging unaffected"
else fail "logs-rotation: hanging hook reported and bounded, logging unaffected" "rc $rc, ${took}s, $running started"; fi
