#!/bin/bash
# proxy-servers.sh - the proxy in front of real MariaDB and PostgreSQL
# servers (issue 6): the mariadb client, psql, sysbench and pgbench run
# through it; what they send appears in the dump with the proxy keys.
# Ports (below Linux's ephemeral range, 32768-60999, so no outgoing
# connection can hold one): MariaDB 23351 (proxies 18640, 18641),
# PostgreSQL 25451 (proxies 18642, 18643).
# run.sh starts every part with sh: come back to bash.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
BIN=${TCPDP_BIN:?}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
t_setup proxy-servers

start_proxy() {	# DIR ARGS...
	d=$T/$1; shift
	mkdir -p "$d"
	(cd "$d" && exec "$BIN" proxy "$@" >stdout 2>stderr) &
	PIDS="$PIDS $!"
}
keys_re='"conn_id":"[0-9a-v]\{20\}","client_addr":"127.0.0.1:[0-9]*","proxy_listen_addr":"127.0.0.1:[0-9]*","proxy_client_addr":"127.0.0.1:[0-9]*","remote_addr":"127.0.0.1:[0-9]*",'
# no_errors DIR...: the proxies logged no relay or dump error
no_errors() {
	for d in "$@"; do
		if grep -q 'Read error\|Write error\|Dump error' "$T/$d/stdout" "$T/$d/stderr"; then
			fail proxy-servers/$d-no-errors "$(grep error "$T/$d/stdout" "$T/$d/stderr" | head -3)"
		else
			pass proxy-servers/$d-no-errors
		fi
	done
}
# decoded DIR PATTERN: the dumper produced records (it is implemented)
decoded() { grep -q "$2" "$T/$1/dump.log" 2>/dev/null; }

# ---------------------------------------------------------------- MariaDB
if command -v mariadbd >/dev/null && srv_mariadb_start 23351 >"$T/my.log" 2>&1; then
	start_proxy myhex -l 127.0.0.1:18640 -r 127.0.0.1:23351 -d hex
	start_proxy mydec -l 127.0.0.1:18641 -r 127.0.0.1:23351 -d mysql
	wait_port 18640 10; wait_port 18641 10
	MY="mariadb --no-defaults -h127.0.0.1 -uapp -papp-secret --skip-ssl appdb"
	got=$($MY -P18640 -N -e "SELECT 'tcpdp_marker_1'" 2>&1)
	sleep 0.3
	if [ "$got" = tcpdp_marker_1 ] &&
	   grep -q "\"ascii\":\"[^\"]*SELECT 'tcpdp_marker_1'\",$keys_re\"conn_seq_num\":[0-9]*,\"direction\":\"->\"" "$T/myhex/dump.log"; then
		pass proxy-servers/mariadb-client-hex
	else
		fail proxy-servers/mariadb-client-hex "got=$got $(tail -n 3 "$T/myhex/dump.log" 2>&1)"
	fi
	got=$($MY -P18641 -N -e "SELECT 'tcpdp_marker_2'" 2>&1)
	sleep 0.3
	if [ "$got" != tcpdp_marker_2 ]; then
		fail proxy-servers/mariadb-client-mysql "got=$got"
	elif decoded mydec '"query"'; then
		if grep -q "^{\"query\":\"SELECT 'tcpdp_marker_2'\",\"seq_num\":0,\"command_id\":3,$keys_re\"character_set\":\"[^\"]*\",\"username\":\"app\",\"database\":\"appdb\",\"conn_seq_num\":[0-9]*,\"direction\":\"->\",\"ts\":" "$T/mydec/dump.log"; then
			pass proxy-servers/mariadb-client-mysql
		else
			fail proxy-servers/mariadb-client-mysql "$(grep marker_2 "$T/mydec/dump.log")"
		fi
	else
		echo "SKIP: proxy-servers/mariadb-client-mysql (mysql decoder not built in)"
	fi

	SB="sysbench --db-driver=mysql --mysql-host=127.0.0.1 --mysql-port=18641 --mysql-user=app --mysql-password=app-secret --mysql-db=appdb --mysql-ssl=off --tables=1 --table-size=1000"
	if timeout 60 $SB oltp_point_select prepare >"$T/sb-prep.log" 2>&1 &&
	   timeout 60 $SB --threads=4 --time=3 oltp_point_select run >"$T/sb-run.log" 2>&1 &&
	   grep -q 'queries:' "$T/sb-run.log" && ! grep -qi 'FATAL' "$T/sb-run.log"; then
		pass proxy-servers/sysbench-point-select
	else
		fail proxy-servers/sysbench-point-select "$(tail -n 5 "$T/sb-prep.log" "$T/sb-run.log")"
	fi
	grep 'transactions:' "$T/sb-run.log"
	if decoded mydec '"query"'; then
		# prepared statements: the point select is executed with values
		if grep -q '"stmt_execute_values":\[[0-9]*\],.*"proxy_listen_addr":"127.0.0.1:18641"' "$T/mydec/dump.log"; then
			pass proxy-servers/sysbench-in-dump
		else
			fail proxy-servers/sysbench-in-dump "$(grep -c . "$T/mydec/dump.log") records"
		fi
	fi
	no_errors myhex mydec
