#!/bin/bash
# psql workload for pg_psql_auth_lo_notify_cancel.pcap (tests/captures/README.pg):
# SCRAM, md5 and trust logins (and a failed md5 and SCRAM one), large
# objects through \lo_import / \lo_export (fastpath FunctionCalls), LISTEN
# with NOTIFYs from other sessions arriving between queries, a query
# cancelled by SIGINT (libpq's CancelRequest) and one by
# pg_cancel_backend(). Run: psqlmisc.sh PORT (roles app, md5user, trustuser
# as README.pg says).
PORT=${1:?port}
head -c 12000 /dev/urandom >/tmp/psqlmisc-lo.bin
export PGHOST=127.0.0.1 PGPORT=$PORT PGDATABASE=appdb
# auth: scram (app), md5, trust
PGPASSWORD=app-secret psql -X -U app -c "select current_user, 'scram'"
PGPASSWORD=md5-secret psql -X -U md5user -c "select current_user, 'md5'"
PGPASSWORD=wrong psql -X -U md5user -c "select 1" 
PGPASSWORD=wrong psql -X -U app -c "select 1"
psql -X -U trustuser -c "select current_user, 'trust'"
# large objects (fastpath FunctionCall)
PGPASSWORD=app-secret psql -X -U app <<SQL
\lo_import /tmp/psqlmisc-lo.bin
\lo_export :LASTOID /tmp/psqlmisc-lo.out
\lo_list
\lo_unlink :LASTOID
SQL
# LISTEN with notifications arriving between queries
(PGPASSWORD=app-secret psql -X -U app <<SQL
LISTEN chan_b;
SELECT pg_sleep(0.5);
SELECT 'after first';
SELECT pg_sleep(0.5);
SELECT 'after second';
SQL
) &
sleep 0.2
PGPASSWORD=app-secret psql -X -U app -c "NOTIFY chan_b, 'payload one'" -c "SELECT pg_notify('chan_b', repeat('p', 300))"
sleep 0.6
PGPASSWORD=app-secret psql -X -U app -c "NOTIFY chan_b, 'payload three'"
wait
# cancel: SIGINT to psql during pg_sleep (libpq CancelRequest)
PGPASSWORD=app-secret psql -X -U app -c "select pg_sleep(5)" & p=$!
sleep 1; kill -INT $p; wait $p
# pg_cancel_backend from another session
(PGPASSWORD=app-secret psql -X -U app -c "set application_name='victim'" -c "select pg_sleep(5)" -c "select 'still here'") & p=$!
sleep 1
PGPASSWORD=app-secret psql -X -U app -c "select pg_cancel_backend(pid) from pg_stat_activity where application_name='victim'"
wait $p
