#!/bin/sh
# run.sh - make bench: every tests/bench/bench-*.sh in turn. Each measures
# tcpdp-top against a baseline in the same run and prints ratios.
set -u
here=$(cd "$(dirname "$0")" && pwd)
export TCPDP_BIN="${TCPDP_BIN:-$(cd "$here/../.." && pwd)/tcpdp-top}"
export TCPDP_FIXTURES="${TCPDP_FIXTURES:-$(cd "$here/../../.." && pwd)/shared/fixtures}"
rc=0
for b in "$here"/bench-*.sh; do
	[ -f "$b" ] || continue
	case "$(basename "$b")" in *"${BENCH_ONLY:-}"*) ;; *) continue ;; esac
	echo "=== $(basename "$b" .sh)"
	sh "$b" || rc=1
done
exit $rc
