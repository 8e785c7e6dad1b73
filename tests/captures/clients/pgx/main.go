// pgx v4 workload for the pg dumper's captures (tests/captures/README.pg).
// Build: GO111MODULE=off GOPATH=/usr/share/gocode go build -o pgxload .
// Run: ./pgxload PORT [phase...]
// Phases: types batch copy notify cancel savepoint simple pool describe
// evict prepare lo big bigbatch; none given: all of them, in that order.
package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgconn"
	"github.com/jackc/pgtype"
	"github.com/jackc/pgx/v4"
	"github.com/jackc/pgx/v4/pgxpool"
)

var dsn string

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "fatal:", err)
		os.Exit(1)
	}
}

func note(format string, a ...interface{}) {
	fmt.Printf(format+"\n", a...)
}

func connect(ctx context.Context, mod func(*pgx.ConnConfig)) *pgx.Conn {
	cfg, err := pgx.ParseConfig(dsn)
	must(err)
	if mod != nil {
		mod(cfg)
	}
	c, err := pgx.ConnectConfig(ctx, cfg)
	must(err)
	return c
}

func setup(ctx context.Context) {
	c := connect(ctx, nil)
	defer c.Close(ctx)
	_, err := c.Exec(ctx, `DROP TABLE IF EXISTS gx_items, gx_copy;
CREATE TABLE gx_items (id int PRIMARY KEY, name text, price numeric(10,2), tags text[], created timestamptz);
CREATE TABLE gx_copy (id int, name text, score float8, born date, data bytea, flag bool)`)
	must(err)
}

func phaseTypes(ctx context.Context) {
	c := connect(ctx, nil)
	defer c.Close(ctx)
	var (
		i2   int16
		i4   int32
		i8   int64
		f4   float32
		f8   float64
		num  pgtype.Numeric
		b    bool
		t    string
		by   []byte
		u    pgtype.UUID
		ts   time.Time
		tstz time.Time
		d    time.Time
		js   string
		jsb  string
		ia   []int32
		ta   []string
		in   pgtype.Inet
		iv   pgtype.Interval
		tm   pgtype.Time
		vc   string
		nl   *int64
	)
	var numIn pgtype.Numeric
	must(numIn.Set("-12345.678"))
	uid := [16]byte{0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}
	_, ipn, _ := net.ParseCIDR("192.168.10.0/24")
	ivIn := pgtype.Interval{Months: 14, Days: 3, Microseconds: 4*3600e6 + 5*60e6 + 6e6, Status: pgtype.Present}
	tmIn := pgtype.Time{Microseconds: 13*3600e6 + 14*60e6 + 15e6 + 123456, Status: pgtype.Present}
	err := c.QueryRow(ctx, `SELECT $1::int2, $2::int4, $3::int8, $4::float4, $5::float8, $6::numeric, $7::bool,
 $8::text, $9::bytea, $10::uuid, $11::timestamp, $12::timestamptz, $13::date, $14::json, $15::jsonb,
 $16::int4[], $17::text[], $18::inet, $19::interval, $20::time, $21::varchar, $22::int8`,
		int16(-7), int32(2147483647), int64(-9000000000), float32(1.5), float64(-2.25e10), numIn, true,
		"héllo 'wörld'", []byte{0, 1, 2, 0xfe, 0xff}, uid,
		time.Date(2024, 2, 29, 23, 59, 58, 123456000, time.UTC),
		time.Date(1999, 12, 31, 23, 0, 0, 0, time.FixedZone("x", 5*3600)),
		time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC),
		`{"a": [1, 2]}`, map[string]interface{}{"k": "v", "n": 3},
		[]int32{1, -2, 3}, []string{"x", "y z", `q"uote`}, ipn, ivIn, tmIn, "varchar ✓", nil,
	).Scan(&i2, &i4, &i8, &f4, &f8, &num, &b, &t, &by, &u, &ts, &tstz, &d, &js, &jsb, &ia, &ta, &in, &iv, &tm, &vc, &nl)
	must(err)
	note("types ok: %d %d %d %v %v %s", i2, i4, i8, f4, f8, t)
	// QueryRow of the same text again: Bind/Execute only
	for k := 0; k < 3; k++ {
		var n int
		must(c.QueryRow(ctx, "SELECT count(*) + $1 FROM pg_class WHERE relkind = $2", k, "r").Scan(&n))
	}
	// Exec with and without params
	tag, err := c.Exec(ctx, "INSERT INTO gx_items (id, name, price, tags, created) VALUES ($1, $2, $3, $4, $5)",
		1, "first", 9.99, []string{"a", "b"}, time.Date(2023, 5, 6, 7, 8, 9, 0, time.UTC))
	must(err)
	note("exec: %s", tag)
	_, err = c.Exec(ctx, "UPDATE gx_items SET price = price * 2")
	must(err)
	// a query error: the cached statement is fine, the execution fails
	_, err = c.Exec(ctx, "INSERT INTO gx_items (id, name) VALUES ($1, $2)", 1, "dup")
	note("dup: %v", err)
	// a parse error: the Parse itself fails
	_, err = c.Exec(ctx, "SELEC 1 WHERE $1", true)
	note("syntax: %v", err)
	rows, err := c.Query(ctx, "SELECT g, g * $1::int FROM generate_series(1, $2::int) g", 3, 25)
	must(err)
	n := 0
	for rows.Next() {
		n++
	}
	rows.Close()
	note("rows: %d", n)
}

