// lib/pq workload for the pg dumper's captures (tests/captures/README.pg).
// Build: GO111MODULE=off GOPATH=/usr/share/gocode go build -o pqload .
// Run: ./pqload PORT [phase...]
// Phases: ssl query multi prepare copy txerr binary cancel listen; none
// given: all of them, in that order.
package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"time"

	"github.com/lib/pq"
)

var port string

func dsn(extra string) string {
	return fmt.Sprintf("host=127.0.0.1 port=%s user=app password=app-secret dbname=appdb %s", port, extra)
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "fatal:", err)
		os.Exit(1)
	}
}

func note(format string, a ...interface{}) {
	fmt.Printf(format+"\n", a...)
}

func open(extra string) *sql.DB {
	db, err := sql.Open("postgres", dsn("sslmode=disable "+extra))
	must(err)
	db.SetMaxOpenConns(1)
	return db
}

func phaseSSL() {
	// lib/pq's default sslmode is require: SSLRequest, 'N', and it gives up
	db, err := sql.Open("postgres", dsn(""))
	must(err)
	err = db.Ping()
	note("ssl require: %v", err)
	db.Close()
	db, err = sql.Open("postgres", dsn("sslmode=verify-full"))
	must(err)
	err = db.Ping()
	note("ssl verify-full: %v", err)
	db.Close()
}

func phaseQuery() {
	db := open("")
	defer db.Close()
	// no args: simple Query
	_, err := db.Exec(`DROP TABLE IF EXISTS pq_items, pq_copy`)
	must(err)
	_, err = db.Exec(`CREATE TABLE pq_items (id int PRIMARY KEY, name text, price numeric(10,2), at timestamptz, tags text[], raw bytea)`)
	must(err)
	_, err = db.Exec(`CREATE TABLE pq_copy (id int, name text, note text, at timestamp)`)
	must(err)
	// args: the unnamed statement, Parse/Describe/Sync then Bind/Execute/Sync
	for i := 1; i <= 3; i++ {
		_, err = db.Exec("INSERT INTO pq_items (id, name, price, at, tags, raw) VALUES ($1, $2, $3, $4, $5, $6)",
			i, fmt.Sprintf("item %d 'q'", i), float64(i)*1.5, time.Date(2024, 1, i, 10, 0, 0, 0, time.UTC),
			pq.Array([]string{"t1", fmt.Sprintf("t %d", i)}), []byte{byte(i), 0, 0xff})
		must(err)
	}
	rows, err := db.Query("SELECT id, name, price, at, raw FROM pq_items WHERE id >= $1 AND name LIKE $2 ORDER BY id", 1, "item%")
	must(err)
	n := 0
	for rows.Next() {
		n++
	}
	must(rows.Err())
	rows.Close()
	var s string
	must(db.QueryRow("SELECT $1::text || $2::text || $3::int::text", "a\tb", "ü\n", -4).Scan(&s))
	var nul sql.NullString
	must(db.QueryRow("SELECT $1::text", nil).Scan(&nul))
	// a parse error and an execution error
	_, err = db.Exec("INSERT INTO nosuch VALUES ($1)", 1)
	note("no table: %v", err)
	_, err = db.Exec("INSERT INTO pq_items (id) VALUES ($1)", 1)
	note("dup: %v", err)
	note("query: %d rows, %q", n, s)
}

func phaseMulti() {
	db := open("")
	defer db.Close()
	// several statements in one Exec: simple Query
	_, err := db.Exec(`UPDATE pq_items SET price = price + 1 WHERE id = 1; UPDATE pq_items SET price = price + 2 WHERE id = 2; SELECT 1`)
	must(err)
	_, err = db.Exec(`UPDATE pq_items SET price = 0 WHERE id = 3; SELECT * FROM nosuch; UPDATE pq_items SET price = 99`)
	note("multi err: %v", err)
	rows, err := db.Query(`SELECT 1 AS a; SELECT 2 AS b, 3 AS c`)
	must(err)
	for rows.Next() {
	}
	for rows.NextResultSet() {
		for rows.Next() {
		}
	}
	rows.Close()
	_, err = db.Exec(`;`)
	note("empty: %v", err)
}

func phasePrepare() {
	db := open("")
	defer db.Close()
	// db.Prepare: a named statement ("1", "2", ...) kept by the driver
	st, err := db.Prepare("SELECT name FROM pq_items WHERE id = $1")
	must(err)
	for i := 1; i <= 4; i++ {
		var s string
		err = st.QueryRow(i).Scan(&s)
		note("prepared %d: %v", i, err)
	}
	st.Close()
	st, err = db.Prepare("UPDATE pq_items SET name = $2 WHERE id = $1")
	must(err)
	_, err = st.Exec(2, "renamed")
	must(err)
	st.Close()
}

