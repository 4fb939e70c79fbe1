import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addUser,
  chiSquareSurvival,
  emptyRatio,
  normalCdf,
  ratioWithVariance,
  sampleRatioMismatch,
  normalQuantile,
  holmAdjust,
  benjaminiHochbergAdjust,
  logRatioLift,
  powerAt,
  minimumDetectableLift,
  usersToDetect,
  addUserWithCovariate,
  cupedLogRatioLift,
  emptyCovariateRatio,
  adjustedInterval,
  effectiveUsers,
  kishSize,
} from '../../src/abtest/stats.js';
import seedrandom from 'seedrandom';
import { assignArm } from '../../src/abtest/assign.js';

test('chi-square and normal tails match tabulated values', () => {
  assert.ok(Math.abs(chiSquareSurvival(3.841459, 1) - 0.05) < 1e-5);
  assert.ok(Math.abs(chiSquareSurvival(5.991465, 2) - 0.05) < 1e-5);
  assert.ok(Math.abs(chiSquareSurvival(11.0705, 5) - 0.05) < 1e-4);
  assert.ok(Math.abs(normalCdf(1.959964) - 0.975) < 1e-6);
  assert.ok(Math.abs(normalCdf(-1) - 0.158655) < 1e-5);
});

test('the delta method reduces to p(1-p)/n when every user has one impression', () => {
  const r = emptyRatio();
  for (let u = 0; u < 1000; u++) addUser(r, u % 10 === 0 ? 1 : 0, 1);
  const { ratio, variance } = ratioWithVariance(r);
  assert.equal(ratio, 0.1);
  assert.ok(Math.abs(variance - (0.1 * 0.9 * 1000) / 999 / 1000) < 1e-12);
});

test("clustered variance grows when a user's impressions are correlated", () => {
  // Same CTR, same impressions: 100 users × 10 impressions, clicks all-or-nothing per user vs spread.
  const clustered = emptyRatio();
  const spread = emptyRatio();
  for (let u = 0; u < 100; u++) {
    addUser(clustered, u % 10 === 0 ? 10 : 0, 10);
    addUser(spread, 1, 10);
  }
  assert.ok(ratioWithVariance(clustered).variance > 10 * ratioWithVariance(spread).variance);
});

test('relative lift: estimate, interval and p-value', () => {
  const c = emptyRatio();
  const t = emptyRatio();
  for (let u = 0; u < 20000; u++) {
    addUser(c, u % 10 === 0 ? 1 : 0, 1);
    addUser(t, u % 8 === 0 ? 1 : 0, 1);
  }
  const l = logRatioLift(t, c);
  assert.ok(Math.abs(l.lift - 0.25) < 1e-9);
  assert.ok(l.ciLow < 0.25 && l.ciHigh > 0.25 && l.ciLow > 0.15);
  assert.ok(l.pValue < 1e-6);
});

test('sample-ratio mismatch: a fair split passes, a skewed one is flagged', () => {
  assert.ok(sampleRatioMismatch([5000, 5050], [0.5, 0.5]).pValue > 0.5);
  assert.ok(sampleRatioMismatch([5000, 5600], [0.5, 0.5]).pValue < 1e-6);
  const counts = [0, 0, 0];
  for (let u = 0; u < 30000; u++) counts[assignArm(17, u, [0.5, 0.3, 0.2])]++;
  assert.ok(sampleRatioMismatch(counts, [0.5, 0.3, 0.2]).pValue > 0.001, `hash split ${counts}`);
  assert.ok(sampleRatioMismatch(counts, [1 / 3, 1 / 3, 1 / 3]).pValue < 1e-6);
});

test('normal quantiles match published tables', () => {
  // Abramowitz & Stegun table 26.5 / any z table.
  for (const [p, z] of [
    [0.975, 1.959963985],
    [0.8, 0.8416212336],
    [0.995, 2.575829304],
    [0.5, 0],
    [0.001, -3.090232306],
    [0.9999, 3.719016485],
  ]) {
    assert.ok(Math.abs(normalQuantile(p) - z) < 1e-8, `Φ⁻¹(${p}) = ${normalQuantile(p)}, table ${z}`);
  }
  assert.equal(normalQuantile(0), -Infinity);
  assert.ok(Number.isNaN(normalQuantile(1.5)));
});

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

