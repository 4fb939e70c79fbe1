// `crossab generate`: the summary it prints, the Parquet it writes, and the temporary files it cleans up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { scenarioPath } from '../helpers/scenarios.js';
import { crossab } from '../helpers/cli.js';

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

test('generate --bandit writes the logs in Open Bandit Pipeline’s slate shape with the logging policy’s propensities', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossab-'));
  const out = join(dir, 'bandit.parquet');
  // The uniform logger's propensities are known in closed form: 1/n at a position, k/n anywhere, the slate 1/(n(n−1)…).
  const r = crossab(['generate', scenarioPath('tiny'), '--bandit', out, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).bandit, out);
  const inst = await DuckDBInstance.create(':memory:');
  const con = await inst.connect();
  const rows = (
    await con.runAndReadAll(`SELECT domain, min(position)::INT p0, max(position)::INT p1, count(DISTINCT slate_id)::INT slates, count(*)::INT n,
      min(pscore_item_position) pmin, max(pscore_item_position) pmax, max(pscore_item) incl, max(pscore) slate, avg(reward)::DOUBLE ctr
      FROM '${out}' GROUP BY ALL ORDER BY domain`)
  ).getRowObjects();
  const tiny = { head: [12, 3], mid: [10, 3], tail: [8, 2] } as Record<string, [number, number]>;
  for (const row of rows) {
    const [n, k] = tiny[String(row.domain)];
    assert.equal(row.p0, 0);
    assert.equal(row.p1, k - 1);
    assert.equal(row.n, Number(row.slates) * k);
    assert.equal(row.pmin, 1 / n);
    assert.equal(row.pmax, 1 / n);
    assert.ok(Math.abs(Number(row.incl) - k / n) < 1e-15);
    const slate = Array.from({ length: k }, (_, j) => 1 / (n - j)).reduce((a, b) => a * b, 1);
    assert.ok(Math.abs(Number(row.slate) - slate) < 1e-15);
    assert.ok(Number(row.ctr) > 0 && Number(row.ctr) < 0.5);
  }
  const cols = (await con.runAndReadAll(`SELECT column_name FROM (DESCRIBE SELECT * FROM '${out}')`)).getRowObjects().map((c) => c.column_name);
  for (const c of ['slate_id', 'timestamp', 'action', 'position', 'reward', 'pscore', 'pscore_item_position', 'pscore_cascade', 'user_id', 'item_category'])
    assert.ok(cols.includes(c), `column ${c}`);
  con.closeSync();
  inst.closeSync();
});
