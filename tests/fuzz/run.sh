#!/bin/sh
# run.sh - fuzz smoke runs for make check: each libFuzzer target in
# $TCPDP_FUZZ_DIR runs for FUZZ_SMOKE_SECONDS (default 15) from its seed
# corpus (tests/fuzz/corpus/NAME, if any). `make fuzz` runs them longer.
set -u
dir=${TCPDP_FUZZ_DIR:-}
here=$(cd "$(dirname "$0")" && pwd)
secs=${FUZZ_SMOKE_SECONDS:-15}
if [ -z "$dir" ] || ! ls "$dir"/fuzz-* >/dev/null 2>&1; then
	echo "no fuzz targets built (clang with libFuzzer missing?)"
	echo "FAIL: fuzz/built"
	exit 0
fi
for f in "$dir"/fuzz-*; do
	[ -x "$f" ] || continue
	name=$(basename "$f")
	work=$(mktemp -d)
	seeds=""
	[ -d "$here/corpus/$name" ] && seeds="$here/corpus/$name"
	# fuzz-config's unknown-key warnings go to stderr.
	quiet=""
	[ "$name" = fuzz-config ] && quiet=-close_fd_mask=2
	if "$f" -max_total_time="$secs" -rss_limit_mb=1024 -timeout=10 $quiet \
	    -print_final_stats=1 "$work" $seeds >"$work.log" 2>&1; then
		echo "PASS: fuzz/$name ($(grep -o 'stat::number_of_executed_units: [0-9]*' "$work.log" | grep -o '[0-9]*$') runs)"
	else
		echo "FAIL: fuzz/$name"
		grep -A30 'ERROR:' "$work.log" | head -40
	fi
	rm -rf "$work" "$work.log"
done
exit 0