func phaseBatch(ctx context.Context) {
	c := connect(ctx, nil)
	defer c.Close(ctx)
	b := &pgx.Batch{}
	for i := 10; i < 15; i++ {
		b.Queue("INSERT INTO gx_items (id, name, price) VALUES ($1, $2, $3)", i, fmt.Sprintf("b%d", i), float64(i)+0.5)
	}
	b.Queue("SELECT id, name FROM gx_items WHERE id >= $1 ORDER BY id", 10)
	b.Queue("UPDATE gx_items SET name = name || '!' WHERE id = $1", 12)
	br := c.SendBatch(ctx, b)
	for i := 0; i < b.Len(); i++ {
		if i == 5 {
			rows, err := br.Query()
			must(err)
			k := 0
			for rows.Next() {
				k++
			}
			rows.Close()
			continue
		}
		_, err := br.Exec()
		must(err)
	}
	must(br.Close())
	// a batch with an error in the middle: later queries are skipped
	b = &pgx.Batch{}
	b.Queue("INSERT INTO gx_items (id, name, price) VALUES ($1, $2, $3)", 20, "ok20", 1.0)
	b.Queue("INSERT INTO gx_items (id, name, price) VALUES ($1, $2, $3)", 10, "dup10", 1.0)
	b.Queue("INSERT INTO gx_items (id, name, price) VALUES ($1, $2, $3)", 21, "never21", 1.0)
	b.Queue("SELECT count(*) FROM gx_items WHERE id > $1", 0)
	br = c.SendBatch(ctx, b)
	for i := 0; i < b.Len(); i++ {
		_, err := br.Exec()
		note("batch2 %d: %v", i, err)
	}
	br.Close()
	var n int
	must(c.QueryRow(ctx, "SELECT count(*) FROM gx_items WHERE id > $1", 0).Scan(&n))
	note("after batch: %d", n)
}

func phaseCopy(ctx context.Context) {
	c := connect(ctx, nil)
	defer c.Close(ctx)
	var src [][]interface{}
	for i := 0; i < 50; i++ {
		var data []byte
		if i%7 != 0 {
			data = []byte(strings.Repeat(string(rune('a'+i%26)), i))
		}
		src = append(src, []interface{}{i, fmt.Sprintf("row %d", i), float64(i) / 3, time.Date(2000+i, 1, 2, 0, 0, 0, 0, time.UTC), data, i%2 == 0})
	}
	n, err := c.CopyFrom(ctx, pgx.Identifier{"gx_copy"}, []string{"id", "name", "score", "born", "data", "flag"}, pgx.CopyFromRows(src))
	must(err)
	note("copied %d", n)
	// a CopyFrom that fails at the server (a column that does not exist)
	_, err = c.CopyFrom(ctx, pgx.Identifier{"gx_copy"}, []string{"id", "nosuch"}, pgx.CopyFromRows([][]interface{}{{1, 2}}))
	note("copy bad: %v", err)
	var cnt int
	must(c.QueryRow(ctx, "SELECT count(*) FROM gx_copy").Scan(&cnt))
}

func phaseNotify(ctx context.Context) {
	l := connect(ctx, nil)
	defer l.Close(ctx)
	s := connect(ctx, nil)
	defer s.Close(ctx)
	_, err := l.Exec(ctx, "LISTEN gx_chan")
	must(err)
	// notifications sent while the listener is idle, then while it runs
	// queries: they come in between its responses
	_, err = s.Exec(ctx, "SELECT pg_notify('gx_chan', 'idle-1')")
	must(err)
	time.Sleep(100 * time.Millisecond)
	done := make(chan bool)
	go func() {
		for i := 0; i < 5; i++ {
			s.Exec(ctx, "SELECT pg_notify('gx_chan', $1)", fmt.Sprintf("busy-%d", i))
			time.Sleep(15 * time.Millisecond)
		}
		done <- true
	}()
	for i := 0; i < 8; i++ {
		var x int
		must(l.QueryRow(ctx, "SELECT $1::int + 0 FROM pg_sleep(0.01)", i).Scan(&x))
	}
	<-done
	// a notification inside a transaction is delivered at its commit
	tx, err := s.Begin(ctx)
	must(err)
	_, err = tx.Exec(ctx, "NOTIFY gx_chan, 'in-tx'")
	must(err)
	must(tx.Commit(ctx))
	for i := 0; i < 7; i++ {
		wctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		nt, err := l.WaitForNotification(wctx)
		cancel()
		if err != nil {
			break
		}
		note("notification: %s %s", nt.Channel, nt.Payload)
	}
}

