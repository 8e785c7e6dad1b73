#!/bin/bash
# mysql-probe.sh - the mysql decoder live: a MariaDB server on 127.0.0.1:23311
# started here, the `mariadb` client and sysbench with prepared statements
# (--db-ps-mode=auto), decoded by `probe -i lo -t 23311 -d mysql --stdout`;
# then the `mariadb` client through `proxy -l 127.0.0.1:18613 -d mysql`.
# Needs root (capture on lo) and the packages of install-deps.sh --test.
set -u
BIN=${TCPDP_BIN:?}
PORT=23311
. "$(dirname "$0")/lib.sh"
t_setup mysql-probe

if [ "$(id -u)" -ne 0 ]; then
	fail mysql-probe/setup "needs root to capture"
	exit 0
fi
for c in mariadbd mariadb sysbench; do
	command -v "$c" >/dev/null 2>&1 || { fail mysql-probe/setup "$c missing"; exit 0; }
done
srv_mariadb_start $PORT >"$T/srv.log" 2>&1 || { cat "$T/srv.log"; fail mysql-probe/setup "mariadb did not start"; exit 0; }

"$BIN" probe -i lo -t $PORT -d mysql --stdout >"$T/out.jsonl" 2>"$T/probe.err" </dev/null &
PROBE=$!; PIDS="$PIDS $PROBE"
sleep 2
if ! kill -0 "$PROBE" 2>/dev/null; then
	cat "$T/probe.err"
	fail mysql-probe/start "probe exited"
	exit 0
fi

my() { timeout 30 mariadb --no-defaults -h127.0.0.1 -P$PORT -uapp -papp-secret --skip-ssl appdb "$@"; }
my -e "CREATE TABLE t_probe (id INT PRIMARY KEY, v VARCHAR(40)) DEFAULT CHARSET=utf8mb4" >"$T/client.out" 2>&1
my -e "INSERT INTO t_probe VALUES (1, 'probe-one'), (2, '日本語テキスト')" >>"$T/client.out" 2>&1
my -e "SELECT v FROM t_probe ORDER BY id" >>"$T/client.out" 2>&1
my -e "SELECT nosuchcolumn FROM t_probe" >>"$T/client.out" 2>&1

SB="sysbench --db-driver=mysql --mysql-host=127.0.0.1 --mysql-port=$PORT \
--mysql-user=app --mysql-password=app-secret --mysql-db=appdb --tables=1 --table-size=200"
timeout 60 $SB oltp_point_select prepare >"$T/sb-prepare.out" 2>&1
timeout 60 $SB oltp_point_select run --time=3 --threads=2 --rate=500 --db-ps-mode=auto \
	>"$T/sb-run.out" 2>&1
sleep 2
kill -TERM "$PROBE" 2>/dev/null	# (background jobs of a script ignore SIGINT)
for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$PROBE" 2>/dev/null || break; sleep 0.5; done
kill -0 "$PROBE" 2>/dev/null && kill -KILL "$PROBE"
wait "$PROBE" 2>/dev/null
PROBE=""

out=$T/out.jsonl
has() { grep -qF -- "$1" "$out"; }
check() {	# name fixed-string...
	name=$1; shift
	for s in "$@"; do
		if ! has "$s"; then
			fail "mysql-probe/$name" "missing $s"
			return
		fi
	done
	pass "mysql-probe/$name"
}
check client_queries \
	'"query":"CREATE TABLE t_probe (id INT PRIMARY KEY, v VARCHAR(40)) DEFAULT CHARSET=utf8mb4"' \
	'"query":"INSERT INTO t_probe VALUES (1, '"'"'probe-one'"'"'), (2, '"'"'日本語テキスト'"'"')"' \
	'"probe_target_addr":"23311"' '"username":"app"' '"database":"appdb"'
check client_responses '"affected_rows":2' \
	'"query":"SELECT v FROM t_probe ORDER BY id","seq_num":0,"command_id":3,'
if grep -F '"query":"SELECT v FROM t_probe ORDER BY id"' "$out" | grep -qF '"rows":2'; then
	pass mysql-probe/rows
else
	fail mysql-probe/rows
fi
if grep -F '"query":"SELECT nosuchcolumn FROM t_probe"' "$out" | grep -qF '"error_code":1054'; then
	pass mysql-probe/error
else
	fail mysql-probe/error
fi
check sysbench_prepare '"stmt_prepare_query":"SELECT c FROM sbtest1 WHERE id=?"'
# every execute sysbench reports is decoded, with its parameter
n_sb=$(sed -n 's/^ *read: *\([0-9]*\).*/\1/p' "$T/sb-run.out" | head -n 1)
n_ex=$(grep -c '"command_id":23,.*"stmt_query":"SELECT c FROM sbtest1 WHERE id=?"' "$out")
n_ok=$(grep '"command_id":23,' "$out" | grep -c '"stmt_execute_values":\[[0-9]*\]')
if [ -n "$n_sb" ] && [ "$n_sb" -gt 0 ] && [ "$n_ex" -ge "$n_sb" ] && [ "$n_ok" -ge "$n_sb" ]; then
	pass mysql-probe/sysbench_executes
else
	cat "$T/sb-run.out" | tail -n 30
	fail mysql-probe/sysbench_executes "sysbench read $n_sb, decoded $n_ex, with values $n_ok"
fi

# The same decoder behind the proxy: records carry direction and
# conn_seq_num, and the response keys.
PXPORT=18613
(cd "$T" && exec "$BIN" proxy --batch -l 127.0.0.1:$PXPORT -r 127.0.0.1:$PORT -d mysql \
    --stdout >"$T/proxy.jsonl" 2>"$T/proxy.err" </dev/null) &
PROXY=$!; PIDS="$PIDS $PROXY"
if ! wait_port $PXPORT 10; then
	cat "$T/proxy.err"
	fail mysql-probe/proxy "proxy did not listen"
	exit 0
fi
timeout 30 mariadb --no-defaults -h127.0.0.1 -P$PXPORT -uapp -papp-secret --skip-ssl appdb \
    -e "SELECT v FROM t_probe WHERE id = 2; USE mysql; SELECT 'after use'" >"$T/px-client.out" 2>&1
sleep 1
kill -TERM "$PROXY" 2>/dev/null
wait "$PROXY" 2>/dev/null
PROXY=""
px=$T/proxy.jsonl
if grep -F '"query":"SELECT v FROM t_probe WHERE id = 2"' "$px" | grep -F '"direction":"->"' |
    grep -F '"username":"app","database":"appdb"' | grep -qF '"rows":1' &&
    grep -F "\"query\":\"SELECT 'after use'\"" "$px" | grep -qF '"database":"mysql"'; then
	pass mysql-probe/proxy
else
	head -c 2000 "$px"; cat "$T/px-client.out"
	fail mysql-probe/proxy
fi
exit 0
