#!/bin/bash
# probe-drops.sh - the live probe when the kernel drops packets, as it does
# on a busy server: `probe -B 256KB` beside pgbench -M extended (8 clients)
# and sysbench oltp_read_write with prepared statements (8 threads), each
# 6 s against a server started here. Drops are likely, not certain; with
# or without them, no response may go to another request: every pgbench
# Execute's command tag names its statement's command (SELECT, UPDATE,
# INSERT, BEGIN, END -> COMMIT), and every sysbench execute answered by an
# OK is a write, every one answered by rows a read. Before ACKs were
# handled ahead of payloads, half the pgbench records broke this under
# ~10% drops. Needs root and the packages of install-deps.sh --test.
set -u
# tests/run.sh and make start us with sh: bash features need bash.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
BIN=${TCPDP_BIN:?}
MY_PORT=23361
PG_PORT=25461
. "$(dirname "$0")/lib.sh"
t_setup probe-drops

if [ "$(id -u)" -ne 0 ]; then
	fail probe-drops/setup "needs root to capture"
	exit 0
fi
for c in mariadbd sysbench "$PG_BIN/pgbench"; do
	command -v "$c" >/dev/null 2>&1 || { fail probe-drops/setup "$c missing"; exit 0; }
done

# probe_run NAME PORT DUMPER LOAD...: the records of LOAD under a probe with
# a small kernel buffer, in $T/NAME.json; its drop count in $T/NAME.drops.
probe_run() {
	local name=$1 port=$2 dec=$3 p; shift 3
	"$BIN" probe --batch --stdout -i lo -t "$port" -d "$dec" -B 256KB \
	    >"$T/$name.json" 2>"$T/$name.err" </dev/null &
	p=$!; PIDS="$PIDS $p"
	sleep 1.5
	"$@" >"$T/$name.load" 2>&1 || { tail -5 "$T/$name.load"; fail "probe-drops/$name" "load failed"; }
	sleep 1
	kill -TERM "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	sed -nE 's/.*pcap Stats.*"packet_dropped": ([0-9]+).*/\1/p' "$T/$name.json" "$T/$name.err" |
	    tail -n 1 >"$T/$name.drops"
}

# verdict NAME "CHECKED WRONG": passes when over 500 records were checked
# and none was wrong.
verdict() {
	local n w
	read -r n w <<<"$2"
	if [ "${n:-0}" -gt 500 ] && [ "${w:-1}" -eq 0 ]; then
		pass "probe-drops/$1 ($n executes checked, $(cat "$T/$1.drops") packets dropped)"
	else
		fail "probe-drops/$1" "${w:-?} of ${n:-?} executes with another request's answer; $(cat "$T/$1.drops") dropped"
	fi
}

# pg: pgbench's statements and the tags that answer them
if srv_pg_start $PG_PORT >"$T/pg.log" 2>&1; then
	export PGPASSWORD=app-secret
	"$PG_BIN/pgbench" -h 127.0.0.1 -p $PG_PORT -U app -i -s 2 appdb >"$T/pgi.log" 2>&1
	probe_run pg $PG_PORT pg timeout 60 "$PG_BIN/pgbench" -h 127.0.0.1 \
	    -p $PG_PORT -U app -M extended -c 8 -T 6 appdb
	res=$(python3 - "$T/pg.json" <<'PY'
import json, sys
tag = {"SELECT": "SELECT", "UPDATE": "UPDATE", "INSERT": "INSERT",
       "BEGIN": "BEGIN", "END": "COMMIT"}
n = bad = 0
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    if not line.startswith("{"):
        continue
    r = json.loads(line)
    q, t = r.get("execute_query"), r.get("command_tag")
    if r.get("message_type") != "E" or not q or not t:
        continue
    want = tag.get(q.split()[0].rstrip(";").upper())
    if want is None:
        continue
    n += 1
    if t.split()[0] != want:
        bad += 1
print(n, bad)
PY
)
	verdict pg "$res"
else
	cat "$T/pg.log"
	fail probe-drops/pg "postgresql did not start"
fi

# mysql: sysbench's reads get rows, its writes an OK
if srv_mariadb_start $MY_PORT >"$T/my.log" 2>&1; then
	SB="sysbench oltp_read_write --db-driver=mysql --mysql-host=127.0.0.1 \
--mysql-port=$MY_PORT --mysql-user=app --mysql-password=app-secret \
--mysql-db=appdb --mysql-ssl=off --tables=1 --table-size=1000"
	timeout 60 $SB prepare >"$T/sbp.log" 2>&1
	probe_run mysql $MY_PORT mysql timeout 60 $SB --threads=8 --time=6 \
	    --db-ps-mode=auto run
	res=$(python3 - "$T/mysql.json" <<'PY'
import json, sys
n = bad = 0
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    if not line.startswith("{"):
        continue
    r = json.loads(line)
    q = r.get("stmt_query")
    if r.get("command_id") != 23 or not q or r.get("status") != "ok":
        continue
    n += 1
    read = q.split()[0].upper() == "SELECT"
    if read != ("rows" in r) or read == ("affected_rows" in r):
        bad += 1
print(n, bad)
PY
)
	verdict mysql "$res"
else
	cat "$T/my.log"
	fail probe-drops/mysql "mariadb did not start"
fi