func phaseCopy() {
	db := open("")
	defer db.Close()
	txn, err := db.Begin()
	must(err)
	st, err := txn.Prepare(pq.CopyIn("pq_copy", "id", "name", "note", "at"))
	must(err)
	for i := 0; i < 40; i++ {
		var note interface{}
		if i%5 != 0 {
			note = fmt.Sprintf("tab\there\\ %d\nnl", i)
		}
		_, err = st.Exec(i, fmt.Sprintf("c%d", i), note, time.Date(2020, 3, 4, 5, 6, i, 0, time.UTC))
		must(err)
	}
	_, err = st.Exec()
	must(err)
	must(st.Close())
	must(txn.Commit())
	// a copy that fails: a value that is not an int
	txn, err = db.Begin()
	must(err)
	st, err = txn.Prepare(pq.CopyIn("pq_copy", "id", "name"))
	must(err)
	st.Exec("notanint", "x")
	_, err = st.Exec()
	note("copy bad: %v", err)
	st.Close()
	txn.Rollback()
	var n int
	must(db.QueryRow("SELECT count(*) FROM pq_copy").Scan(&n))
	note("copied: %d", n)
}

func phaseTxErr() {
	db := open("")
	defer db.Close()
	tx, err := db.Begin()
	must(err)
	_, err = tx.Exec("INSERT INTO pq_items (id, name) VALUES ($1, $2)", 10, "tx")
	must(err)
	_, err = tx.Exec("INSERT INTO pq_items (id, name) VALUES ($1, $2)", 10, "tx dup")
	note("tx dup: %v", err)
	_, err = tx.Exec("SELECT 1")
	note("tx after: %v", err)
	var x int
	err = tx.QueryRow("SELECT $1::int", 5).Scan(&x)
	note("tx after args: %v", err)
	tx.Rollback()
	tx, err = db.BeginTx(context.Background(), &sql.TxOptions{Isolation: sql.LevelSerializable, ReadOnly: true})
	must(err)
	err = tx.QueryRow("SELECT count(*) FROM pq_items WHERE id < $1", 100).Scan(&x)
	must(err)
	must(tx.Commit())
}

func phaseBinary() {
	// binary_parameters=yes: Parse/Bind/Execute in one round trip, []byte
	// values sent in binary
	db := open("binary_parameters=yes")
	defer db.Close()
	for i := 0; i < 3; i++ {
		var b []byte
		must(db.QueryRow("SELECT $1::bytea || $2::bytea", []byte{0xde, 0xad}, []byte{byte(i)}).Scan(&b))
	}
	_, err := db.Exec("UPDATE pq_items SET raw = $1 WHERE id = $2", []byte("\x00\x01bin"), 1)
	must(err)
	var n int
	must(db.QueryRow("SELECT count(*) FROM pq_items WHERE id > $1", 0).Scan(&n))
}

func phaseCancel() {
	db := open("")
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	_, err := db.ExecContext(ctx, "SELECT pg_sleep($1)", 5)
	cancel()
	note("cancel: %v", err)
	var x int
	must(db.QueryRow("SELECT 7").Scan(&x))
}

func phaseListen() {
	l := pq.NewListener(dsn("sslmode=disable"), time.Second, time.Minute, nil)
	must(l.Listen("pq_chan"))
	db := open("")
	defer db.Close()
	for i := 0; i < 3; i++ {
		_, err := db.Exec("SELECT pg_notify('pq_chan', $1)", fmt.Sprintf("m%d", i))
		must(err)
	}
	for i := 0; i < 3; i++ {
		select {
		case n := <-l.Notify:
			note("notify %s", n.Extra)
		case <-time.After(time.Second):
			note("no notify")
		}
	}
	must(l.Ping())
	l.Close()
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: pqload PORT [phase...]")
		os.Exit(2)
	}
	port = os.Args[1]
	phases := map[string]func(){
		"ssl": phaseSSL, "query": phaseQuery, "multi": phaseMulti, "prepare": phasePrepare,
		"copy": phaseCopy, "txerr": phaseTxErr, "binary": phaseBinary, "cancel": phaseCancel,
		"listen": phaseListen,
	}
	order := []string{"ssl", "query", "multi", "prepare", "copy", "txerr", "binary", "cancel", "listen"}
	if len(os.Args) > 2 {
		order = os.Args[2:]
	}
	for _, ph := range order {
		f, ok := phases[ph]
		if !ok {
			must(fmt.Errorf("no phase %s", ph))
		}
		note("== %s", ph)
		f()
	}
}
