// crossab's GrowthBook-convention tests against the values gbstats' own test suite publishes
// (growthbook/growthbook, packages/stats/tests/frequentist/test_tests.py and test_gbstats.py), to the
// five decimals those tests round to.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cupedLogRatioLift, emptyCovariateRatio } from '../../src/abtest/stats/cuped.js';
import { sampleRatioMismatch } from '../../src/abtest/stats/srm.js';
import { studentTQuantile } from '../../src/abtest/student-t.js';
import {
  cupedEffect,
  effect,
  oneSided,
  pooledTheta,
  proportion,
  sampleMean,
  sequentialTwoSided,
  twoSided,
  type CovariateSums,
  type Effect,
} from '../../src/abtest/welch.js';

/** Equal at gbstats' rounding (np.round to 5 decimals): within half a unit of the fifth decimal, plus float slack. */
const near = (got: number, want: number, label: string, decimals = 5) =>
  assert.ok(Math.abs(got - want) <= 0.5 * 10 ** -decimals + 1e-12, `${label}: ${got} vs gbstats ${want}`);

const must = (e: Effect | null): Effect => {
  assert.ok(e, 'the effect is analysable');
  return e;
};

/** A gbstats FrequentistTestResult, as its test states it: expected, ci, the uplift's sd, p. */
function matches(e: Effect, r: { ciLow: number; ciHigh: number; pValue: number }, want: { expected: number; ci: [number, number]; sd: number; p: number }) {
  near(e.estimate, want.expected, 'expected');
  near(r.ciLow, want.ci[0], 'ci low');
  near(r.ciHigh, want.ci[1], 'ci high');
  near(e.se, want.sd, 'uplift sd');
  near(r.pValue, want.p, 'p');
}

// The arms every gbstats frequentist test uses: control mean 0.41, treatment 0.70 (n = 3407 or 3000 vs 3461).
const A3407 = sampleMean(1396.87, 52377.9767, 3407);
const A3000 = sampleMean(1396.87, 52377.9767, 3000);
const B = sampleMean(2422.7, 134698.29, 3461);

test('TwoSidedTTest, relative (test_two_sided_ttest): 0.70732, ci (−0.03526, 1.44989), sd 0.37879, p 0.06191', () => {
  const e = must(effect(A3407, B));
  const r = twoSided(e);
  matches(e, r, { expected: 0.70732, ci: [-0.03526, 1.44989], sd: 0.37879, p: 0.06191 });
});

test('TwoSidedTTest, absolute (test_two_sided_ttest_absolute): 0.29, ci (0.04538, 0.53462), sd 0.12478, p 0.02016', () => {
  const e = must(effect(A3407, B, 'absolute'));
  const r = twoSided(e);
  matches(e, r, { expected: 0.29, ci: [0.04538, 0.53462], sd: 0.12478, p: 0.02016 });
});

test('TwoSidedTTest, binomial (test_two_sided_ttest_binom): 14/28 vs 16/30 is 0.06667, ci (−0.47767, 0.61101), sd 0.2717, p 0.80707', () => {
  const e = must(effect(proportion(14, 28), proportion(16, 30)));
  const r = twoSided(e);
  matches(e, r, { expected: 0.06667, ci: [-0.47767, 0.61101], sd: 0.2717, p: 0.80707 });
});

test('a control of two units with no spread left is not analysed (test_two_sided_ttest_missing_variance: the default output)', () => {
  assert.equal(effect(sampleMean(1396.87, 52377.9767, 2), B), null);
  assert.equal(effect(sampleMean(4, 8, 2), B), null);
});

test('One-sided tests (TestOneSidedGreaterTTest, TestOneSidedLesserTTest), relative and absolute', () => {
  const rel = must(effect(A3000, B));
  const abs = must(effect(A3000, B, 'absolute'));
  near(rel.estimate, 0.5033610858562358, 'relative expected');
  near(rel.se, 0.3334122146400735, 'relative sd');
  near(abs.estimate, 0.23437666666666668, 'absolute expected');
  near(abs.se, 0.12983081254184736, 'absolute sd');
  const g = oneSided(rel, 'greater');
  near(g.ciLow, -0.045136675850396046, 'greater, relative: ci low');
  assert.equal(g.ciHigh, Infinity);
  near(g.pValue, 0.06558262868467746, 'greater, relative: p');
  const ga = oneSided(abs, 'greater');
  near(ga.ciLow, 0.020791480063255735, 'greater, absolute: ci low');
  near(ga.pValue, 0.03554272489873023, 'greater, absolute: p');
  const l = oneSided(rel, 'lesser');
  assert.equal(l.ciLow, -Infinity);
  near(l.ciHigh, 1.0518588475628676, 'lesser, relative: ci high');
  near(l.pValue, 0.9344173713153225, 'lesser, relative: p');
  const la = oneSided(abs, 'lesser');
  near(la.ciHigh, 0.44796185327007765, 'lesser, absolute: ci high');
  near(la.pValue, 0.9644572751012698, 'lesser, absolute: p');
});