/** Per-user (clicks, impressions) → the ratio and its delta-method variance, computed here from scratch. */
function byHand(users: [number, number][]): { ratio: number; variance: number } {
  const n = users.length;
  const mx = users.reduce((a, [x]) => a + x, 0) / n;
  const my = users.reduce((a, [, y]) => a + y, 0) / n;
  let vx = 0;
  let vy = 0;
  let cxy = 0;
  for (const [x, y] of users) {
    vx += (x - mx) ** 2;
    vy += (y - my) ** 2;
    cxy += (x - mx) * (y - my);
  }
  const r = mx / my;
  return { ratio: r, variance: (vx / (n - 1) - 2 * r * (cxy / (n - 1)) + r * r * (vy / (n - 1))) / (n * my * my) };
}

const clustered = (users: [number, number][]) => {
  const r = emptyRatio();
  for (const [x, y] of users) addUser(r, x, y);
  return r;
};

test('log-ratio lift: interval exp(log q ± z·se) − 1 from an independent computation; never below −100%; no certainty from zero variance', () => {
  const t: [number, number][] = Array.from({ length: 40 }, (_, u) => [(u * 7) % 5, 10 + (u % 4)]);
  const c: [number, number][] = Array.from({ length: 40 }, (_, u) => [(u * 3) % 4, 10 + (u % 3)]);
  const ht = byHand(t);
  const hc = byHand(c);
  const se = Math.sqrt(ht.variance / ht.ratio ** 2 + hc.variance / hc.ratio ** 2);
  const logQ = Math.log(ht.ratio / hc.ratio);
  const l = logRatioLift(clustered(t), clustered(c));
  assert.ok(Math.abs(l.seLog - se) < 1e-12);
  assert.ok(Math.abs(l.lift - (ht.ratio / hc.ratio - 1)) < 1e-12);
  assert.ok(Math.abs(l.ciLow - (Math.exp(logQ - 1.959963985 * se) - 1)) < 1e-8);
  assert.ok(Math.abs(l.ciHigh - (Math.exp(logQ + 1.959963985 * se) - 1)) < 1e-8);
  assert.ok(Math.abs(l.pValue - 2 * (1 - normalCdf(Math.abs(logQ / se)))) < 1e-12);
  // Two users, very noisy: the delta method on the ratio scale went to −303%; the log scale cannot.
  const tiny = logRatioLift(
    clustered([
      [0, 5],
      [1, 1],
    ]),
    clustered([
      [3, 5],
      [0, 5],
    ]),
  );
  assert.ok(tiny.ciLow > -1 && tiny.ciHigh > tiny.lift, JSON.stringify(tiny));
  // A treatment arm without a click: the estimate is −100% but there is no interval and no p-value.
  const zero = logRatioLift(
    clustered([
      [0, 5],
      [0, 4],
      [0, 6],
    ]),
    clustered([
      [1, 5],
      [0, 5],
      [2, 5],
    ]),
  );
  assert.equal(zero.lift, -1);
  assert.ok(Number.isNaN(zero.ciLow) && Number.isNaN(zero.pValue));
  // Identical users in both arms: zero variance is not certainty.
  const flat = logRatioLift(
    clustered([
      [1, 10],
      [1, 10],
    ]),
    clustered([
      [1, 10],
      [1, 10],
    ]),
  );
  assert.equal(flat.lift, 0);
  assert.ok(Number.isNaN(flat.pValue));
});

