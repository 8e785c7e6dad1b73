#!/bin/sh
# run.sh - the whole test suite (make check): unit tests, golden tests,
# fuzz smoke runs, integration tests. Every part prints "PASS: name" or
# "FAIL: name" lines; a part that exits non-zero without any FAIL line
# counts as one failure. Ends with one line "N passed, N failed".
#
# Environment: TCPDP_BIN (binary under test), TCPDP_UNIT (unit runner),
# TCPDP_FUZZ_DIR (libFuzzer binaries), TESTS_ONLY (substring of part names).
set -u
here=$(cd "$(dirname "$0")" && pwd)
export TCPDP_TESTS="$here"
export TCPDP_FIXTURES="${TCPDP_FIXTURES:-$(cd "$here/../.." && pwd)/shared/fixtures}"
[ -d "$TCPDP_FIXTURES" ] || TCPDP_FIXTURES="$(cd "$here/.." && pwd)/../shared/fixtures"
export TZ=UTC
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
out=$(mktemp -d /tmp/tcpdp-tests.XXXXXX)
export TCPDP_TMP="$out"

passed=0
failed=0
failures=""

part() {	# part NAME COMMAND...
	name=$1; shift
	case "$name" in *"${TESTS_ONLY:-}"*) ;; *) return 0 ;; esac
	log="$out/$(echo "$name" | tr '/ ' '__').log"
	start=$(date +%s)
	"$@" >"$log" 2>&1
	rc=$?
	p=$(grep -c '^PASS: ' "$log")
	f=$(grep -c '^FAIL: ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "FAIL: $name (exit $rc)" >>"$log"
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	printf '%-28s %4d passed, %d failed (%ss)\n' "$name" "$p" "$f" "$(( $(date +%s) - start ))"
	if [ "$f" -gt 0 ]; then
		grep '^FAIL: ' "$log" | sed 's/^/    /'
		echo "    --- last lines of $log:"
		tail -n 30 "$log" | sed 's/^/    | /'
		failures="$failures $name"
	fi
}

part unit "${TCPDP_UNIT:?}"
for t in "$here"/golden/*.sh "$here"/fuzz/run.sh "$here"/tui/run.sh "$here"/integration/*.sh; do
	[ -f "$t" ] || continue
	case "$t" in */lib.sh) continue ;; esac
	rel=${t#"$here"/}
	part "${rel%.sh}" bash "$t"
done

[ "$failed" -eq 0 ] && rm -rf "$out"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
