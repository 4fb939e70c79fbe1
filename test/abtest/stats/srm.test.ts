import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sampleRatioMismatch } from '../../../src/abtest/stats/srm.js';
import { assignArm } from '../../../src/world/assign.js';

test('sample-ratio mismatch: a fair split passes, a skewed one is flagged', () => {
  assert.ok(sampleRatioMismatch([5000, 5050], [0.5, 0.5]).pValue > 0.5);
  assert.ok(sampleRatioMismatch([5000, 5600], [0.5, 0.5]).pValue < 1e-6);
  const counts = [0, 0, 0];
  for (let u = 0; u < 30000; u++) counts[assignArm(17, u, [0.5, 0.3, 0.2])]++;
  assert.ok(sampleRatioMismatch(counts, [0.5, 0.3, 0.2]).pValue > 0.001, `hash split ${counts}`);
  assert.ok(sampleRatioMismatch(counts, [1 / 3, 1 / 3, 1 / 3]).pValue < 1e-6);
});

test("sample-ratio mismatch: an arm of weight 0 adds no degree of freedom (gbstats' check_srm: 2.0079e-5 for 1000 vs 1200); one weighted arm has nothing to test", () => {
  assert.ok(Math.abs(sampleRatioMismatch([1000, 1200], [0.5, 0.5]).pValue - 0.000020079) < 5e-10);
  assert.ok(Math.abs(sampleRatioMismatch([1000, 1200, 0], [0.5, 0.5, 0]).pValue - 0.000020079) < 5e-10);
  assert.equal(sampleRatioMismatch([1000, 900, 800], [1, 0, 0]).pValue, 1);
  assert.equal(sampleRatioMismatch([0, 0], [0.5, 0.5]).pValue, 1);
});