test('power, minimum detectable lift and users needed agree with the textbook formula', () => {
  const se = 0.05;
  const mde = minimumDetectableLift(se, 0.05, 0.8);
  // (1.959964 + 0.841621) · 0.05 = 0.1400793 on the log scale.
  assert.ok(Math.abs(Math.log(1 + mde) - 0.1400792609) < 1e-9, String(mde));
  // At the MDE the power is 80% plus the negligible opposite tail Φ(−d − z).
  assert.ok(Math.abs(powerAt(mde, se) - (0.8 + normalCdf(-2 * 1.959963985 - 0.8416212336))) < 1e-6);
  assert.ok(Math.abs(powerAt(0, se) - 0.05) < 1e-6, 'power at no effect is α');
  // Twice the effect on the log scale needs a quarter of the users.
  assert.equal(usersToDetect(1000, se, mde), 1000);
  assert.equal(usersToDetect(1000, se, Math.exp(2 * Math.log(1 + mde)) - 1), 250);
  assert.ok(Number.isNaN(usersToDetect(1000, se, 0)));
});

test('the normal CDF is exact to ~1e-14 relative in both tails (reference values: R pnorm, 17 digits)', () => {
  for (const [z, p] of [
    [-8, 6.22096057427178e-16],
    [-5, 2.866515718791939e-7],
    [-10, 7.619853024160527e-24],
    [-3, 0.0013498980316301035],
    [-1.959963984540054, 0.025],
    [1, 0.8413447460685429],
    [-0.1, 0.460172162722971],
  ])
    assert.ok(Math.abs(normalCdf(z) / p - 1) < 2e-14, `Φ(${z}) = ${normalCdf(z)}, R says ${p}`);
  for (const p of [0.025, 0.8, 1e-10, 0.999]) assert.ok(Math.abs(normalCdf(normalQuantile(p)) / p - 1) < 1e-13, `Φ(Φ⁻¹(${p}))`);
});

test("sample-ratio mismatch: an arm of weight 0 adds no degree of freedom (gbstats' check_srm: 2.0079e-5 for 1000 vs 1200); one weighted arm has nothing to test", () => {
  assert.ok(Math.abs(sampleRatioMismatch([1000, 1200], [0.5, 0.5]).pValue - 0.000020079) < 5e-10);
  assert.ok(Math.abs(sampleRatioMismatch([1000, 1200, 0], [0.5, 0.5, 0]).pValue - 0.000020079) < 5e-10);
  assert.equal(sampleRatioMismatch([1000, 900, 800], [1, 0, 0]).pValue, 1);
  assert.equal(sampleRatioMismatch([0, 0], [0.5, 0.5]).pValue, 1);
});

test('a cell with no spread is not analysable: a zero or negative variance estimate gives no interval, not certainty from the other arm', () => {
  const flat = emptyRatio();
  for (let u = 0; u < 50; u++) addUser(flat, 1, 10);
  const spread = emptyRatio();
  for (let u = 0; u < 50; u++) addUser(spread, u % 3, 10);
  assert.equal(ratioWithVariance(flat).variance, 0);
  const l = logRatioLift(spread, flat);
  assert.ok(Math.abs(l.lift - (spread.sumX / spread.sumY / 0.1 - 1)) < 1e-12);
  assert.ok(Number.isNaN(l.ciLow) && Number.isNaN(l.pValue) && Number.isNaN(l.seLog), JSON.stringify(l));
  // Rounding can leave Var(x − R·y) a hair below zero; that is no spread either, never a clamp to 0.
  const odd = { users: 3, sumX: 0.3, sumY: 3, sumXX: 0.030000000000000002 - 1e-17, sumYY: 3, sumXY: 0.3 };
  const v = ratioWithVariance(odd).variance;
  assert.ok(v === 0 || Number.isNaN(v), `${v}`);
});

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

test("Kish's effective size: n for n equal weights, 1 for one weight carrying everything, 0 for none; a cell's users are weighed by impressions", () => {
  assert.equal(kishSize(5 * 2, 5 * 4), 5);
  assert.equal(kishSize(7, 49), 1);
  assert.equal(kishSize(0, 0), 0);
  // Users with 1, 1, 2 impressions: (4)² / (1 + 1 + 4) = 2.67 equally active users.
  const r = emptyCovariateRatio();
  for (const y of [1, 1, 2]) addUserWithCovariate(r, 0, y, 0, 0);
  assert.equal(effectiveUsers(r), 16 / 6);
});