func phaseCancel(ctx context.Context) {
	c := connect(ctx, nil)
	cctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	_, err := c.Exec(cctx, "SELECT pg_sleep($1)", 5)
	cancel()
	note("cancel: %v", err)
	c.Close(ctx)
	// pgconn's own CancelRequest, the connection kept
	c = connect(ctx, nil)
	defer c.Close(ctx)
	go func() {
		time.Sleep(300 * time.Millisecond)
		c.PgConn().CancelRequest(context.Background())
	}()
	_, err = c.Exec(ctx, "SELECT pg_sleep(5)")
	note("cancel2: %v", err)
	var n int
	must(c.QueryRow(ctx, "SELECT 42").Scan(&n))
}

func phaseSavepoint(ctx context.Context) {
	c := connect(ctx, nil)
	defer c.Close(ctx)
	tx, err := c.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead})
	must(err)
	_, err = tx.Exec(ctx, "INSERT INTO gx_items (id, name) VALUES ($1, $2)", 30, "tx30")
	must(err)
	sp, err := tx.Begin(ctx) // SAVEPOINT sp_1
	must(err)
	_, err = sp.Exec(ctx, "INSERT INTO gx_items (id, name) VALUES ($1, $2)", 30, "dup30")
	note("in savepoint: %v", err)
	must(sp.Rollback(ctx)) // ROLLBACK TO SAVEPOINT sp_1
	sp, err = tx.Begin(ctx)
	must(err)
	_, err = sp.Exec(ctx, "INSERT INTO gx_items (id, name) VALUES ($1, $2)", 31, "tx31")
	must(err)
	must(sp.Commit(ctx)) // RELEASE SAVEPOINT sp_2
	must(tx.Commit(ctx))
	// a transaction that fails and is rolled back
	tx, err = c.Begin(ctx)
	must(err)
	_, err = tx.Exec(ctx, "SELECT 1/$1::int", 0)
	note("div: %v", err)
	_, err = tx.Exec(ctx, "SELECT 1")
	note("aborted: %v", err)
	must(tx.Rollback(ctx))
}

func phaseSimple(ctx context.Context) {
	c := connect(ctx, func(cfg *pgx.ConnConfig) { cfg.PreferSimpleProtocol = true })
	defer c.Close(ctx)
	var s string
	var n int64
	must(c.QueryRow(ctx, "SELECT $1::text || 'x', $2::int8", "it's", int64(-5)).Scan(&s, &n))
	_, err := c.Exec(ctx, "INSERT INTO gx_items (id, name, price, tags) VALUES ($1, $2, $3, $4)", 40, "simple\nline", 1.25, []string{"s1", "s 2"})
	must(err)
	b := &pgx.Batch{}
	b.Queue("UPDATE gx_items SET price = $1 WHERE id = $2", 2.5, 40)
	b.Queue("SELECT name FROM gx_items WHERE id = $1", 40)
	b.Queue("SELECT 1/0")
	br := c.SendBatch(ctx, b)
	for i := 0; i < b.Len(); i++ {
		_, err := br.Exec()
		note("simple batch %d: %v", i, err)
	}
	br.Close()
	_, err = c.Exec(ctx, "")
	note("empty: %v", err)
}

func phasePool(ctx context.Context) {
	cfg, err := pgxpool.ParseConfig(dsn)
	must(err)
	cfg.MaxConns = 4
	cfg.MinConns = 2
	p, err := pgxpool.ConnectConfig(ctx, cfg)
	must(err)
	defer p.Close()
	var wg sync.WaitGroup
	for w := 0; w < 6; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 5; i++ {
				var x int
				err := p.QueryRow(ctx, "SELECT $1::int * 100 + $2::int FROM pg_sleep(0.005)", w, i).Scan(&x)
				must(err)
				if x != w*100+i {
					must(fmt.Errorf("pool: %d != %d", x, w*100+i))
				}
			}
			_, err := p.Exec(ctx, "UPDATE gx_items SET name = $1 WHERE id = $2", fmt.Sprintf("w%d", w), 10+w%5)
			must(err)
		}(w)
	}
	wg.Wait()
	note("pool ok")
}

