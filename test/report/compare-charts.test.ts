// `crossab compare`'s charts: every run's AUC and CTR lift, labelled by run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compile } from 'vega-lite';
import { compareCharts } from '../../src/report/compare-charts.js';
import type { RunData } from '../../src/store/run-data.js';

const valuesOf = (spec: unknown) => (spec as { data: { values: Record<string, unknown>[] } }).data.values;

test("two runs side by side: each run's overall and per-domain AUC without the constant reference, and its CTR lifts over all users", () => {
  const runOf = (id: string, seed: number, auc: number) =>
    ({
      run: { run_id: id, seed },
      offline: [
        { strategy: 'star', target: 'click', scope: 'overall', key: '', auc },
        { strategy: 'star', target: 'click', scope: 'domain', key: 'head', auc: auc + 0.01 },
        { strategy: 'constant', target: 'click', scope: 'overall', key: '', auc: 0.5 },
        { strategy: 'star', target: 'conversion', scope: 'overall', key: '', auc: 0.9 },
        { strategy: 'star', target: 'click', scope: 'segment', key: 'cold', auc: 0.6 },
      ],
      abLifts: [
        { metric: 'ctr', segment: 'all', arm: 'star', domain: 'head', lift: 0.01, ci_low: 0, ci_high: 0.02, true_lift: 0.012 },
        { metric: 'ctr', segment: 'cold', arm: 'star', domain: 'head', lift: 0.5, ci_low: 0, ci_high: 1, true_lift: 0.4 },
      ],
    }) as unknown as RunData;
  const [auc, lifts] = compareCharts([runOf('a', 1, 0.7), runOf('b', 2, 0.72)]);
  assert.deepEqual(
    valuesOf(auc.spec).map((r) => [r.run, r.seed, r.domain, r.auc]),
    [
      ['a', 1, 'all', 0.7],
      ['a', 1, 'head', 0.71],
      ['b', 2, 'all', 0.72],
      ['b', 2, 'head', 0.73],
    ],
  );
  assert.deepEqual(valuesOf(lifts.spec), [
    { run: 'a', arm: 'star', domain: 'head', lift: 0.01, lo: 0, hi: 0.02, truth: 0.012 },
    { run: 'b', arm: 'star', domain: 'head', lift: 0.01, lo: 0, hi: 0.02, truth: 0.012 },
  ]);
  for (const c of [auc, lifts]) assert.doesNotThrow(() => compile(c.spec));
});
