import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { scenarioPath } from './helpers/scenarios.js';
import { crossab } from './helpers/cli.js';

test('generate --json prints the summary object with the documented keys', () => {
  const r = crossab(['generate', scenarioPath('tiny'), '--json', '--seed', '3']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.match(out.fingerprint, /^[0-9a-f]{64}$/);
  assert.ok(out.impressions > 10_000);
  assert.ok(out.users > 100);
  assert.deepEqual(out.domains.map((d: { name: string }) => d.name), ['head', 'mid', 'tail']);
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
  const rows = (await con.runAndReadAll(`SELECT period, domain, count(*)::INT n, count(query_intent)::INT q, avg(click)::DOUBLE ctr, avg(p_click)::DOUBLE p
    FROM '${out}' GROUP BY ALL ORDER BY ALL`)).getRowObjects();
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
