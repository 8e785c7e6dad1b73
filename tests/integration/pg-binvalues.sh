#!/bin/sh
# pg-binvalues.sh - binary Bind values of every type the pg dumper renders,
# checked against what a real PostgreSQL prints for them: psycopg sends
# each value (fixed edge cases and seeded random ones, some with a byte
# more, less or changed) through `proxy -d pg` to the server and keeps its
# answer; pg-binvalues.py compares every Bind record with it. Needs
# PostgreSQL and python3-psycopg; ports 26150 (server) and 26151 (proxy).
set -u
BIN=${TCPDP_BIN:?}
here=$(cd "$(dirname "$0")" && pwd)
export TCPDP_TMP=${TCPDP_TMP:-/tmp}
. "$here/lib.sh"
PORT=26150
PROXY=26151
t_setup pg-binvalues

# psycopg from the distribution, whichever python3 comes first in PATH
PY=""
for py in python3 /usr/bin/python3; do
	if "$py" -c 'import psycopg' 2>/dev/null; then PY=$py; break; fi
done
if [ -z "$PY" ]; then
	fail pg-binvalues/client "python3-psycopg missing (sh contrib/install-deps.sh --test)"
	exit 0
fi
if [ -z "$PG_BIN" ]; then
	fail pg-binvalues/server "PostgreSQL not installed (sh contrib/install-deps.sh --test)"
	exit 0
fi
srv_pg_start $PORT >"$T/srv.log" 2>&1 || { fail pg-binvalues/server "$(tail -3 "$T/srv.log")"; exit 0; }

mkdir -p "$T/px"
(cd "$T/px" && exec "$BIN" proxy --batch -l 127.0.0.1:$PROXY -r 127.0.0.1:$PORT \
    -d pg >stdout 2>stderr) &
PIDS=$!
wait_port $PROXY 10 || { fail pg-binvalues/proxy "$(tail -3 "$T/px/stderr")"; exit 0; }
timeout 300 "$PY" "$here/pg-binvalues.py" \
    "host=127.0.0.1 port=$PROXY user=app password=app-secret dbname=appdb sslmode=disable" \
    "$T/px/dump.log" "${PG_BINVALUES_SEED:-1}" || fail pg-binvalues/run
