import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compile } from 'vega-lite';
import { designChart, feedbackChart } from '../../src/report/feedback-charts.js';
import type { RunData } from '../../src/store/run-data.js';

const design = (name: string, domain: string, estimate: number) => ({
  run_id: 'r',
  design: name,
  treatment: 'thompson',
  control: 'most-popular',
  domain,
  global_lift: 0.45,
  estimate,
  ci_low: estimate - 0.125,
  ci_high: estimate + 0.125,
  p_value: 0.001,
  assignments: 20,
  mean_estimate: estimate + 0.0625,
  bias: estimate + 0.0625 - 0.45,
  rmse: 0.1,
  sd: 0.05,
  coverage: 0.5,
  decision_accuracy: 1,
});

test('the design chart: one panel per domain, each design its test as run and its mean estimate, against the global lift; the spec compiles', () => {
  const d = {
    designs: [design('pooled', 'all', 0.31), design('diverted', 'all', 0.375), design('pooled', 'video', 0.35), design('diverted', 'video', 0.4)],
  } as unknown as RunData;
  const c = designChart(d);
  assert.equal(c.id, 'feedback-designs');
  assert.match(c.title, /thompson against most-popular.*mean over 20 re-randomisations/);
  const spec = c.spec as unknown as { data: { values: Record<string, unknown>[] }; spec: { layer: unknown[] } };
  assert.deepEqual(spec.data.values[1], { design: 'diverted', domain: 'all', estimate: 0.375, low: 0.25, high: 0.5, mean: 0.4375, global: 0.45 });
  assert.equal(spec.spec.layer.length, 4);
  assert.doesNotThrow(() => compile(c.spec));
});

test('the feedback chart: Gini and true CTR by round per participant, and the spec compiles', () => {
  const d = {
    feedback: [1, 2].map((round) => ({
      run_id: 'r',
      participant: 'pop',
      kind: 'learner',
      round,
      domain: 'head',
      impressions: 10,
      coverage: 1,
      gini: 0.1 * round,
      top_share: 0.1,
      true_ctr: 0.05,
      clicks: 1,
    })),
  } as unknown as RunData;
  const c = feedbackChart(d);
  const values = (c.spec as unknown as { data: { values: { participant: string; metric: string; value: number }[] } }).data.values;
  assert.deepEqual(
    values.filter((v) => v.metric === 'exposure Gini').map((v) => v.value),
    [0.1, 0.2],
  );
  assert.equal(values[0].participant, 'pop (learner)');
  assert.doesNotThrow(() => compile(c.spec));
});
