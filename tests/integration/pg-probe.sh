#!/bin/sh
# pg-probe.sh - the pg dumper live: a real PostgreSQL (initdb in a temp dir,
# 127.0.0.1:25411, SCRAM password auth) and real clients (psql, pgbench
# -M extended and -M prepared), decoded by `probe -i lo -d pg --stdout`.
# Needs root (live capture); ports 25410-25429 are this test's.
set -u
BIN=${TCPDP_BIN:?}
here=$(cd "$(dirname "$0")" && pwd)
export TCPDP_TMP=${TCPDP_TMP:-/tmp}
. "$here/lib.sh"
PORT=25411
t_setup pg-probe
TX=40

if [ "$(id -u)" != 0 ]; then
	echo "pg-probe: not root, live capture impossible: skipped"
	exit 0
fi
if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/pgbench" ]; then
	fail pg/probe/server "PostgreSQL not installed (sh contrib/install-deps.sh --test)"
	exit 0
fi
srv_pg_start $PORT >"$T/srv.log" 2>&1 || { fail pg/probe/server "$(tail -3 "$T/srv.log")"; exit 0; }

export PGPASSWORD=app-secret
CONN="host=127.0.0.1 port=$PORT user=app dbname=appdb sslmode=disable"
psqlc() { timeout 30 "$PG_BIN/psql" -X -q "$CONN" "$@"; }
pgb() { timeout 60 "$PG_BIN/pgbench" -h 127.0.0.1 -p $PORT -U app "$@" appdb; }

# Tables for pgbench, before the capture.
pgb -i -s 1 -q >"$T/init.log" 2>&1 || { fail pg/probe/pgbench_init "$(tail -3 "$T/init.log")"; exit 0; }

(exec timeout 120 "$BIN" probe --batch -i lo -t $PORT -d pg -B 64MB --stdout \
    >"$T/out" 2>"$T/err") &
PROBE_PID=$!; PIDS=$PROBE_PID
i=0
while [ $i -lt 50 ] && ! grep -q 'Starting probe' "$T/err" 2>/dev/null; do
	sleep 0.1; i=$((i + 1))
done
sleep 0.5

psqlc >"$T/psql.log" 2>&1 <<'SQL'
SELECT 'pg-probe-marker' AS m;
CREATE TEMP TABLE t (id int, name text);
COPY t FROM STDIN;
1	one
2	二
\.
SELECT * FROM t ORDER BY id;
SELEC oops;
SQL
pgb -M extended -c 2 -t $TX >"$T/ext.log" 2>&1 || fail pg/probe/pgbench_extended "$(tail -3 "$T/ext.log")"
pgb -M prepared -c 2 -t $TX >"$T/prep.log" 2>&1 || fail pg/probe/pgbench_prepared "$(tail -3 "$T/prep.log")"

sleep 1
kill -INT "$PROBE_PID" 2>/dev/null
wait "$PROBE_PID"
rc=$?
PROBE_PID=""
o=$T/out
[ $rc -eq 0 ] && pass pg/probe/exit || fail pg/probe/exit "rc=$rc $(tail -3 "$T/err")"

if grep '"query":"SELECT '"'"'pg-probe-marker'"'"' AS m;","message_type":"Q","interface":"lo","probe_target_addr":"'$PORT'","conn_id":"[0-9a-v]\{20\}","mss":[0-9]*,"username":"app","database":"appdb"' "$o" |
    grep -q '"rows":1,"command_tag":"SELECT 1","tx_status":"idle","status":"ok"'; then
	pass pg/probe/psql_query
else
	fail pg/probe/psql_query "$(head -c 600 "$o")"
fi
grep -q '"query":"COPY t FROM STDIN;".*"rows":2,"command_tag":"COPY 2","copy_bytes":' "$o" &&
    pass pg/probe/psql_copy || fail pg/probe/psql_copy
grep -q '"query":"SELECT \* FROM t ORDER BY id;".*"rows":2,"command_tag":"SELECT 2"' "$o" &&
    pass pg/probe/psql_select || fail pg/probe/psql_select
grep -q '"query":"SELEC oops;".*"error_severity":"ERROR","error_code":"42601".*"status":"error"' "$o" &&
    pass pg/probe/psql_error || fail pg/probe/psql_error
if grep -q 'app-secret' "$o"; then
	fail pg/probe/no_password
else
	pass pg/probe/no_password
fi

# pgbench: every transaction's Execute of the accounts UPDATE, with its
# statement: unnamed (extended: Parse each time) or named (prepared: Parse
# once per connection, then Bind/Execute only).
upd='"execute_query":"UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2;","message_type":"E"'
n_ext=$(grep -F "$upd" "$o" | grep -c '"stmt_name":"",.*"rows":1,"command_tag":"UPDATE 1","status":"ok"')
n_prep=$(grep -F "$upd" "$o" | grep -v '"stmt_name":""' | grep -c '"rows":1,"command_tag":"UPDATE 1","status":"ok"')
[ "$n_ext" -eq $((2 * TX)) ] && pass pg/probe/pgbench_extended_executes ||
    fail pg/probe/pgbench_extended_executes "$n_ext E records, want $((2 * TX))"
[ "$n_prep" -eq $((2 * TX)) ] && pass pg/probe/pgbench_prepared_executes ||
    fail pg/probe/pgbench_prepared_executes "$n_prep E records, want $((2 * TX))"
n_parse=$(grep -c '"stmt_name":"P[^"]*","parse_query":"UPDATE pgbench_accounts' "$o")
[ "$n_parse" -eq 2 ] && pass pg/probe/pgbench_prepared_parse_once ||
    fail pg/probe/pgbench_prepared_parse_once "$n_parse named Parse records, want 2"
n_empty=$(grep '"message_type":"E"' "$o" | grep -c '"execute_query":""')
[ "$n_empty" -eq 0 ] && pass pg/probe/executes_know_statement ||
    fail pg/probe/executes_know_statement "$n_empty E records without text"
exit 0