else
	fail proxy-servers/mariadb-start "$(tail -n 5 "$T/my.log")"
fi

# ------------------------------------------------------------- PostgreSQL
if [ -n "$PG_BIN" ] && srv_pg_start 25451 >"$T/pg.log" 2>&1; then
	start_proxy pghex -l 127.0.0.1:18642 -r 127.0.0.1:25451 -d hex
	start_proxy pgdec -l 127.0.0.1:18643 -r 127.0.0.1:25451 -d pg
	wait_port 18642 10; wait_port 18643 10
	export PGPASSWORD=app-secret PGSSLMODE=disable
	got=$(psql -X -A -t -h 127.0.0.1 -p 18642 -U app -d appdb -c "SELECT 'tcpdp_marker_3'" 2>&1)
	sleep 0.3
	if [ "$got" = tcpdp_marker_3 ] &&
	   grep -q "\"ascii\":\"Q[^\"]*SELECT 'tcpdp_marker_3'[^\"]*\",$keys_re\"conn_seq_num\":[0-9]*,\"direction\":\"->\"" "$T/pghex/dump.log"; then
		pass proxy-servers/psql-hex
	else
		fail proxy-servers/psql-hex "got=$got $(tail -n 3 "$T/pghex/dump.log" 2>&1)"
	fi
	got=$(psql -X -A -t -h 127.0.0.1 -p 18643 -U app -d appdb -c "SELECT 'tcpdp_marker_4'" 2>&1)
	sleep 0.3
	if [ "$got" != tcpdp_marker_4 ]; then
		fail proxy-servers/psql-pg "got=$got"
	elif decoded pgdec '"query"'; then
		if grep -q "^{\"query\":\"SELECT 'tcpdp_marker_4'\",\"message_type\":\"Q\",$keys_re\"username\":\"app\",\"database\":\"appdb\",\"conn_seq_num\":[0-9]*,\"direction\":\"->\",\"ts\":" "$T/pgdec/dump.log"; then
			pass proxy-servers/psql-pg
		else
			fail proxy-servers/psql-pg "$(grep marker_4 "$T/pgdec/dump.log")"
		fi
	else
		echo "SKIP: proxy-servers/psql-pg (pg decoder not built in)"
	fi
	if timeout 60 pgbench -i -s 1 -h 127.0.0.1 -p 18643 -U app appdb >"$T/pgb-init.log" 2>&1 &&
	   timeout 60 pgbench -n -c 4 -j 2 -T 3 -h 127.0.0.1 -p 18643 -U app appdb >"$T/pgb.log" 2>&1 &&
	   timeout 60 pgbench -n -S -M prepared -c 4 -j 2 -T 3 -h 127.0.0.1 -p 18643 -U app appdb >"$T/pgb-s.log" 2>&1 &&
	   grep -q 'number of failed transactions: 0' "$T/pgb.log"; then
		pass proxy-servers/pgbench
	else
		fail proxy-servers/pgbench "$(tail -n 5 "$T/pgb-init.log" "$T/pgb.log" "$T/pgb-s.log")"
	fi
	grep -h '^tps' "$T/pgb.log" "$T/pgb-s.log"
	if decoded pgdec '"query"'; then
		if grep -q '"query":"UPDATE pgbench_accounts SET abalance = abalance + [-0-9]* WHERE aid = [0-9]*;".*"proxy_listen_addr":"127.0.0.1:18643"' "$T/pgdec/dump.log" &&
		   grep -q '"bind_values":\["[0-9]*"\].*"proxy_listen_addr":"127.0.0.1:18643"' "$T/pgdec/dump.log"; then
			pass proxy-servers/pgbench-in-dump
		else
			fail proxy-servers/pgbench-in-dump "$(grep -c . "$T/pgdec/dump.log") records"
		fi
	fi
	no_errors pghex pgdec
else
	fail proxy-servers/pg-start "$(tail -n 5 "$T/pg.log")"
fi
exit 0
