// A run's rows as Parquet files and back: every run table's rows of the run exported once, merged
// into another store whole (a second merge skips the run), and a sweep root's JSON and data files
// listed through DuckDB as an object-store root would be.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportRun, importRunFiles, isObjectStore, readRootFiles, RUN_TABLES } from '../../src/store/sweep-files.js';
import { openDb } from '../../src/store/db.js';
import { crossab } from '../helpers/cli.js';
import { scenarioPath } from '../helpers/scenarios.js';

const dir = mkdtempSync(join(tmpdir(), 'crossab-sweep-files-'));

async function counts(db: string, runId: string): Promise<Record<string, number>> {
  const h = await openDb(db, { readOnly: true });
  try {
    const out: Record<string, number> = {};
    for (const t of RUN_TABLES) out[t] = Number((await h.con.runAndReadAll(`SELECT count(*) FROM "${t}" WHERE run_id = '${runId}'`)).getRows()[0][0]);
    return out;
  } finally {
    h.close();
  }
}

test('exportRun writes each non-empty run table once; importRunFiles merges the run whole, and skips it the second time', async () => {
  const source = join(dir, 'source.duckdb');
  const run = crossab(['run', scenarioPath('tiny'), '--strategies', 'shared-bottom', '--no-report', '--db', source, '--json']);
  assert.equal(run.code, 0, run.stderr);
  const runId = JSON.parse(run.stdout).run_id as string;
  assert.equal(RUN_TABLES[0], 'runs', 'the runs table first');
  const files = await exportRun(source, runId, (t) => join(dir, 'files', t, 'scenario=tiny', 'seed=7', `${runId}.parquet`));
  const held = await counts(source, runId);
  assert.deepEqual(Object.fromEntries(files.map((f) => [f.table, f.rows])), Object.fromEntries(Object.entries(held).filter(([, n]) => n > 0)));
  const target = join(dir, 'target.duckdb');
  (await openDb(target)).close();
  assert.deepEqual(await importRunFiles(target, files), { added: [runId], skipped: [] });
  assert.deepEqual(await counts(target, runId), held);
  assert.deepEqual(await importRunFiles(target, files), { added: [], skipped: [runId] }, 'merging again adds nothing');
  assert.deepEqual(await counts(target, runId), held);
  assert.deepEqual(
    await importRunFiles(
      target,
      files.filter((f) => f.table !== 'runs'),
    ),
    { added: [], skipped: [] },
    'no runs file, no run',
  );
});

test("readRootFiles: the root's JSON by relative path, its Parquet and leftover temporary files at the tables' fixed depth", async () => {
  const root = join(dir, 'root');
  mkdirSync(join(root, '_units'), { recursive: true });
  mkdirSync(join(root, 'ab_lifts', 'scenario=tiny', 'seed=1'), { recursive: true });
  writeFileSync(join(root, 'sweep.json'), '{"version":"x"}');
  writeFileSync(join(root, '_units', 'k1.json'), '{"unit":1}');
  writeFileSync(join(root, 'ab_lifts', 'scenario=tiny', 'seed=1', 'k1.parquet'), 'PAR1');
  writeFileSync(join(root, 'ab_lifts', 'scenario=tiny', 'seed=1', 'k2.parquet.tmp-123'), '');
  writeFileSync(join(root, 'ab_lifts', 'stray.parquet'), 'PAR1');
  const r = await readRootFiles(`${root}/`);
  assert.deepEqual(Object.fromEntries(r.texts), { 'sweep.json': '{"version":"x"}', '_units/k1.json': '{"unit":1}' });
  assert.deepEqual(r.data.sort(), ['ab_lifts/scenario=tiny/seed=1/k1.parquet', 'ab_lifts/scenario=tiny/seed=1/k2.parquet.tmp-123']);
  const empty = await readRootFiles(join(dir, 'nothing-here'));
  assert.deepEqual([empty.texts.size, empty.data], [0, []]);
});

test('isObjectStore: a URL scheme, not a local path', () => {
  for (const p of ['s3://bucket/sweep', 'gs://b/x', 'https://host/x', 'r2+s3://b']) assert.equal(isObjectStore(p), true, p);
  for (const p of ['/tmp/sweep', 'sweep', 'C:\\sweep', './s3:/x']) assert.equal(isObjectStore(p), false, p);
});