func phaseDescribe(ctx context.Context) {
	// describe mode: unnamed statements, Parse/Describe then Parse/Bind/Describe/Execute
	c := connect(ctx, func(cfg *pgx.ConnConfig) {
		cfg.BuildStatementCache = func(conn *pgconn.PgConn) stmtcacheCache { return newDescribe(conn) }
	})
	defer c.Close(ctx)
	for i := 0; i < 3; i++ {
		var s string
		must(c.QueryRow(ctx, "SELECT name FROM gx_items WHERE id = $1", 10+i).Scan(&s))
	}
}

func phaseEvict(ctx context.Context) {
	// a cache of 2: the third statement evicts the first (deallocate)
	c := connect(ctx, func(cfg *pgx.ConnConfig) {
		cfg.BuildStatementCache = func(conn *pgconn.PgConn) stmtcacheCache { return newPrepare(conn, 2) }
	})
	defer c.Close(ctx)
	for r := 0; r < 2; r++ {
		for q := 0; q < 3; q++ {
			var n int
			must(c.QueryRow(ctx, fmt.Sprintf("SELECT $1::int + %d", q), r).Scan(&n))
			if n != r+q {
				must(fmt.Errorf("evict: %d", n))
			}
		}
	}
}

func phasePrepare(ctx context.Context) {
	// an explicit named statement, executed by name, then deallocated
	c := connect(ctx, nil)
	defer c.Close(ctx)
	_, err := c.Prepare(ctx, "gx_named", "SELECT name FROM gx_items WHERE id = $1")
	must(err)
	for _, id := range []int{10, 11, 99} {
		var s string
		err = c.QueryRow(ctx, "gx_named", id).Scan(&s)
		note("named %d: %v", id, err)
	}
	must(c.Deallocate(ctx, "gx_named"))
}

func phaseBig(ctx context.Context) {
	// a 2 MB bytea: more than the dumper keeps of a Bind
	c := connect(ctx, nil)
	defer c.Close(ctx)
	big := make([]byte, 2<<20)
	for i := range big {
		big[i] = byte(i)
	}
	var n int
	must(c.QueryRow(ctx, "SELECT length($1::bytea)", big).Scan(&n))
	note("big: %d", n)
}

func phaseBigBatch(ctx context.Context) {
	// 300 queries before one Sync, the 151st failing
	c := connect(ctx, nil)
	defer c.Close(ctx)
	for round := 0; round < 1; round++ {
		b := &pgx.Batch{}
		for i := 0; i < 300; i++ {
			id := 1000 + round*1000 + i
			if i == 150 {
				id = 1000 + round*1000 // the first row's: a duplicate key
			}
			if i%3 == 2 {
				b.Queue("SELECT count(*) FROM gx_items WHERE id < $1", id)
			} else {
				b.Queue("INSERT INTO gx_items (id, name) VALUES ($1, $2)", id, fmt.Sprintf("bb%d", i))
			}
		}
		br := c.SendBatch(ctx, b)
		for i := 0; i < b.Len(); i++ {
			br.Exec()
		}
		br.Close()
	}
}

func phaseLO(ctx context.Context) {
	// large objects: pgx calls the lo_* functions with SQL
	c := connect(ctx, nil)
	defer c.Close(ctx)
	tx, err := c.Begin(ctx)
	must(err)
	los := tx.LargeObjects()
	oid, err := los.Create(ctx, 0)
	must(err)
	lo, err := los.Open(ctx, oid, pgx.LargeObjectModeWrite|pgx.LargeObjectModeRead)
	must(err)
	_, err = lo.Write([]byte("large object data"))
	must(err)
	_, err = lo.Seek(0, 0)
	must(err)
	buf := make([]byte, 5)
	_, err = lo.Read(buf)
	must(err)
	must(lo.Close())
	must(los.Unlink(ctx, oid))
	must(tx.Commit(ctx))
	note("lo: %s", buf)
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: pgxload PORT [phase...]")
		os.Exit(2)
	}
	dsn = fmt.Sprintf("postgres://app:app-secret@127.0.0.1:%s/appdb?sslmode=disable", os.Args[1])
	ctx := context.Background()
	phases := map[string]func(context.Context){
		"types": phaseTypes, "batch": phaseBatch, "copy": phaseCopy, "notify": phaseNotify,
		"cancel": phaseCancel, "savepoint": phaseSavepoint, "simple": phaseSimple, "pool": phasePool,
		"describe": phaseDescribe, "evict": phaseEvict, "prepare": phasePrepare, "lo": phaseLO,
		"big": phaseBig, "bigbatch": phaseBigBatch,
	}
	order := []string{"types", "batch", "copy", "notify", "cancel", "savepoint", "simple", "pool", "describe", "evict", "prepare", "lo", "big", "bigbatch"}
	if len(os.Args) > 2 {
		order = os.Args[2:]
	}
	setup(ctx)
	for _, ph := range order {
		f, ok := phases[ph]
		if !ok {
			must(fmt.Errorf("no phase %s", ph))
		}
		note("== %s", ph)
		f(ctx)
	}
}
