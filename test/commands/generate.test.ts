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
