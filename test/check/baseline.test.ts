// check --baseline's comparison: every stored metric of the baseline run against the candidates' mean,
// a move beyond the tolerance in the bad direction a regression (log loss: up; AUC, GAUC, lift: down),
// in the good one an improvement, a metric the candidates lack 'missing'; and how each becomes a case.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareWithBaseline, DEFAULT_TOLERANCES, moveCase, type Move } from '../../src/check/baseline.js';
import { openDb } from '../../src/store/db.js';
import { crossab } from '../helpers/cli.js';
import { scenarioPath } from '../helpers/scenarios.js';

test('compareWithBaseline: a run against itself moves nothing; against another seed each move has the status its sign and size give; several candidates are averaged', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'crossab-baseline-')), 'b.duckdb');
  const run = (seed: number, strategies: string) => {
    const r = crossab(['run', scenarioPath('tiny'), '--strategies', strategies, '--no-report', '--seed', String(seed), '--db', path, '--json']);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout).run_id as string;
  };
  const a = run(7, 'separate,shared-bottom,mmoe');
  const b = run(8, 'mmoe,shared-bottom,separate');
  const c = run(9, 'shared-bottom');
  const db = await openDb(path);
  try {
    const self = await compareWithBaseline(db, a, [a], DEFAULT_TOLERANCES);
    assert.ok(self.length > 20);
    assert.ok(
      self.every((m) => m.status === 'ok' && m.delta === 0),
      'the baseline against itself',
    );
    assert.ok(self.some((m) => m.metric === 'lift') && self.some((m) => m.metric === 'logloss'));
    const other = await compareWithBaseline(db, a, [b], DEFAULT_TOLERANCES);
    assert.ok(
      other.some((m) => m.status !== 'ok'),
      'another seed moves something beyond 0.003',
    );
    for (const m of other) {
      const gain = m.metric === 'logloss' ? -m.delta : m.delta;
      const tol = DEFAULT_TOLERANCES[m.metric as keyof typeof DEFAULT_TOLERANCES];
      const want = gain < -tol ? 'regressed' : gain > tol ? 'improved' : 'ok';
      assert.equal(m.status, want, `${m.metric} ${m.what}: delta ${m.delta}`);
    }
    const both = await compareWithBaseline(db, a, [b, c], DEFAULT_TOLERANCES);
    assert.ok(
      both.filter((m) => m.what.startsWith('mmoe')).length > 0 && both.filter((m) => m.what.startsWith('mmoe')).every((m) => m.status === 'missing'),
      'mmoe is not in the seed-9 run',
    );
    const alone = (await compareWithBaseline(db, a, [c], DEFAULT_TOLERANCES)).find((m) => m.metric === 'auc' && m.what === 'shared-bottom overall')!;
    const first = other.find((m) => m.metric === 'auc' && m.what === 'shared-bottom overall')!;
    const mean = both.find((m) => m.metric === 'auc' && m.what === 'shared-bottom overall')!;
    assert.ok(Math.abs(mean.candidate - (first.candidate + alone.candidate) / 2) < 1e-15, 'the candidates’ mean');
  } finally {
    db.close();
  }
});

test('moveCase: a regression or a missing metric fails with the reason, an improvement or a move within tolerance passes', () => {
  const move = (status: Move['status'], delta: number): Move => ({ metric: 'auc', what: 'mmoe overall', baseline: 0.7, candidate: 0.7 + delta, delta, status });
  assert.deepEqual(
    [move('regressed', -0.01), move('improved', 0.01), move('ok', 0.001), move('missing', NaN)].map((m) => {
      const c = moveCase(m, DEFAULT_TOLERANCES);
      return [c.name, c.verdict, c.reason];
    }),
    [
      ['auc mmoe overall', 'fail', 'moved -0.0100 (worse; tolerance 0.003)'],
      ['auc mmoe overall', 'pass', 'improved by 0.0100'],
      ['auc mmoe overall', 'pass', 'within tolerance'],
      ['auc mmoe overall', 'fail', 'in the baseline but not in the new run'],
    ],
  );
});
