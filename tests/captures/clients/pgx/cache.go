package main

import (
	"github.com/jackc/pgconn"
	"github.com/jackc/pgconn/stmtcache"
)

type stmtcacheCache = stmtcache.Cache

func newDescribe(conn *pgconn.PgConn) stmtcache.Cache {
	return stmtcache.New(conn, stmtcache.ModeDescribe, 16)
}

func newPrepare(conn *pgconn.PgConn, n int) stmtcache.Cache {
	return stmtcache.New(conn, stmtcache.ModePrepare, n)
}
