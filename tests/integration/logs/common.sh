# common.sh - helpers for tests/integration/logs-*.sh (sourced).
#
#   DRV            the logs driver (tests/drivers/logs-driver.c), next to
#                  TCPDP_BIN unless TCPDP_LOGS_DRIVER says otherwise
#   T              a fresh directory for this script, removed at exit
#   cfg FILE DIR [key=value...]   writes a config with both logs in DIR;
#                  keys are section.key (log.format=ltsv)
#   wait_grep SECONDS PATTERN FILE...   waits until a file matches
#   seq_check DIR N   dump.log.* hold seq 0..N-1 once each, in file order
#   bg_start / bg_stop    a background driver, stopped at exit

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1${2:+ ($2)}"; }

DRV=${TCPDP_LOGS_DRIVER:-$(dirname "${TCPDP_BIN:-./tcpdp-top}")/logs-driver}
T=$(mktemp -d "${TCPDP_TMP:-/tmp}/logs.XXXXXX")
BG_PID=""
MOUNTS=""
EXTRA=""	# more directories to remove

logs_cleanup() {
	if [ -n "$BG_PID" ]; then kill "$BG_PID" 2>/dev/null; wait "$BG_PID" 2>/dev/null; fi
	for m in $MOUNTS; do umount "$m" 2>/dev/null; done
	rm -rf "$T" $EXTRA
}
trap logs_cleanup EXIT INT TERM

need_driver() {
	if [ ! -x "$DRV" ]; then
		fail "$1" "no logs driver at $DRV: make SANITIZE=1 build/san/logs-driver"
		exit 0
	fi
}

cfg() {	# cfg FILE DIR [section.key=value ...]
	_f=$1 _d=$2; shift 2
	python3 - "$_f" "$_d" "$@" <<'PY'
import sys
f, d, kv = sys.argv[1], sys.argv[2], sys.argv[3:]
secs = {
 "tcpdp": {"pidfile": '"%s/tcpdp.pid"' % d},
 "log": {"dir": '"%s"' % d, "stdout": "false", "format": '"json"',
         "rotationTime": '"minutely"', "rotationCount": "-1"},
 "dumpLog": {"dir": '"%s"' % d, "format": '"json"', "rotationTime": '"minutely"',
             "rotationCount": "-1"},
}
for a in kv:
    k, v = a.split("=", 1)
    s, k = k.split(".", 1)
    if not (v in ("true", "false") or v.lstrip("-").isdigit()):
        v = '"%s"' % v
    secs.setdefault(s, {})[k] = v
with open(f, "w") as o:
    for s, kvs in secs.items():
        o.write("[%s]\n" % s)
        for k, v in kvs.items():
            o.write("%s = %s\n" % (k, v))
PY
}

wait_grep() {	# wait_grep SECONDS PATTERN FILE-OR-QUOTED-GLOB...
	_n=$(($1 * 10)) _p=$2; shift 2
	while [ "$_n" -gt 0 ]; do
		# Unquoted on purpose: a quoted glob is expanded afresh each time.
		# shellcheck disable=SC2048,SC2086
		cat $* 2>/dev/null | grep -q -- "$_p" && return 0
		sleep 0.1
		_n=$((_n - 1))
	done
	return 1
}

# Every dump line whole, and the seq values 0..N-1 exactly once and in
# order when the files are read in name order (nothing lost, duplicated or
# moved across a rotation).
seq_check() {	# seq_check DIR N [FILES-GLOB]
	_g=${3:-dump.log.*}
	# shellcheck disable=SC2086
	( cd "$1" && cat $_g ) >"$T/all.txt" 2>/dev/null || return 1
	_bad=$(grep -cv '^{"seq":[0-9]*,"query":"[^"]*"}$' "$T/all.txt")
	[ "$_bad" -eq 0 ] || { echo "  $_bad malformed lines"; return 1; }
	sed 's/^{"seq":\([0-9]*\),.*/\1/' "$T/all.txt" >"$T/seq.txt"
	seq 0 $(($2 - 1)) | cmp -s - "$T/seq.txt" || {
		echo "  seq mismatch: $(wc -l <"$T/seq.txt") lines, want $2"; return 1; }
}

bg_start() {	# bg_start OUT ERR driver-args...
	_o=$1 _e=$2; shift 2
	"$DRV" "$@" >"$_o" 2>"$_e" &
	BG_PID=$!
}

bg_stop() {	# bg_stop [SIGNAL] -> exit status in BG_RC
	kill -"${1:-TERM}" "$BG_PID" 2>/dev/null
	_i=0
	while kill -0 "$BG_PID" 2>/dev/null && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
	if kill -0 "$BG_PID" 2>/dev/null; then kill -KILL "$BG_PID"; fi
	wait "$BG_PID"
	BG_RC=$?
	BG_PID=""
}
