import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalCdf, normalQuantile } from '../../../src/abtest/stats/distributions.js';
import { holmAdjust, benjaminiHochbergAdjust, adjustedInterval } from '../../../src/abtest/stats/multiplicity.js';

test('Holm and Benjamini–Hochberg adjust as R p.adjust does; NaN entries are outside the family', () => {
  // R: p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") = 0.03 0.06 0.06 0.02; "BH" = 0.02 0.04 0.04 0.02.
  const p = [0.01, 0.04, 0.03, 0.005];
  holmAdjust(p).forEach((v, i) => assert.ok(Math.abs(v - [0.03, 0.06, 0.06, 0.02][i]) < 1e-12, `holm ${i}: ${v}`));
  benjaminiHochbergAdjust(p).forEach((v, i) => assert.ok(Math.abs(v - [0.02, 0.04, 0.04, 0.02][i]) < 1e-12, `BH ${i}: ${v}`));
  // R: p.adjust(c(0.2, 0.6, 0.01), "holm") = 0.4 0.6 0.03; "BH" = 0.3 0.6 0.03 (and capped at 1).
  const q = [0.2, Number.NaN, 0.6, 0.01];
  assert.deepEqual(
    holmAdjust(q).map((v) => (Number.isNaN(v) ? 'NaN' : +v.toFixed(12))),
    [0.4, 'NaN', 0.6, 0.03],
  );
  assert.deepEqual(
    benjaminiHochbergAdjust(q).map((v) => (Number.isNaN(v) ? 'NaN' : +v.toFixed(12))),
    [0.3, 'NaN', 0.6, 0.03],
  );
});

test('an interval adjusted to its corrected p-value excludes 0 exactly when p̃ < α, is never narrower, and is unbounded at p̃ = 1', () => {
  const z = normalQuantile(0.975);
  for (const [lift, se, pAdj] of [
    [0.1, 0.03, 0.01],
    [0.1, 0.03, 0.049],
    [0.1, 0.03, 0.051],
    [-0.08, 0.02, 0.2],
    [0.02, 0.05, 0.9],
  ]) {
    const a = adjustedInterval(lift, se, pAdj);
    assert.equal(a.ciLow > 0 || a.ciHigh < 0, pAdj < 0.05, `${lift} ${se} ${pAdj}: [${a.ciLow}, ${a.ciHigh}]`);
    assert.ok(a.ciLow <= Math.expm1(Math.log1p(lift) - z * se) + 1e-15 && a.ciHigh >= Math.expm1(Math.log1p(lift) + z * se) - 1e-15);
  }
  // At p̃ equal to the unadjusted p-value it is the unadjusted interval.
  const p = 2 * normalCdf(-Math.log1p(0.1) / 0.03);
  const same = adjustedInterval(0.1, 0.03, p);
  assert.ok(Math.abs(same.ciLow - Math.expm1(Math.log1p(0.1) - z * 0.03)) < 1e-12);
  const open = adjustedInterval(0.1, 0.03, 1);
  assert.equal(open.ciLow, -1);
  assert.equal(open.ciHigh, Infinity);
});
