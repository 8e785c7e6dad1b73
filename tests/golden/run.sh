#!/bin/sh
# run.sh - golden tests: runs every tests/golden/*.sh part (each prints its
# own PASS:/FAIL: lines).
here=$(cd "$(dirname "$0")" && pwd)
for t in "$here"/*.sh; do
	[ "$t" = "$here/run.sh" ] && continue
	sh "$t"
done
exit 0
