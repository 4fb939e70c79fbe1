// An estimator's record over cells: Wilson's interval against its closed form, and the relative
// errors, coverage and ESS from a handful of hand-made cells.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimatorRecord, wilson } from '../../src/ope/summary.js';

test("Wilson's interval: 172 of 180 is 91.5%–97.7%, and it stays inside [0, 1] at 0 and n", () => {
  const [lo, hi] = wilson(172, 180);
  assert.ok(Math.abs(lo - 0.91476) < 1e-5 && Math.abs(hi - 0.97731) < 1e-5, `${lo} ${hi}`);
  assert.equal(wilson(0, 10)[0], 0);
  const top = wilson(10, 10)[1];
  assert.ok(top <= 1 && top > 1 - 1e-12, `${top}`);
});

test('the record: relative bias and its standard error, RMSE, coverage over cells with an interval, unidentified cells left out', () => {
  const r = estimatorRecord([
    { value: 0.11, truth: 0.1, covered: true, essShare: 0.2 },
    { value: 0.09, truth: 0.1, covered: false, essShare: 0.4 },
    { value: 0.12, truth: 0.1, covered: true, essShare: null },
    { value: null, truth: 0.1, covered: null, essShare: null },
  ]);
  assert.equal(r.cells, 4);
  assert.equal(r.estimated, 3);
  assert.ok(Math.abs(r.coverage - 2 / 3) < 1e-12);
  assert.ok(Math.abs(r.bias - 0.2 / 3) < 1e-12);
  assert.ok(Math.abs(r.rmse - Math.sqrt((0.01 + 0.01 + 0.04) / 3)) < 1e-12);
  assert.ok(Math.abs(r.biasSe - r.sd / Math.sqrt(3)) < 1e-15);
  assert.ok(Math.abs(r.essShare - 0.3) < 1e-12);
});
