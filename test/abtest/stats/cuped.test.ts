import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyCovariateRatio, addUserWithCovariate, cupedLogRatioLift } from '../../../src/abtest/stats/cuped.js';
import { logRatioLift, kishSize, effectiveUsers } from '../../../src/abtest/stats/ratio.js';
import seedrandom from 'seedrandom';

test('CUPED with pre-period history in one arm only leaves the plain estimate and interval (it narrowed them before: se 0.198 for 0.291)', () => {
  const t = emptyCovariateRatio();
  const c = emptyCovariateRatio();
  for (const [x, y, p, q] of [
    [1, 10, 1, 10],
    [2, 10, 2, 10],
    [3, 10, 3, 10],
    [4, 10, 4, 10],
    [5, 10, 4, 10],
    [6, 10, 6, 10],
  ])
    addUserWithCovariate(t, x, y, p, q);
  for (const x of [1, 2, 3, 3, 4, 5]) addUserWithCovariate(c, x, 10, 0, 0);
  const plain = logRatioLift(t, c);
  const cuped = cupedLogRatioLift(t, c);
  assert.ok(Math.abs(plain.lift - 1 / 6) < 1e-12 && Math.abs(plain.seLog - 0.291) < 5e-4, `${plain.lift} ${plain.seLog}`);
  assert.ok(Math.abs(plain.ciLow + 0.34) < 0.005 && Math.abs(plain.ciHigh - 1.06) < 0.005, `[${plain.ciLow}, ${plain.ciHigh}]`);
  assert.equal(cuped.seLog, plain.seLog);
  assert.equal(cuped.ciLow, plain.ciLow);
  assert.equal(cuped.ciHigh, plain.ciHigh);
  assert.equal(cuped.varianceReduction, 0);
});

test('CUPED never reports a negative variance reduction: 2,000 random cells with unequal arms, partial history and opposite lifts', () => {
  const rng = seedrandom('cuped-nonnegative');
  let least = Infinity;
  for (let k = 0; k < 2000; k++) {
    const arm = (n: number, lift: number, history: number, link: number) => {
      const r = emptyCovariateRatio();
      for (let u = 0; u < n; u++) {
        const y = 1 + Math.floor(rng() * 20);
        const rate = 0.02 + 0.3 * rng() ** 2;
        const x = Math.round(y * Math.min(1, rate * (1 + lift)) + (rng() - 0.5) * 2);
        const has = rng() < history;
        const q = has ? 1 + Math.floor(rng() * 30) : 0;
        const p = has ? Math.round(q * (link * rate + (1 - link) * 0.3 * rng())) : 0;
        addUserWithCovariate(r, Math.max(0, x), y, p, q);
      }
      return r;
    };
    const t = arm(20 + Math.floor(rng() * 400), rng() - 0.5, 0.05 + rng(), rng());
    const c = arm(20 + Math.floor(rng() * 400), 0, 0.05 + rng(), rng());
    const r = cupedLogRatioLift(t, c);
    if (Number.isFinite(r.varianceReduction)) least = Math.min(least, r.varianceReduction);
  }
  assert.ok(least >= 0, `least variance reduction ${least}`);
});

test("Kish's effective size: n for n equal weights, 1 for one weight carrying everything, 0 for none; a cell's users are weighed by impressions", () => {
  assert.equal(kishSize(5 * 2, 5 * 4), 5);
  assert.equal(kishSize(7, 49), 1);
  assert.equal(kishSize(0, 0), 0);
  // Users with 1, 1, 2 impressions: (4)² / (1 + 1 + 4) = 2.67 equally active users.
  const r = emptyCovariateRatio();
  for (const y of [1, 1, 2]) addUserWithCovariate(r, 0, y, 0, 0);
  assert.equal(effectiveUsers(r), 16 / 6);
});
