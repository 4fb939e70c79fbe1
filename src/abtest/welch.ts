// The fixed-horizon convention of GrowthBook's engine (gbstats), beside crossab's log-ratio test:
// the lift as a linear relative difference (T − C)/C or an absolute one T − C, its variance by the
// delta method with the arms independent, Welch's t with Welch–Satterthwaite degrees of freedom,
// two- or one-sided; CUPED with one θ pooled over both arms and the control's unadjusted mean in the
// denominator; and the sequential interval tuned by an expected sample size N*. crossab's own
// default (normal z on log(T/C)) is kept for decisions; this is what a team comparing crossab with
// GrowthBook reads side by side, and test/abtest/welch.test.ts checks it against gbstats' published
// test values. Each arm is given as per-unit moments: n units, the mean, and the variance of one unit.
import { ratioWithVariance } from './stats/ratio.js';
import type { ClusteredRatio } from '../util/ratio-sums.js';
import { confidenceSequenceRadius } from './stats/sequential.js';
import { studentTCdf, studentTQuantile } from './student-t.js';

/** One arm's metric as gbstats sees it: n units, their mean, the variance of one unit's value. */
export interface ArmMoments {
  n: number;
  mean: number;
  variance: number;
}

/** A mean metric from Σx and Σx² over n units (sample variance, n − 1). */
export const sampleMean = (sum: number, sumSquares: number, n: number): ArmMoments => ({
  n,
  mean: n ? sum / n : 0,
  variance: n > 1 ? (sumSquares - (sum * sum) / n) / (n - 1) : 0,
});

/** A binomial metric from its successes: variance p(1 − p), gbstats' convention (no n − 1). */
export const proportion = (sum: number, n: number): ArmMoments => {
  const p = n ? sum / n : 0;
  return { n, mean: p, variance: p * (1 - p) };
};

/** A ratio metric clustered by user (CTR = Σclicks/Σimpressions): its delta-method variance, per user. */
export function ratioMoments(r: ClusteredRatio): ArmMoments {
  const { ratio, variance } = ratioWithVariance(r);
  return { n: r.users, mean: ratio, variance: variance * r.users };
}

export type Difference = 'relative' | 'absolute';

/** The effect and its sampling moments; null when it is not analysable (a zero or negative variance, a zero control). */
export interface Effect {
  difference: Difference;
  estimate: number;
  se: number;
  /** Welch–Satterthwaite degrees of freedom. */
  dof: number;
  /** Units in both arms, for the sequential interval. */
  n: number;
}

/** Welch–Satterthwaite degrees of freedom of two independent means (on the arms' own variances, as gbstats takes them). */
export function welchDof(a: ArmMoments, b: ArmMoments): number {
  const va = a.variance / a.n;
  const vb = b.variance / b.n;
  return (va + vb) ** 2 / ((vb * vb) / (b.n - 1) + (va * va) / (a.n - 1));
}

/**
 * The lift of treatment b over control a. Relative: (b̄ − ā)/ā with Var = V_b/(n_b ā²) + V_a b̄²/(n_a ā⁴);
 * absolute: b̄ − ā with Var = V_b/n_b + V_a/n_a.
 */
export function effect(a: ArmMoments, b: ArmMoments, difference: Difference = 'relative'): Effect | null {
  if (!(a.variance > 0 && b.variance > 0 && a.n > 1 && b.n > 1) || a.mean === 0) return null;
  const va = a.variance / a.n;
  const vb = b.variance / b.n;
  const relative = difference === 'relative';
  const estimate = relative ? (b.mean - a.mean) / a.mean : b.mean - a.mean;
  const variance = relative ? vb / a.mean ** 2 + (va * b.mean ** 2) / a.mean ** 4 : vb + va;
  return { difference, estimate, se: Math.sqrt(variance), dof: welchDof(a, b), n: a.n + b.n };
}

/** A mean metric with its pre-experiment value per unit (CUPED): Σx, Σx², Σp, Σp², Σxp over n units. */
export interface CovariateSums {
  n: number;
  sum: number;
  sumSquares: number;
  preSum: number;
  preSumSquares: number;
  crossSum: number;
}

const covarianceOf = (s: CovariateSums) => (s.n > 1 ? (s.crossSum - (s.sum * s.preSum) / s.n) / (s.n - 1) : 0);

/** gbstats' θ: the regression slope of outcome on covariate over both arms pooled (one θ for the test). */
export function pooledTheta(a: CovariateSums, b: CovariateSums): number {
  const joint: CovariateSums = {
    n: a.n + b.n,
    sum: a.sum + b.sum,
    sumSquares: a.sumSquares + b.sumSquares,
    preSum: a.preSum + b.preSum,
    preSumSquares: a.preSumSquares + b.preSumSquares,
    crossSum: a.crossSum + b.crossSum,
  };
  const pre = sampleMean(joint.preSum, joint.preSumSquares, joint.n).variance;
  const post = sampleMean(joint.sum, joint.sumSquares, joint.n).variance;
  return pre === 0 || post === 0 ? 0 : covarianceOf(joint) / pre;
}

