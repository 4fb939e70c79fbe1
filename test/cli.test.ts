import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { scenarioPath } from './helpers/scenarios.js';
import { crossab, crossabMany } from './helpers/cli.js';

test('generate --json prints the summary object with the documented keys', () => {
  const r = crossab(['generate', scenarioPath('tiny'), '--json', '--seed', '3']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.match(out.fingerprint, /^[0-9a-f]{64}$/);
  assert.ok(out.impressions > 10_000);
  assert.ok(out.users > 100);
  assert.deepEqual(
    out.domains.map((d: { name: string }) => d.name),
    ['head', 'mid', 'tail'],
  );
  for (const d of out.domains) for (const k of ['impressions', 'ctr', 'share']) assert.equal(typeof d[k], 'number');
  const again = JSON.parse(crossab(['generate', scenarioPath('tiny'), '--json', '--seed', '3']).stdout);
  assert.equal(again.fingerprint, out.fingerprint);
});

test('generate --out writes Parquet with every feature, labels, true probabilities and NULL for absent features', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossab-'));
  const out = join(dir, 'tiny.parquet');
  const r = crossab(['generate', scenarioPath('tiny'), '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const inst = await DuckDBInstance.create(':memory:');
  const con = await inst.connect();
  const rows = (
    await con.runAndReadAll(`SELECT period, domain, count(*)::INT n, count(query_intent)::INT q, avg(click)::DOUBLE ctr, avg(p_click)::DOUBLE p
    FROM '${out}' GROUP BY ALL ORDER BY ALL`)
  ).getRowObjects();
  assert.deepEqual([...new Set(rows.map((x) => x.period))], ['test', 'train', 'valid']);
  for (const row of rows) {
    if (row.domain === 'mid') assert.equal(row.q, row.n);
    else assert.equal(row.q, 0, 'query_intent is private to mid');
  }
  con.closeSync();
  inst.closeSync();
});

test('bad input: one line on stderr, exit 2, nothing written', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossab-'));
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, '{"name": "x", "domains": [}');
  const cases: [string[], RegExp][] = [
    [['generate'], /missing scenario file/],
    [['generate', join(dir, 'none.json')], /no such file/],
    [['generate', bad], /not valid JSON/],
    [['generate', scenarioPath('tiny'), '--seed', 'abc'], /--seed must be a whole number/],
    [['generate', scenarioPath('tiny'), '--frobnicate'], /Unknown option '--frobnicate'/],
    [['generate', scenarioPath('tiny'), '--out', join(dir, 'no/such/dir/x.parquet')], /does not exist/],
    [['generate', scenarioPath('tiny'), '--out', join(dir, 'x.csv')], /must end in \.parquet/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ];
  for (const [args, pattern] of cases) {
    const r = crossab(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
  assert.deepEqual(readdirSync(dir).sort(), ['bad.json']);
  assert.ok(!existsSync(join(dir, 'x.csv')));
});

test("generate --out removes the temporary files of writers that were killed, and leaves a live writer's alone", () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossab-'));
  const out = join(dir, 'w.parquet');
  // PID 2^22 + 1 is above Linux's largest PID, so no process has it; this test's own PID is alive.
  writeFileSync(`${out}.tmp-4194305`, 'left by kill -9');
  writeFileSync(`${out}.tmp-${process.pid}`, 'still being written');
  writeFileSync(`${out}.tmp`, 'left by an older crossab');
  const r = crossab(['generate', scenarioPath('tiny'), '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readdirSync(dir).sort(), ['w.parquet', `w.parquet.tmp-${process.pid}`]);
});

test('every command has --help with its flags and an example, and crossab --version prints the release', () => {
  const commands = ['generate', 'train', 'run', 'runs', 'query', 'report', 'check', 'tui'];
  const outcomes = crossabMany(commands.map((cmd) => ({ argv: [cmd, '--help'], seconds: 30 })));
  for (const [k, cmd] of commands.entries()) {
    const r = outcomes[k];
    assert.equal(r.code, 0, `${cmd}: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`^usage: crossab ${cmd}`));
    assert.match(r.stdout, /\nflags:\n {2}--/);
    assert.match(r.stdout, new RegExp(`\nexamples:\n {2}crossab ${cmd}`));
  }
  const v = crossab(['--version']);
  assert.equal(v.code, 0);
  assert.match(v.stdout, /^crossab \d+\.\d+\.\d+\n$/);
  const seed = crossab(['generate', scenarioPath('tiny'), '--seed', '-1']);
  assert.equal(seed.code, 2);
  assert.match(seed.stderr, /--seed must be between 0 and 2147483647, got -1/);
  const db = crossab(['runs', '--db', '']);
  assert.equal(db.code, 2);
  assert.match(db.stderr, /--db needs a value/);
});
