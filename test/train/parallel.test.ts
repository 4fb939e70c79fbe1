// Training on worker threads gives the same numbers as training in one thread.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scenarioPath } from '../helpers/scenarios.js';
import { crossab } from '../helpers/cli.js';

test('run with 2 workers equals run with 1: offline metrics, A/B readout and stored rows to the last digit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossab-par-'));
  const out = (workers: string) => {
    const r = crossab([
      'run',
      scenarioPath('tiny'),
      '--json',
      '--no-report',
      '--workers',
      workers,
      '--db',
      join(dir, `w${workers}.duckdb`),
      '--strategies',
      'separate,shared-bottom,mmoe,maml',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const o = JSON.parse(r.stdout);
    for (const k of ['run_id', 'db', 'stages', 'wall_seconds', 'peak_rss_mb']) delete o[k];
    return o;
  };
  const serial = out('1');
  const parallel = out('2');
  assert.ok(Object.keys(serial.offline).length === 4);
  assert.deepEqual(parallel, serial);
});

test('--workers takes a whole number from 1 to 64', () => {
  for (const bad of ['0', 'two', '65']) {
    const r = crossab(['train', scenarioPath('tiny'), '--workers', bad]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--workers must be/);
  }
});
