// Which runs the store holds: listRuns gives every run oldest first and shows a 'running' run whose
// process is gone as 'interrupted'; completeRuns gives the complete runs check may reuse — the same
// scenario, seed, build and backend (and data, when asked) — newest first; runRecord a run's seed and
// scenario.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { completeRuns, listRuns, runRecord } from '../../src/store/catalog.js';
import { openDb } from '../../src/store/db.js';
import { VERSION } from '../../src/util/version.js';
import { crossab } from '../helpers/cli.js';
import { scenarioPath } from '../helpers/scenarios.js';

test('listRuns, completeRuns and runRecord read the runs a store holds', async () => {
  const db = join(mkdtempSync(join(tmpdir(), 'crossab-catalog-')), 'c.duckdb');
  const runs = [7, 8].map((seed) => {
    // The exact kernels, so the stored engine is plain 'wasm' on any machine.
    const r = crossab(['run', scenarioPath('tiny'), '--strategies', 'shared-bottom', '--aa', '--no-report', '--seed', String(seed), '--db', db, '--json'], {
      env: { CROSSAB_FMA: '0' },
    });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    return { id: out.run_id as string, fingerprint: out.fingerprint as string };
  });
  const listed = await listRuns(db);
  assert.deepEqual(
    listed.map((r) => [r.run_id, Number(r.seed), r.status, r.backend]),
    [
      [runs[0].id, 7, 'complete', 'wasm'],
      [runs[1].id, 8, 'complete', 'wasm'],
    ],
  );
  const want = { scenario: 'tiny', seed: 8, version: VERSION, backend: 'wasm' };
  assert.deepEqual(
    (await completeRuns(db, { ...want, fingerprint: null })).map((r) => r.run_id),
    [runs[1].id],
  );
  assert.deepEqual(
    (await completeRuns(db, { ...want, fingerprint: runs[1].fingerprint })).map((r) => r.run_id),
    [runs[1].id],
  );
  for (const other of [{ fingerprint: runs[0].fingerprint }, { version: 'another-build' }, { backend: 'node' }, { seed: 9 }, { scenario: 'default' }])
    assert.deepEqual(await completeRuns(db, { ...want, fingerprint: null, ...other }), [], JSON.stringify(other));
  const store = await openDb(db);
  try {
    assert.equal((await runRecord(store, runs[0].id)).seed, 7);
    assert.equal(JSON.parse((await runRecord(store, runs[0].id)).scenarioJson).name, 'tiny');
    // A run left 'running' by a process that no longer exists (a pid no process has).
    await store.con.run(`UPDATE runs SET status = 'running', pid = 2147483646, pid_stamp = NULL WHERE run_id = '${runs[0].id}'`);
  } finally {
    store.close();
  }
  assert.equal((await listRuns(db))[0].status, 'interrupted');
  assert.deepEqual(
    (await completeRuns(db, { ...want, seed: 7, fingerprint: null })).map((r) => r.run_id),
    [],
    'an interrupted run is not reused',
  );
});
