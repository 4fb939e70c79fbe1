import { test } from 'node:test';
import assert from 'node:assert/strict';
import { familyOf, GRADE_METRICS, METRIC_FAMILIES, OFFLINE_METRICS } from '../../src/scenario/metrics.js';

test('every expectation metric belongs to exactly one family, and familyOf finds it', () => {
  const all = Object.values(METRIC_FAMILIES).flat();
  assert.equal(new Set(all).size, all.length, 'no metric is in two families');
  for (const [family, metrics] of Object.entries(METRIC_FAMILIES)) for (const m of metrics) assert.equal(familyOf(m), family, m);
  assert.equal(familyOf(OFFLINE_METRICS[0]), 'offline');
  assert.equal(familyOf(GRADE_METRICS.at(-1)!), 'grade');
  assert.equal(familyOf('no_such_metric'), undefined);
});
