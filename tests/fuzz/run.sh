#!/bin/sh
# run.sh - short smoke runs of every libFuzzer target in $TCPDP_FUZZ_DIR
# (make check builds them), seeded from tests/fuzz/corpus/<target>. Prints
# PASS/FAIL per target; skipped when the targets were not built.
set -u
here=$(cd "$(dirname "$0")" && pwd)
dir=${TCPDP_FUZZ_DIR:-}
secs=${FUZZ_SMOKE_SECONDS:-10}
if [ -z "$dir" ] || ! ls "$dir"/fuzz-* >/dev/null 2>&1; then
	echo "fuzz: no targets built (needs clang), skipped"
	exit 0
fi
tmp=$(mktemp -d /tmp/tcpdp-fuzz.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
for f in "$dir"/fuzz-*; do
	[ -x "$f" ] || continue
	name=$(basename "$f")
	mkdir -p "$tmp/$name"
	seeds="$here/corpus/$name"
	[ -d "$seeds" ] || seeds=""
	if timeout $((secs + 60)) "$f" -max_total_time="$secs" -rss_limit_mb=2048 \
	    -timeout=10 "$tmp/$name" $seeds >"$tmp/$name.log" 2>&1; then
		echo "PASS: fuzz/$name"
	else
		tail -n 40 "$tmp/$name.log"
		echo "FAIL: fuzz/$name"
	fi
done
