// postgres (porsager) workload for the pg dumper's captures (tests/captures/README.pg).
// Install (outside the repository): npm install postgres
// Run: NODE_PATH=DIR/node_modules node porsager.js PORT [phase...]
// Phases: pipeline prepared begin copy notify unsafe; none given: all of them.
'use strict';
const postgres = require('postgres');
const { pipeline } = require('node:stream/promises');
const { Readable, Writable } = require('node:stream');

const port = Number(process.argv[2]);
const opts = { host: '127.0.0.1', port, user: 'app', pass: 'app-secret',
	database: 'appdb', connection: { application_name: 'porsager' },
	onnotice: () => {} };

const phases = {
	async pipeline(sql) {
		await sql`DROP TABLE IF EXISTS pt`;
		await sql`CREATE TABLE pt (id int PRIMARY KEY, name text, n numeric)`;
		// one connection: every query is written before the first answer
		const jobs = [];
		for (let i = 1; i <= 40; i++)
			jobs.push(sql`INSERT INTO pt VALUES (${i}, ${'p' + i}, ${i / 4})`);
		for (let i = 0; i < 10; i++)
			jobs.push(sql`SELECT id, name FROM pt WHERE id <= ${i}`);
		await Promise.all(jobs);
		// a failing query inside a pipeline: each has its own Sync
		const more = [];
		more.push(sql`INSERT INTO pt VALUES (${1}, ${'dup'}, ${0})`.catch(() => null));
		for (let i = 0; i < 5; i++)
			more.push(sql`SELECT count(*) FROM pt WHERE n > ${i}`);
		await Promise.all(more);
	},
	async prepared(sql) {
		for (let i = 0; i < 4; i++)
			await sql`SELECT name FROM pt WHERE id = ${i + 1}`;
		await sql`SELECT ${'a'}::text || ${'b'}::text AS s, ${[1, 2]}::int[] AS a, ${new Date(Date.UTC(2024, 1, 2))}::timestamptz AS t`;
		await sql`SELECT * FROM pt WHERE id = ANY(${sql.array([1, 2, 3])}::int[])`;
		await sql`SELECT nosuch FROM pt`.catch(() => null);
		await sql.unsafe('SELECT $1::int + 1 AS x', [41]);
	},
	async begin(sql) {
		await sql.begin(async (tx) => {
			await tx`UPDATE pt SET name = ${'tx'} WHERE id = ${2}`;
			await tx.savepoint(async (sp) => {
				await sp`INSERT INTO pt VALUES (${1000}, ${'sp'}, ${1})`;
			});
			await tx`SELECT count(*) FROM pt`;
		});
		await sql.begin(async (tx) => {
			await tx`INSERT INTO pt VALUES (${2000}, ${'x'}, ${1})`;
			await tx`INSERT INTO pt VALUES (${2000}, ${'x'}, ${1})`;
		}).catch(() => null);
		await sql.begin('read only', async (tx) => [
			tx`SELECT 1 AS one`,
			tx`SELECT 2 AS two`,
		]);
	},
	async copy(sql) {
		const w = await sql`COPY pt (id, name, n) FROM STDIN`.writable();
		const rows = [];
		for (let i = 3000; i < 3200; i++)
			rows.push(`${i}\tcopy ${i}\t${i / 8}\n`);
		await pipeline(Readable.from(rows), w);
		const r = await sql`COPY (SELECT * FROM pt ORDER BY id LIMIT 120) TO STDOUT`.readable();
		let n = 0;
		await pipeline(r, new Writable({ write(c, e, cb) { n += c.length; cb(); } }));
		// a COPY refused by the server (postgres 3.4's writable() never
		// settles on a bad row: the refusal comes before any CopyData)
		await sql`COPY nosuch FROM STDIN`.writable().catch(() => null);
		await sql`SELECT count(*) FROM pt`;
	},
	async notify(sql) {
		const got = [];
		const { unlisten } = await sql.listen('chan_a', (p) => got.push(p));
		const other = postgres({ ...opts, max: 1 });
		await sql`SELECT 1 AS between`;
		await other.notify('chan_a', 'hello one');
		await other`SELECT pg_notify('chan_a', 'hello two')`;
		await sql`SELECT pg_sleep(0.1)`;
		await sql`SELECT 2 AS after`;
		await unlisten();
		await other.end();
	},
	async unsafe(sql) {
		await sql.unsafe('SELECT 1; SELECT 2');
		await sql.unsafe('SELECT $1::text AS t', ['unsafe'], { prepare: false });
	},
};

(async () => {
	const names = process.argv.length > 3 ? process.argv.slice(3) : Object.keys(phases);
	const sql = postgres({ ...opts, max: 1 });
	for (const n of names) {
		console.log('phase', n);
		await phases[n](sql);
	}
	await sql.end();
})().catch((e) => { console.error('fatal:', e); process.exit(1); });
