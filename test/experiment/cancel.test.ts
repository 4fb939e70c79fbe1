// Interrupting a run: a run in progress is marked cancelled in the store, a run writing its final
// transaction is let finish, a handle with no run yet has nothing to mark, and a handle over several
// runs (check's seeds) reports the strongest of what happened to them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { cancelRun, newHandle } from '../../src/experiment/cancel.js';
import { startRun } from '../../src/store/runs.js';

test('cancelled, finished or not started, as the handle stands', async () => {
  const db = join(mkdtempSync(join(tmpdir(), 'crossab-cancel-')), 'store.duckdb');
  const meta = {
    scenario: 'tiny',
    scenarioJson: '{}',
    seed: 7,
    salt: 7,
    backend: 'wasm',
    version: 'v',
    fingerprint: 'f',
    strategies: ['separate'],
    arms: null,
    control: null,
  };
  await startRun(db, { ...meta, runId: 'r1' });
  const running = { ...newHandle(db), runId: 'r1' };
  assert.equal(await cancelRun(running), 'cancelled');
  const inst = await DuckDBInstance.create(db, { access_mode: 'READ_ONLY' });
  const con = await inst.connect();
  const row = (await con.runAndReadAll("SELECT status, error FROM runs WHERE run_id = 'r1'")).getRowObjects()[0];
  con.closeSync();
  inst.closeSync();
  assert.deepEqual([row.status, row.error], ['cancelled', 'interrupted']);

  let wrote = false;
  const finishing = {
    ...newHandle(db),
    runId: 'r2',
    finishing: new Promise<void>((r) =>
      setTimeout(() => {
        wrote = true;
        r();
      }, 20),
    ),
  };
  assert.equal(await cancelRun(finishing), 'finished');
  assert.ok(wrote, 'waited for the final write');
  assert.equal(await cancelRun(newHandle(db)), 'not started');
  const many = { ...newHandle(db), others: new Set([newHandle(db), finishing]) };
  assert.equal(await cancelRun(many), 'finished');
});
