#!/bin/sh
# pg.sh - golden tests of the pg dumper: every fixtures pg capture against
# tshark's ground truth and upstream's pg_prepare output (pg_check.py).
# Environment: TCPDP_BIN, TCPDP_FIXTURES (see tests/run.sh).
set -u
here=$(cd "$(dirname "$0")" && pwd)
fx=${TCPDP_FIXTURES:-$(cd "$here/../../.." && pwd)/shared/fixtures}
if ! command -v python3 >/dev/null 2>&1; then
	echo "FAIL: golden/pg (python3 missing: sh contrib/install-deps.sh --test)"
	exit 0
fi
TZ=UTC timeout 600 python3 "$here/pg_check.py" "${TCPDP_BIN:?}" "$fx"
exit 0
