import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judge } from '../../src/check/judge.js';
import { studentTCdf, studentTQuantile } from '../../src/abtest/student-t.js';

test('Student t quantiles match published tables', () => {
  // Two-sided 95%: df 1 → 12.706, 2 → 4.303, 4 → 2.776, 10 → 2.228, 30 → 2.042; large df → 1.960.
  for (const [df, q] of [
    [1, 12.7062],
    [2, 4.3027],
    [4, 2.7764],
    [10, 2.2281],
    [30, 2.0423],
    [100000, 1.96],
  ]) {
    assert.ok(Math.abs(studentTQuantile(0.975, df) - q) < 1e-3, `df ${df}: ${studentTQuantile(0.975, df)}`);
  }
  assert.ok(Math.abs(studentTQuantile(0.95, 5) - 2.015) < 1e-3);
  assert.ok(Math.abs(studentTCdf(0, 7) - 0.5) < 1e-12);
  assert.ok(Math.abs(studentTCdf(-2.228, 10) - 0.025) < 1e-4);
});

test('verdicts: pass when the interval clears the threshold, fail when it misses it, inconclusive when it straddles it', () => {
  const at = (values: number[], atLeast?: number, atMost?: number, over: 'mean' | 'every-seed' = 'mean') =>
    judge(values, { atLeast, atMost, over, confidence: 0.95 });
  // mean 0.05, sd 0.01, n 3: half-width 4.303 · 0.01 / √3 = 0.0248.
  const j = at([0.04, 0.05, 0.06], 0.02);
  assert.equal(j.verdict, 'pass');
  assert.ok(Math.abs(j.ciLow - (0.05 - 0.024843)) < 1e-5 && Math.abs(j.ciHigh - (0.05 + 0.024843)) < 1e-5);
  assert.equal(at([0.04, 0.05, 0.06], 0.03).verdict, 'inconclusive');
  assert.equal(at([0.04, 0.05, 0.06], 0.08).verdict, 'fail');
  assert.equal(at([0.04, 0.05, 0.06], undefined, 0.08).verdict, 'pass');
  assert.equal(at([0.04, 0.05, 0.06], undefined, 0.02).verdict, 'fail');
  assert.equal(at([0.04, 0.05, 0.06], undefined, 0.06).verdict, 'inconclusive');
  assert.equal(at([0.05], 0.0).verdict, 'inconclusive', 'one seed has no interval');
  assert.match(at([0.05], 0.0).reason, /one seed/);
  assert.equal(at([0.01, 0.02, -0.001], 0, undefined, 'every-seed').verdict, 'fail');
  assert.equal(at([0.01, 0.02, 0.001], 0, undefined, 'every-seed').verdict, 'pass');
  assert.equal(at([0.01, NaN, 0.02], 0).verdict, 'inconclusive');
  // Identical values: a zero-width interval decides.
  assert.equal(at([0.01, 0.01, 0.01], 0).verdict, 'pass');
});
