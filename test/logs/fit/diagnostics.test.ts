// The fit's concentration measures: Gini over items and the top decile's share.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { concentration } from '../../../src/logs/fit/diagnostics.js';

test('Gini of a distribution over items and the top 10%’s share: 0 and a tenth for equal items, 0.9 and all for one of ten', () => {
  assert.deepEqual(concentration([1, 1, 1, 1]), { gini: 0, top10: 0.25 });
  const c = concentration([0, 0, 0, 0, 0, 0, 0, 0, 0, 10]);
  assert.ok(Math.abs(c.gini - 0.9) < 1e-12 && c.top10 === 1);
  assert.deepEqual(concentration([]), { gini: Number.NaN, top10: Number.NaN });
  // Order does not matter; scale does not matter.
  assert.deepEqual(concentration([3, 1, 2]), concentration([20, 30, 10]));
});