test('SequentialTwoSidedTTest (test_sequential_test_runs, N* = 1000): 0.50336, ci (−0.55844, 1.56516), sd 0.33341, p 1', () => {
  const e = must(effect(A3000, B));
  const r = sequentialTwoSided(e, 1000);
  matches(e, r, { expected: 0.50336, ci: [-0.55844, 1.56516], sd: 0.33341, p: 1 });
});

test('SequentialTwoSidedTTest on proportions (test_sequential_test_runs_prop, N* = 5000): 0.50386, ci (0.40098, 0.60675), sd 0.03386, p 0', () => {
  const e = must(effect(proportion(1396, 3000), proportion(2422, 3461)));
  const r = sequentialTwoSided(e);
  matches(e, r, { expected: 0.50386, ci: [0.40098, 0.60675], sd: 0.03386, p: 0 });
});

test('the sequential interval is tightest near N* (test_sequential_test_tuning_as_expected)', () => {
  const e = must(effect(A3000, B));
  const width = (nStar: number) => {
    const r = sequentialTwoSided(e, nStar);
    return r.ciHigh - r.ciLow;
  };
  assert.ok(width(10) > width(10_000) && width(10) > width(6461) && width(10_000) > width(6461));
});

test('CUPED with the pooled θ, sequential (test_sequential_test_runs_ra): 0.50338, ci (−0.50969, 1.51646), sd 0.33341', () => {
  const a: CovariateSums = { n: 3000, sum: 1396.87, sumSquares: 52377.9767, preSum: 16.87, preSumSquares: 527.9767, crossSum: 1 };
  const b: CovariateSums = { n: 3461, sum: 2422.7, sumSquares: 134698.29, preSum: 22.7, preSumSquares: 1348.29, crossSum: 1 };
  assert.ok(pooledTheta(a, b) !== 0);
  const e = must(cupedEffect(a, b));
  const r = sequentialTwoSided(e);
  matches(e, r, { expected: 0.50338, ci: [-0.50969, 1.51646], sd: 0.33341, p: 1 });
});

test('check_srm (test_gbstats.py test_srm): 1000 vs 1200 at 50/50 is p = 0.000020079', () => {
  near(sampleRatioMismatch([1000, 1200], [0.5, 0.5]).pValue, 0.000020079, 'srm p', 9);
});

test("a deliberate difference, CUPED on a ratio metric (test_two_sided_ttest_test_runs_ratio_ra): crossab's log-scale θ gives the same estimate to 1e-5 and an interval 2.4% narrower than gbstats' (−0.0007, ci (−0.00841, 0.00700), p 0.85771)", () => {
  // The same per-user sums, as crossab's CovariateRatio: x, y the post-period numerator and denominator, p, q the pre-period's.
  const arm = (n: number, m: number[], d: number[], mp: number[], dp: number[], x: number[]) => {
    const r = emptyCovariateRatio();
    Object.assign(r, {
      users: n,
      sumX: m[0],
      sumXX: m[1],
      sumY: d[0],
      sumYY: d[1],
      sumP: mp[0],
      sumPP: mp[1],
      sumQ: dp[0],
      sumQQ: dp[1],
      sumXP: x[0],
      sumYQ: x[1],
      sumPQ: x[2],
      sumXY: x[3],
      sumXQ: x[4],
      sumYP: x[5],
    });
    return r;
  };
  const a = arm(
    100,
    [485.112236689623, 2715.484666118136],
    [679.9093275844917, 4939.424001640236],
    [192.59138069991536, 460.076026390857],
    [290.1398399750233, 920.9461385038898],
    [1113.6215759318352, 2130.9404074446747, 634.239482353647, 3602.146836776702, 1559.2878434944676, 1460.3181079276983],
  );
  const b = arm(
    100,
    [514.7757826608777, 2994.897482705013],
    [705.4090874383759, 5291.36604146392],
    [206.94157227402536, 514.2903702246757],
    [302.54389139107326, 994.4506208125663],
    [1237.0953021125997, 2292.081739775257, 698.4173425817908, 3918.1561431600717, 1701.0287270040265, 1604.0759503266522],
  );
  const r = cupedLogRatioLift(b, a);
  assert.ok(Math.abs(r.lift - -0.0007) < 1e-5, `${r.lift}`);
  const width = (r.ciHigh - r.ciLow) / (0.007 - -0.00841);
  assert.ok(width > 0.97 && width < 0.985, `width ratio ${width}`);
  assert.ok(Math.abs(r.pValue - 0.85771) < 0.002, `${r.pValue}`);
  // Most of the gap is the reference distribution: gbstats' t with ~198 degrees of freedom, crossab's normal z.
  assert.ok(studentTQuantile(0.975, 198) / 1.959964 > 1.006);
});
