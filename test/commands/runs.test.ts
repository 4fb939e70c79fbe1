// `crossab runs`: an empty store says so; a store's runs as a table and as JSON, one row each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../../src/store/db.js';
import { engineName } from '../../src/tf/backend.js';
import { crossab } from '../helpers/cli.js';
import { scenarioPath } from '../helpers/scenarios.js';

test('crossab runs lists a store’s runs, says when there are none, and prints JSON with --json', async () => {
  const db = join(mkdtempSync(join(tmpdir(), 'crossab-runs-')), 'runs.duckdb');
  (await openDb(db)).close();
  const empty = crossab(['runs', '--db', db]);
  assert.equal(empty.code, 0, empty.stderr);
  assert.equal(empty.stdout, 'no runs yet\n');
  assert.deepEqual(JSON.parse(crossab(['runs', '--db', db, '--json']).stdout), []);
  const run = crossab(['run', scenarioPath('tiny'), '--strategies', 'shared-bottom', '--aa', '--no-report', '--db', db, '--json']);
  assert.equal(run.code, 0, run.stderr);
  const id = JSON.parse(run.stdout).run_id as string;
  const rows = JSON.parse(crossab(['runs', '--db', db, '--json']).stdout) as {
    run_id: string;
    scenario: string;
    seed: number;
    status: string;
    backend: string;
  }[];
  assert.equal(rows.length, 1);
  assert.deepEqual([rows[0].run_id, rows[0].scenario, rows[0].seed, rows[0].status, rows[0].backend], [id, 'tiny', 7, 'complete', engineName('wasm')]);
  // By default the kernels fuse multiply-add where V8 can (wasm-fma); the stored engine says which.
  assert.match(rows[0].backend, /^wasm(-fma)?$/);
  const text = crossab(['runs', '--db', db]).stdout.trimEnd().split('\n');
  assert.match(text[0], /^run +scenario +seed +status +started +seconds +backend +fingerprint *$/);
  assert.equal(text.length, 3, 'a header, its rule, one run');
  assert.match(text[2], new RegExp(`^${id} +tiny +7 +complete +`));
});
