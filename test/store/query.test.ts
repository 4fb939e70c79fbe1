// `crossab query` as an attacker would use it: every statement that writes, reads outside the store,
// reaches for the network or changes settings is refused, and afterwards the store is byte for byte
// what it was and no file appeared anywhere we can see.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { crossab, crossabMany } from '../helpers/cli.js';
import { scenarioPath } from '../helpers/scenarios.js';

const dir = mkdtempSync(join(tmpdir(), 'crossab-query-'));
const home = join(dir, 'home');
const store = join(dir, 'store.duckdb');
const other = join(dir, 'other.duckdb');
const env = { HOME: home };
const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');
const listing = () => readdirSync(dir, { recursive: true }).map(String).sort();

before(() => {
  mkdirSync(home);
  const r = crossab(['run', scenarioPath('tiny'), '--db', store, '--strategies', 'separate,shared-bottom', '--no-report', '--json'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  copyFileSync(store, other);
});

const q = (sql: string, ...flags: string[]) => crossab(['query', sql, '--db', store, ...flags], { cwd: dir, env });

test('query refuses every statement that writes, reaches outside the store or changes settings; the store is unchanged', () => {
  const attacks = [
    `COPY (SELECT 'gone' AS x) TO '${store}' (FORMAT csv)`,
    `COPY runs TO '${join(dir, 'runs.csv')}'`,
    `COPY runs FROM '${join(dir, 'runs.csv')}'`,
    `ATTACH '${other}' AS v (READ_WRITE)`,
    `ATTACH '${other}' AS v (READ_WRITE); DELETE FROM v.runs; DROP TABLE v.ab_results`,
    `EXPORT DATABASE '${join(dir, 'export')}'`,
    `IMPORT DATABASE '${join(dir, 'export')}'`,
    'INSTALL httpfs',
    'LOAD httpfs',
    'FORCE INSTALL sqlite',
    "SELECT * FROM read_text('/etc/passwd')",
    "SELECT * FROM read_csv('/etc/hosts')",
    "SELECT * FROM read_parquet('/nonexistent/*.parquet')",
    "SELECT * FROM glob('/*')",
    "SELECT * FROM '/etc/passwd'",
    `SELECT * FROM '${other}'`,
    "SELECT * FROM read_json_auto('https://example.invalid/x.json')",
    'DELETE FROM runs',
    "UPDATE runs SET status = 'failed'",
    "INSERT INTO runs (run_id) VALUES ('x')",
    'DROP TABLE runs',
    'CREATE TABLE t (a INTEGER)',
    'CREATE TEMP TABLE t (a INTEGER)',
    'CREATE MACRO m(x) AS x',
    'ALTER TABLE runs ADD COLUMN x INTEGER',
    "SET memory_limit = '100GB'",
    'SET enable_external_access = true',
    "SET temp_directory = '/tmp'",
    'RESET lock_configuration',
    'PRAGMA enable_profiling',
    `PRAGMA profiling_output = '${join(dir, 'profile.txt')}'`,
    'CALL pragma_version()',
    'CHECKPOINT',
    'VACUUM',
    'BEGIN TRANSACTION',
    'DETACH store',
    'PREPARE p AS SELECT 1',
    'SELECT 1; DROP TABLE runs',
    "SELECT * FROM query('DROP TABLE runs')",
    'USE system',
  ];
  const before = sha(store);
  const files = listing();
  const outcomes = crossabMany(
    attacks.map((sql) => ({ argv: ['query', sql, '--db', store], seconds: 30 })),
    { cwd: dir, env },
  );
  for (const [k, sql] of attacks.entries()) {
    const r = outcomes[k];
    assert.equal(r.code, 2, `not refused: ${sql}\n${r.stdout}${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, `${sql}: ${r.stderr}`);
    assert.match(r.stderr, /^crossab: query: /, sql);
    assert.equal(r.stdout, '', `${sql} printed rows`);
  }
  assert.equal(sha(store), before, 'the store changed');
  assert.equal(sha(other), before, 'the other database changed');
  assert.deepEqual(listing(), files, 'a file appeared or vanished');
  assert.ok(!existsSync(join(home, '.duckdb')), 'DuckDB wrote under HOME (an extension install)');
  assert.equal(q('SELECT count(*)::INTEGER AS n FROM runs', '--json').stdout.trim(), '[{"n":1}]');
});

test('query reads the store: SELECT, FROM-first, WITH, DESCRIBE, SHOW and SUMMARIZE all run', () => {
  const reads = [
    'SELECT run_id FROM runs',
    'FROM runs SELECT status',
    'WITH x AS (SELECT 1 AS a) SELECT * FROM x',
    'DESCRIBE runs',
    'SHOW TABLES',
    'SUMMARIZE training_runs',
    'VALUES (1), (2)',
  ];
  const outcomes = crossabMany(
    reads.map((sql) => ({ argv: ['query', sql, '--db', store, '--json'], seconds: 30 })),
    { cwd: dir, env },
  );
  for (const [k, sql] of reads.entries()) {
    const r = outcomes[k];
    assert.equal(r.code, 0, `${sql}: ${r.stderr}`);
    assert.ok(Array.isArray(JSON.parse(r.stdout)), sql);
  }
});

test('query caps and streams rows: 100M rows end at the cap, with a note; a slow query stops at --timeout', () => {
  const r = q('SELECT range AS i FROM range(100000000)', '--json');
  assert.equal(r.code, 0, r.stderr);
  const rows = JSON.parse(r.stdout);
  assert.equal(rows.length, 1000);
  assert.deepEqual(rows[999], { i: '999' }); // BIGINT as a JSON string, as DuckDB's JSON conversion gives it
  assert.match(r.stderr, /truncated at 1000 rows; --max-rows N to change/);
  const table = q('SELECT range AS i FROM range(100000000)', '--max-rows', '5');
  assert.equal(table.stdout.trim().split('\n').length, 2 + 5);
  const all = q('SELECT range AS i FROM range(5000)', '--json', '--max-rows', '0');
  assert.equal(JSON.parse(all.stdout).length, 5000);
  assert.equal(all.stderr, '');
  const slow = q('SELECT count(*) FROM range(100000000000000)', '--timeout', '1');
  assert.equal(slow.code, 2);
  assert.match(slow.stderr, /^crossab: query: stopped after 1 s/);
  const big = q('SELECT * FROM range(400000000) ORDER BY random()', '--timeout', '120');
  assert.equal(big.code, 2, 'a query past the memory limit fails instead of spilling to disk');
  assert.equal(big.stderr.trim().split('\n').length, 1, big.stderr);
});

test('query: empty SQL, several statements and bad flags are one line, exit 2', () => {
  for (const [args, pattern] of [
    [[''], /no SQL given/],
    [[';'], /no SQL given/],
    [['  -- nothing\n;'], /no SQL given/],
    [['SELECT 1; SELECT 2'], /exactly one statement, got 2/],
    [['SELEC 1'], /syntax error/i],
    [['SELECT 1', '--max-rows', '-1'], /--max-rows must be between 0/],
    [['SELECT 1', '--timeout', 'x'], /--timeout must be a whole number/],
  ] as [string[], RegExp][]) {
    const [r] = crossabMany([{ argv: ['query', ...args, '--db', store], seconds: 30 }], { cwd: dir, env });
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});

test("--db that is not a crossab store: SQLite, truncated, empty, random, someone else's DuckDB: one line, exit 2, file untouched, no extension fetched", async () => {
  const sqlite = join(dir, 'lite.duckdb');
  // The 100-byte SQLite header and an empty first page: what DuckDB sniffs before loading its reader.
  const header = Buffer.alloc(4096);
  header.write('SQLite format 3\0', 0, 'latin1');
  header.writeUInt16BE(4096, 16);
  writeFileSync(sqlite, header);
  const truncated = join(dir, 'truncated.duckdb');
  writeFileSync(truncated, readFileSync(store).subarray(0, 100_000));
  const empty = join(dir, 'empty.duckdb');
  writeFileSync(empty, '');
  const random = join(dir, 'random.duckdb');
  writeFileSync(random, Buffer.from(Array.from({ length: 50_000 }, (_, k) => (k * 7919) % 251)));
  const cases: [string, RegExp][] = [
    [sqlite, /is a SQLite file, not a DuckDB file/],
    [truncated, /is truncated or damaged/],
    [empty, /is not a DuckDB file/],
    [random, /is not a DuckDB file/],
  ];
  for (const [file, pattern] of cases) {
    const before = sha(file);
    for (const args of [['runs'], ['query', 'SELECT 1'], ['report'], ['run', scenarioPath('tiny'), '--no-report']]) {
      const r = crossab([...args, '--db', file], { cwd: dir, env });
      assert.equal(r.code, 2, `${args[0]} --db ${file}: ${r.stderr}`);
      assert.match(r.stderr, pattern, `${args[0]}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
    assert.equal(sha(file), before, `${file} was modified`);
  }
  // Someone else's DuckDB file: readable by query, but crossab neither reads it as a store nor adds its tables to it.
  const foreign = join(dir, 'foreign.duckdb');
  const inst = await DuckDBInstance.create(foreign);
  const con = await inst.connect();
  await con.run('CREATE TABLE t (a INTEGER)');
  con.closeSync();
  inst.closeSync();
  const before = sha(foreign);
  for (const args of [['runs'], ['report'], ['run', scenarioPath('tiny'), '--no-report']]) {
    const r = crossab([...args, '--db', foreign], { cwd: dir, env });
    assert.equal(r.code, 2, `${args[0]}: ${r.stderr}`);
    assert.match(r.stderr, /is a DuckDB file but not a crossab store/);
  }
  assert.equal(sha(foreign), before);
  assert.ok(!existsSync(join(home, '.duckdb')), 'an extension was installed');
});

test('query prints every DuckDB type as a table the way DuckDB writes it, one line per row, escapes shown', () => {
  const sql = [
    "SELECT true AS b, NULL AS n, [1, 2] AS l, {'a': 1, 'b': [true]} AS s, MAP {'k': 1} AS m, DATE '2024-01-02' AS d,",
    "INTERVAL 3 DAY AS i, '\\x00ab'::BLOB AS bl, 3.14::DECIMAL(5,2) AS dec, 12345678901234567890::HUGEINT AS h, 'nan'::DOUBLE AS nan,",
    "TIMESTAMP '2024-01-02 03:04:05' AS ts, 'a'::ENUM('a', 'b') AS e, TIME '01:02:03' AS tm, ['x', NULL] AS ll, union_value(num := 2) AS un,",
    "ARRAY_VALUE(1, 2) AS arr, '1010'::BIT AS bits, 0.000001::DOUBLE AS small, 'a' || chr(10) || 'b' || chr(27) || '[31m' AS text",
  ].join(' ');
  const r = q(sql);
  assert.equal(r.code, 0, r.stderr);
  const [header, rule, row, ...rest] = r.stdout.split('\n');
  assert.deepEqual(rest, ['']);
  assert.deepEqual(header.trim().split(/\s+/), [
    'b',
    'n',
    'l',
    's',
    'm',
    'd',
    'i',
    'bl',
    'dec',
    'h',
    'nan',
    'ts',
    'e',
    'tm',
    'll',
    'un',
    'arr',
    'bits',
    'small',
    'text',
  ]);
  assert.match(rule, /^-+( +-+){19}$/);
  for (const shown of [
    'true',
    'NULL',
    '[1, 2]',
    "{'a': 1, 'b': [true]}",
    "{'k': 1}",
    '2024-01-02',
    '3 days',
    '\\x00ab',
    '3.14',
    '12345678901234567890',
    'NaN',
    '2024-01-02 03:04:05',
    '01:02:03',
    "['x', NULL]",
    '1010',
    '0.000001',
    'a\\nb\\x1b[31m',
  ])
    assert.ok(row.includes(shown), `${shown} is not in the row: ${row}`);
  assert.doesNotMatch(r.stdout, /\x1b/);
  const json = q(sql, '--json');
  assert.equal(json.code, 0, json.stderr);
  assert.deepEqual(JSON.parse(json.stdout)[0].s, { a: 1, b: [true] });
});

test('query: SELECT * of every store table prints as a table; PRAGMAs that read run, PRAGMAs that change are refused', () => {
  const tables = JSON.parse(q('SELECT table_name AS t FROM information_schema.tables ORDER BY 1', '--json').stdout).map((r: { t: string }) => r.t);
  assert.ok(tables.length >= 23, `${tables.length} tables`);
  const reads = [
    ...tables.map((t: string) => `SELECT * FROM ${t}`),
    "PRAGMA table_info('runs')",
    'PRAGMA database_list',
    'PRAGMA version',
    "SELECT current_setting('threads') AS t",
  ];
  const outcomes = crossabMany(
    reads.map((sql) => ({ argv: ['query', sql, '--db', store, '--max-rows', '50'], seconds: 30 })),
    { cwd: dir, env },
  );
  for (const [k, sql] of reads.entries()) {
    assert.equal(outcomes[k].code, 0, `${sql}: ${outcomes[k].stderr}`);
    assert.match(outcomes[k].stdout, /^.+\n-+/, sql);
  }
  const pragma = q("PRAGMA table_info('ab_lifts')");
  assert.match(pragma.stdout, /\bcontrol\b.*\bVARCHAR\b.*\b(true|false)\b/);
  const write = q('PRAGMA enable_profiling');
  assert.equal(write.code, 2);
  assert.match(write.stderr, /only statements that read are allowed \(SELECT, FROM, WITH, VALUES,.*this one is PRAGMA/);
});