/**
 * CUPED the gbstats way: each arm's mean adjusted to x̄ − θ p̄ with the pooled θ, the relative lift
 * over the control's unadjusted mean, and its variance by the delta method through both arms'
 * (x̄, p̄) (gbstats' frequentist_variance_relative_cuped). θ = 0 (no covariate variance) is the plain test.
 */
export function cupedEffect(a: CovariateSums, b: CovariateSums, difference: Difference = 'relative', theta = pooledTheta(a, b)): Effect | null {
  const postA = sampleMean(a.sum, a.sumSquares, a.n);
  const postB = sampleMean(b.sum, b.sumSquares, b.n);
  if (theta === 0) return effect(postA, postB, difference);
  const preA = sampleMean(a.preSum, a.preSumSquares, a.n);
  const preB = sampleMean(b.preSum, b.preSumSquares, b.n);
  const adjusted = (post: ArmMoments, pre: ArmMoments, s: CovariateSums): ArmMoments => ({
    n: s.n,
    mean: post.mean - theta * pre.mean,
    variance: post.variance + theta * theta * pre.variance - 2 * theta * covarianceOf(s),
  });
  const adjA = adjusted(postA, preA, a);
  const adjB = adjusted(postB, preB, b);
  if (!(adjA.variance > 0 && adjB.variance > 0) || postA.mean === 0 || adjA.mean === 0) return null;
  const dof = welchDof(adjA, adjB);
  if (difference === 'absolute')
    return { difference, estimate: adjB.mean - adjA.mean, se: Math.sqrt(adjA.variance / a.n + adjB.variance / b.n), dof, n: a.n + b.n };
  const c = postA.mean;
  const vTreatment = adjB.variance / (b.n * c * c);
  const k = -postB.mean;
  const vControl = ((postA.variance * k * k) / (c * c) + (2 * theta * covarianceOf(a) * k) / c + theta * theta * preA.variance) / (a.n * c * c);
  return { difference, estimate: (adjB.mean - adjA.mean) / c, se: Math.sqrt(vTreatment + vControl), dof, n: a.n + b.n };
}

export interface TestResult {
  ciLow: number;
  ciHigh: number;
  pValue: number;
}

/** Welch's two-sided test at level α: estimate ± t_{1−α/2, dof}·se. */
export function twoSided(e: Effect, alpha = 0.05): TestResult {
  const half = studentTQuantile(1 - alpha / 2, e.dof) * e.se;
  return { ciLow: e.estimate - half, ciHigh: e.estimate + half, pValue: 2 * studentTCdf(-Math.abs(e.estimate / e.se), e.dof) };
}

/**
 * One-sided tests: 'greater' asks whether treatment exceeds control (interval [estimate − t_{1−α}·se, ∞));
 * 'lesser' whether it falls short ((−∞, estimate + t_{1−α}·se]). A non-inferiority guardrail is
 * 'greater' against −margin: the lower end must clear it.
 */
export function oneSided(e: Effect, direction: 'greater' | 'lesser', alpha = 0.05): TestResult {
  const half = studentTQuantile(1 - alpha, e.dof) * e.se;
  const z = e.estimate / e.se;
  return direction === 'greater'
    ? { ciLow: e.estimate - half, ciHigh: Infinity, pValue: studentTCdf(-z, e.dof) }
    : { ciLow: -Infinity, ciHigh: e.estimate + half, pValue: studentTCdf(z, e.dof) };
}

/** gbstats' default expected sample size N* for the sequential interval. */
export const DEFAULT_TUNING = 5000;

/**
 * The normal-mixture variance τ² gbstats' tuning gives: ρ² = (−2 ln α + ln(1 − 2 ln α))/N* per unit
 * (Waudby-Smith et al. 2023, eq. 161), τ² = ρ²·n·se² — the mixture crossab's own sequential test uses,
 * tuned where the test is N* units long instead of at its planned end.
 */
export function tunedMixtureVariance(e: Effect, nStar = DEFAULT_TUNING, alpha = 0.05): number {
  const l = Math.log(alpha);
  return ((-2 * l + Math.log(1 - 2 * l)) / nStar) * e.n * e.se * e.se;
}

/**
 * The two-sided asymptotic confidence sequence (Waudby-Smith et al. 2023, eq. 9) as gbstats tunes it,
 * with its always-valid p-value: the smallest α whose sequence excludes 0, capped at 1.
 */
export function sequentialTwoSided(e: Effect, nStar = DEFAULT_TUNING, alpha = 0.05): TestResult {
  const variance = e.se * e.se;
  const tau2 = tunedMixtureVariance(e, nStar, alpha);
  const half = confidenceSequenceRadius(variance, tau2, alpha);
  const s = variance + tau2;
  const pValue = Math.min(1, Math.sqrt(s / variance) * Math.exp((-tau2 * e.estimate * e.estimate) / (2 * variance * s)));
  return { ciLow: e.estimate - half, ciHigh: e.estimate + half, pValue };
}
