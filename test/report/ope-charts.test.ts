// The off-policy charts from stored rows: which estimates and pairs each draws.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compile } from 'vega-lite';
import { consistencyChart, opeChart } from '../../src/report/ope-charts.js';
import type { RunData } from '../../src/store/run-data.js';

const valuesOf = (spec: unknown) => (spec as { data: { values: Record<string, unknown>[] } }).data.values;

test('the estimates chart draws every estimator over all users but the self-normalised twins and the undefined, each beside the true CTR', () => {
  const row = (estimator: string, over: Record<string, unknown> = {}) => ({
    domain: 'head',
    strategy: 'star',
    estimator,
    segment: 'all',
    value: 0.05,
    ci_low: 0.04,
    ci_high: 0.06,
    true_value: 0.051,
    ...over,
  });
  const d = { ope: [row('ips'), row('sips'), row('rips'), row('dr'), row('dm', { value: null }), row('ips', { segment: 'cold' })] } as unknown as RunData;
  const c = opeChart(d);
  assert.deepEqual(
    valuesOf(c.spec).map((r) => r.estimator),
    ['ips', 'dr'],
  );
  assert.deepEqual(valuesOf(c.spec)[0], { domain: 'head', strategy: 'star', estimator: 'ips', value: 0.05, lo: 0.04, hi: 0.06, truth: 0.051 });
  assert.doesNotThrow(() => compile(c.spec));
});

test('the offline-vs-online chart draws a point per domain and strategy pair with both a signal difference and a true lift, not the all-domains row', () => {
  const pair = (domain: string, delta: number | null, trueLift: number | null) => ({
    signal: 'auc',
    domain,
    a: 'star',
    b: 'separate',
    delta,
    true_lift: trueLift,
    agrees: true,
  });
  const d = { pairs: [pair('head', 0.01, 0.02), pair('all', 0.01, 0.02), pair('tail', null, 0.01), pair('mid', 0.01, null)] } as unknown as RunData;
  const c = consistencyChart(d);
  assert.deepEqual(valuesOf(c.spec), [{ signal: 'auc', domain: 'head', pair: 'star vs separate', delta: 0.01, trueLift: 0.02, agrees: true }]);
  assert.doesNotThrow(() => compile(c.spec));
});
