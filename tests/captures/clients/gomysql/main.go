// go-sql-driver/mysql (database/sql) workload for the mysql dumper's
// captures (tests/captures/README.mysql).
// Build: GO111MODULE=off GOPATH=/usr/share/gocode go build -o gomyload .
// Run: ./gomyload PORT [phase...]
// Phases: types interp multi tx cancel big; none given: types interp
// multi tx cancel (big sends over 16 MB each way and needs
// max_allowed_packet above that).
package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
)

var port string

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "fatal:", err)
		os.Exit(1)
	}
}

func note(format string, a ...interface{}) {
	fmt.Printf(format+"\n", a...)
}

func open(opts string) *sql.DB {
	db, err := sql.Open("mysql", "app:app-secret@tcp(127.0.0.1:"+port+
		")/appdb?parseTime=true&loc=UTC"+opts)
	must(err)
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	return db
}

func types() {
	db := open("")
	defer db.Close()
	_, err := db.Exec(`DROP TABLE IF EXISTS gm_types`)
	must(err)
	_, err = db.Exec(`CREATE TABLE gm_types (id INT PRIMARY KEY,
		t TINYINT, tu TINYINT UNSIGNED, s SMALLINT, su SMALLINT UNSIGNED,
		m MEDIUMINT, i INT, iu INT UNSIGNED, b BIGINT, bu BIGINT UNSIGNED,
		f FLOAT, d DOUBLE, dec1 DECIMAL(20,6), dt DATE, dtm DATETIME(6),
		ts TIMESTAMP(3) NULL, tm TIME(6), bl BLOB, vc VARCHAR(100),
		n INT NULL)`)
	must(err)
	ins, err := db.Prepare(`INSERT INTO gm_types VALUES
		(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`)
	must(err)
	blob := []byte{0, 1, 2, 0xfe, 0xff, '\'', '\\', 'x'}
	t1 := time.Date(2024, 2, 29, 13, 14, 15, 123456000, time.UTC)
	_, err = ins.Exec(1, int8(-128), uint8(255), int16(-32768),
		uint16(65535), int32(-8388608), int32(-2147483648),
		uint32(4294967295), int64(-9223372036854775808),
		uint64(18446744073709551615), float32(1.5), 2.25e-300,
		"12345678901234.123456", "2024-02-29", t1, t1,
		"-838:59:58.999999", blob, "grüße 日本 🎉", nil)
	must(err)
	_, err = ins.Exec(2, 127, 0, 32767, 0, 8388607, 2147483647, 0,
		int64(9223372036854775807), uint64(1<<63), float32(-0.1),
		3.141592653589793, "-0.000001", time.Date(1, 1, 1, 0, 0, 0, 0,
			time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 999999000,
			time.UTC), nil, "00:00:00.5", []byte{}, "", 42)
	must(err)
	_, err = ins.Exec(2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
		"2020-01-01", t1, t1, "1:2:3", nil, "dup", nil)
	note("dup: %v", err)
	_, err = ins.Exec(3, true, false, nil, nil, nil, nil, nil, nil, nil,
		nil, nil, nil, nil, nil, nil, nil, nil, "bools", nil)
	must(err)
	must(ins.Close())
	sel, err := db.Prepare(`SELECT * FROM gm_types WHERE id >= ? ORDER BY id`)
	must(err)
	for _, from := range []int{1, 3} {
		rows, err := sel.Query(from)
		must(err)
		n := 0
		for rows.Next() {
			n++
		}
		must(rows.Err())
		rows.Close()
		note("select from %d: %d rows", from, n)
	}
	must(sel.Close())
	var x string
	err = db.QueryRow(`SELECT ?`, "text protocol? no: prepared").Scan(&x)
	must(err)
	_, err = db.Exec(`SELECT * FROM nosuch WHERE a = ?`, 1)
	note("prepare error: %v", err)
	must(db.Ping())
}

