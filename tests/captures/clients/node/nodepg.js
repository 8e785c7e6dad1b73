// node-postgres workload for the pg dumper's captures (tests/captures/README.pg).
// Install (outside the repository): npm install pg pg-cursor pg-query-stream
// Run: NODE_PATH=DIR/node_modules node nodepg.js PORT [phase...]
// Phases: params named cursor stream txfail pool; none given: all of them.
'use strict';
const pg = require('pg');
const Cursor = require('pg-cursor');
const QueryStream = require('pg-query-stream');

const port = Number(process.argv[2]);
const cfg = { host: '127.0.0.1', port, user: 'app', password: 'app-secret',
	database: 'appdb', application_name: 'nodepg' };

async function client() {
	const c = new pg.Client(cfg);
	await c.connect();
	return c;
}

const phases = {
	async params() {
		const c = await client();
		await c.query('DROP TABLE IF EXISTS nt');
		await c.query('CREATE TABLE nt (id int PRIMARY KEY, name text, v numeric, at timestamptz, j jsonb)');
		for (let i = 1; i <= 5; i++)
			await c.query('INSERT INTO nt VALUES ($1, $2, $3, $4, $5)',
			    [i, 'name ' + i, i * 1.5, new Date(Date.UTC(2024, 0, i)), { k: i }]);
		await c.query('INSERT INTO nt SELECT g, \'g\' || g, g, now(), NULL FROM generate_series(6, 200) g');
		await c.query('SELECT * FROM nt WHERE id = $1 OR name = $2', [3, null]);
		await c.query({ text: 'SELECT $1::text AS t, $2::int[] AS a', values: ['x\'y', [1, 2, 3]] });
		await c.query({ text: 'SELECT id FROM nt WHERE id < $1', values: [4], rowMode: 'array' });
		await c.query('SELECT $1::bytea AS b', [Buffer.from([0, 1, 2, 255])]);
		await c.end();
	},
	async named() {
		const c = await client();
		for (let i = 0; i < 3; i++)
			await c.query({ name: 'get-nt', text: 'SELECT name FROM nt WHERE id = $1', values: [i + 1] });
		await c.query({ name: 'count-nt', text: 'SELECT count(*) FROM nt' });
		await c.query({ name: 'count-nt', text: 'SELECT count(*) FROM nt' });
		try {
			await c.query({ name: 'bad-named', text: 'SELECT nosuchcol FROM nt' });
		} catch (e) { }
		await c.end();
	},
	async cursor() {
		const c = await client();
		await c.query('BEGIN');
		const cur = c.query(new Cursor('SELECT id, name FROM nt WHERE id > $1 ORDER BY id', [10]));
		for (;;) {
			const rows = await cur.read(50);
			if (rows.length === 0)
				break;
		}
		await cur.close();
		const cur2 = c.query(new Cursor('SELECT id FROM nt ORDER BY id'));
		await cur2.read(7);
		await cur2.close();
		await c.query('COMMIT');
		await c.end();
	},
	async stream() {
		const c = await client();
		const s = c.query(new QueryStream('SELECT g, repeat(\'x\', 20) FROM generate_series(1, 300) g WHERE g > $1', [0], { batchSize: 64 }));
		let n = 0;
		for await (const r of s)
			n++;
		await c.end();
	},
	async txfail() {
		const c = await client();
		await c.query('BEGIN');
		await c.query('INSERT INTO nt (id, name) VALUES ($1, $2)', [1000, 'tx']);
		try {
			await c.query('INSERT INTO nt (id, name) VALUES ($1, $2)', [1000, 'dup']);
		} catch (e) { }
		try {
			await c.query('SELECT 1');
		} catch (e) { }
		await c.query('ROLLBACK');
		try {
			await c.query('SELECT 1/$1::int', [0]);
		} catch (e) { }
		await c.query('SELECT 1');
		await c.end();
	},
	async pool() {
		const p = new pg.Pool({ ...cfg, max: 3 });
		const jobs = [];
		for (let i = 0; i < 9; i++)
			jobs.push(p.query('SELECT $1::int AS i, pg_sleep(0.02), pg_backend_pid()', [i]));
		await Promise.all(jobs);
		const c = await p.connect();
		await c.query('BEGIN');
		await c.query('UPDATE nt SET name = $1 WHERE id = $2', ['pooled', 2]);
		await c.query('COMMIT');
		c.release();
		await p.end();
	},
};

(async () => {
	const names = process.argv.length > 3 ? process.argv.slice(3) : Object.keys(phases);
	for (const n of names) {
		console.log('phase', n);
		await phases[n]();
	}
})().catch((e) => { console.error('fatal:', e); process.exit(1); });