func interp() {
	db := open("&interpolateParams=true")
	defer db.Close()
	t1 := time.Date(2024, 2, 29, 13, 14, 15, 120000000, time.UTC)
	_, err := db.Exec(`INSERT INTO gm_types (id, b, bu, d, dtm, bl, vc, n)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, 10, int64(-5),
		uint64(18446744073709551615), 0.5, t1,
		[]byte("a'b\\c\x00d"), "it's \"ü\"\n", nil)
	must(err)
	var n int
	must(db.QueryRow(`SELECT COUNT(*) FROM gm_types WHERE id > ?`, 0).Scan(&n))
	note("interp count %d", n)
	_, err = db.Exec(`INSERT INTO gm_types (id) VALUES (?)`, 10)
	note("interp dup: %v", err)
}

func multi() {
	db := open("&multiStatements=true")
	defer db.Close()
	rows, err := db.Query(`SELECT 1; SELECT 2, 'two'; UPDATE gm_types SET n = n + 1 WHERE id = 2`)
	must(err)
	for {
		for rows.Next() {
		}
		if !rows.NextResultSet() {
			break
		}
	}
	rows.Close()
	_, err = db.Exec(`INSERT INTO gm_types (id) VALUES (20); INSERT INTO gm_types (id) VALUES (20)`)
	note("multi dup: %v", err)
	// a prepared statement on a multiStatements connection
	var s string
	must(db.QueryRow(`SELECT CONCAT(?, ?)`, "a", 1).Scan(&s))
}

func tx() {
	db := open("")
	defer db.Close()
	ctx := context.Background()
	t, err := db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelSerializable})
	must(err)
	_, err = t.Exec(`INSERT INTO gm_types (id, vc) VALUES (?, ?)`, 30, "rolled back")
	must(err)
	_, err = t.Exec(`UPDATE gm_types SET vc = 'x' WHERE id = 1`)
	must(err)
	must(t.Rollback())
	t, err = db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	must(err)
	var n int
	must(t.QueryRow(`SELECT COUNT(*) FROM gm_types`).Scan(&n))
	must(t.Commit())
	note("tx count %d", n)
}

func cancel() {
	db := open("")
	defer db.Close()
	// the driver closes its connection when the context ends (no KILL
	// QUERY of its own): the server keeps sleeping until it notices
	ctx, cf := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cf()
	_, err := db.ExecContext(ctx, `SELECT SLEEP(3)`)
	note("cancel: %v", err)
	// what a pool does by hand: KILL QUERY from a second connection
	c1, err := db.Conn(context.Background())
	must(err)
	var id int
	must(c1.QueryRowContext(context.Background(), `SELECT CONNECTION_ID()`).Scan(&id))
	db2 := open("")
	defer db2.Close()
	go func() {
		time.Sleep(300 * time.Millisecond)
		_, err := db2.Exec(fmt.Sprintf("KILL QUERY %d", id))
		note("kill: %v", err)
	}()
	var r int
	err = c1.QueryRowContext(context.Background(), `SELECT SLEEP(3)`).Scan(&r)
	note("killed: %v %d", err, r)
	_, err = c1.ExecContext(context.Background(), `SELECT 'after kill'`)
	note("after kill: %v", err)
	c1.Close()
}

func big() {
	db := open("&maxAllowedPacket=0")
	defer db.Close()
	_, err := db.Exec(`DROP TABLE IF EXISTS gm_big`)
	must(err)
	_, err = db.Exec(`CREATE TABLE gm_big (id INT PRIMARY KEY, b LONGBLOB)`)
	must(err)
	// a text query over 16 MB: the client splits it at 0xffffff
	q := "INSERT INTO gm_big VALUES (1, '" + strings.Repeat("q", 17<<20) + "')"
	_, err = db.Exec(q)
	must(err)
	// a prepared blob value over 16 MB: one COM_STMT_EXECUTE over it
	// (go-sql-driver sends long data only past max_allowed_packet)
	blob := make([]byte, 16<<20+100)
	for i := range blob {
		blob[i] = byte(i)
	}
	_, err = db.Exec(`INSERT INTO gm_big VALUES (?, ?)`, 2, blob)
	must(err)
	// and both back: rows over 16 MB from the server, text then binary
	var got []byte
	must(db.QueryRow(`SELECT b FROM gm_big WHERE id = 1`).Scan(&got))
	note("big text row %d", len(got))
	must(db.QueryRow(`SELECT b FROM gm_big WHERE id = ?`, 2).Scan(&got))
	note("big binary row %d", len(got))
	var s string
	must(db.QueryRow(`SELECT 'after big'`).Scan(&s))
}

func main() {
	_ = mysql.ErrInvalidConn
	port = os.Args[1]
	phases := os.Args[2:]
	if len(phases) == 0 {
		phases = []string{"types", "interp", "multi", "tx", "cancel"}
	}
	for _, p := range phases {
		switch p {
		case "types":
			types()
		case "interp":
			interp()
		case "multi":
			multi()
		case "tx":
			tx()
		case "cancel":
			cancel()
		case "big":
			big()
		default:
			must(fmt.Errorf("unknown phase %s", p))
		}
	}
}
