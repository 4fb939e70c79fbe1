// CUPED for ratio metrics: each user's pre-experiment ratio as covariate (Deng et al. 2013), the
// per-user sums that grow request by request, and the adjusted lift.
import { normalQuantile, normalSurvival } from './distributions.js';
import { logRatioLift, ratioWithVariance, type LogLift } from './ratio.js';
import { addUser, emptyRatio, type ClusteredRatio } from '../../util/ratio-sums.js';

/**
 * A ratio metric's per-user sums with each user's pre-experiment ratio as covariate (CUPED): x / y
 * in the experiment, p / q before it (e.g. their logged clicks and impressions). A user without
 * history has p = q = 0 and so no adjustment.
 */
export interface CovariateRatio extends ClusteredRatio {
  sumP: number;
  sumQ: number;
  sumPP: number;
  sumQQ: number;
  sumPQ: number;
  sumXP: number;
  sumXQ: number;
  sumYP: number;
  sumYQ: number;
}

export const emptyCovariateRatio = (): CovariateRatio => ({
  ...emptyRatio(),
  sumP: 0,
  sumQ: 0,
  sumPP: 0,
  sumQQ: 0,
  sumPQ: 0,
  sumXP: 0,
  sumXQ: 0,
  sumYP: 0,
  sumYQ: 0,
});

export function addUserWithCovariate(r: CovariateRatio, x: number, y: number, p: number, q: number): void {
  addUser(r, x, y);
  r.sumP += p;
  r.sumQ += q;
  r.sumPP += p * p;
  r.sumQQ += q * q;
  r.sumPQ += p * q;
  r.sumXP += x * p;
  r.sumXQ += x * q;
  r.sumYP += y * p;
  r.sumYQ += y * q;
}

/** A CovariateRatio's fields in a Float64Array slot, in this order: cells grown request by request stay in one typed array. */
export const RATIO_FIELDS = [
  'users',
  'sumX',
  'sumY',
  'sumXX',
  'sumYY',
  'sumXY',
  'sumP',
  'sumQ',
  'sumPP',
  'sumQQ',
  'sumPQ',
  'sumXP',
  'sumXQ',
  'sumYP',
  'sumYQ',
] as const;
export const RATIO_SLOT = RATIO_FIELDS.length;

/**
 * Moves one user's contribution to the ratio in slot `o` of `buf` from (x0, y0) to (x0 + dx, y0 + dy),
 * entering them (with their covariate p, q) on their first impression: with integer counts the sums
 * stay exactly those of addUserWithCovariate over the final per-user totals.
 */
export function growRatioAt(buf: Float64Array, o: number, x0: number, y0: number, dx: number, dy: number, p: number, q: number): void {
  if (y0 === 0) {
    buf[o] += 1;
    buf[o + 6] += p;
    buf[o + 7] += q;
    buf[o + 8] += p * p;
    buf[o + 9] += q * q;
    buf[o + 10] += p * q;
  }
  const x1 = x0 + dx;
  const y1 = y0 + dy;
  buf[o + 1] += dx;
  buf[o + 2] += dy;
  buf[o + 3] += x1 * x1 - x0 * x0;
  buf[o + 4] += y1 * y1 - y0 * y0;
  buf[o + 5] += x1 * y1 - x0 * y0;
  buf[o + 11] += dx * p;
  buf[o + 12] += dx * q;
  buf[o + 13] += dy * p;
  buf[o + 14] += dy * q;
}

/** The ratio held in slot `o` of `buf`, as an object. */
export function ratioAt(buf: Float64Array, o: number): CovariateRatio {
  const r = emptyCovariateRatio();
  RATIO_FIELDS.forEach((f, k) => {
    r[f] = buf[o + k];
  });
  return r;
}

/**
 * The delta-method moments of an arm's ratio R = x̄/ȳ and its pre-experiment ratio R' = p̄/q̄, from
 * the linearisations l = (x − R y)/ȳ and l' = (p − R' q)/q̄ (Deng et al. 2013, "ratio metrics"):
 * Var R̂ = var(l)/n, Var R̂' = var(l')/n, Cov(R̂, R̂') = cov(l, l')/n. Without history R' is 0 and
 * so are its variance and covariance.
 */
export function covariateMoments(r: CovariateRatio): { ratio: number; variance: number; preRatio: number; preVariance: number; covariance: number } {
  const { ratio, variance } = ratioWithVariance(r);
  const n = r.users;
  if (Number.isNaN(ratio) || !(r.sumQ > 0)) return { ratio, variance, preRatio: 0, preVariance: 0, covariance: 0 };
  const c = (sab: number, sa: number, sb: number) => (sab - (sa * sb) / n) / (n - 1);
  const my = r.sumY / n;
  const mq = r.sumQ / n;
  const pre = r.sumP / r.sumQ;
  const preVariance = Math.max(0, (c(r.sumPP, r.sumP, r.sumP) - 2 * pre * c(r.sumPQ, r.sumP, r.sumQ) + pre * pre * c(r.sumQQ, r.sumQ, r.sumQ)) / (n * mq * mq));
  const covariance =
    (c(r.sumXP, r.sumX, r.sumP) - pre * c(r.sumXQ, r.sumX, r.sumQ) - ratio * c(r.sumYP, r.sumY, r.sumP) + ratio * pre * c(r.sumYQ, r.sumY, r.sumQ)) /
    (n * my * mq);
  return { ratio, variance, preRatio: pre, preVariance, covariance };
}

/** A CUPED-adjusted log-ratio lift: the estimate, and the share of the plain estimate's variance it removed. */
export interface CupedLift extends LogLift {
  theta: number;
  varianceReduction: number;
}

/**
 * CUPED for a relative lift of two ratio metrics (Deng et al. 2013). Each arm's ratio is adjusted by
 * its pre-experiment ratio's deviation from the pooled one, R̃ = R̂ − θ (R̂' − R̂'_pooled), one θ for
 * both arms. The pooled pre-ratio is estimated from the same users, R̂'_pooled = w_t R̂'_t + w_c R̂'_c
 * (w by pre-period impressions), so the adjustments are R̃_t = R̂_t − θ w_c D and
 * R̃_c = R̂_c + θ w_t D with D = R̂'_t − R̂'_c, and by the delta method at the plain ratios a, b
 *   Var log(R̃_t/R̃_c) = V_t/a² + V_c/b² + g² (V'_t + V'_c) − 2g (C_t/a + C_c/b),  g = θ (w_c/a + w_t/b).
 * θ minimises it: g = (C_t/a + C_c/b)/(V'_t + V'_c), and the variance removed is
 * (C_t/a + C_c/b)²/(V'_t + V'_c) ≥ 0 — never negative, since θ and the standard error are taken at the
 * same point. Assignment is independent of the past, so D has mean 0 and the adjustment removes noise,
 * not signal. An arm with no history has no R̂' and so no D: nothing to adjust by, and the plain
 * estimate stands (narrowing the interval without moving the estimate was the bug this replaces).
 */
export function cupedLogRatioLift(treatment: CovariateRatio, control: CovariateRatio, alpha = 0.05): CupedLift {
  const plain = logRatioLift(treatment, control, alpha);
  const unadjusted = { ...plain, theta: 0, varianceReduction: 0 };
  if (!(plain.seLog > 0)) return unadjusted;
  const adj = cupedAdjustment(treatment, control);
  if (!adj) return unadjusted;
  const { theta, rt, rc, removed } = adj;
  const plainVariance = plain.seLog * plain.seLog;
  const varianceReduction = removed / plainVariance;
  const none = { lift: plain.lift, ciLow: NaN, ciHigh: NaN, pValue: NaN, seLog: NaN, theta, varianceReduction };
  if (!(rt > 0 && rc > 0)) return none;
  const seLog = Math.sqrt(Math.max(0, plainVariance - removed));
  const logQ = Math.log(rt / rc);
  // The covariate explaining (numerically) all of the variance is no licence for certainty.
  if (!(seLog > 1e-6 * plain.seLog)) return { ...none, lift: Math.exp(logQ) - 1 };
  const z = normalQuantile(1 - alpha / 2);
  return {
    lift: Math.exp(logQ) - 1,
    ciLow: Math.exp(logQ - z * seLog) - 1,
    ciHigh: Math.exp(logQ + z * seLog) - 1,
    pValue: 2 * normalSurvival(Math.abs(logQ / seLog)),
    seLog,
    theta,
    varianceReduction,
  };
}

/** The adjusted ratios, θ and the log-variance removed (see cupedLogRatioLift); null when there is nothing to adjust by. */
function cupedAdjustment(treatment: CovariateRatio, control: CovariateRatio): { theta: number; rt: number; rc: number; removed: number } | null {
  if (!(treatment.sumQ > 0 && control.sumQ > 0)) return null;
  const t = covariateMoments(treatment);
  const c = covariateMoments(control);
  const a = t.ratio;
  const b = c.ratio;
  if (!(a > 0 && b > 0)) return null;
  const wt = treatment.sumQ / (treatment.sumQ + control.sumQ);
  const wc = 1 - wt;
  const preVariance = t.preVariance + c.preVariance;
  const covariance = t.covariance / a + c.covariance / b;
  if (!(preVariance > 0)) return null;
  const theta = covariance / preVariance / (wc / a + wt / b);
  const d = t.preRatio - c.preRatio;
  return { theta, rt: a - theta * wc * d, rc: b + theta * wt * d, removed: (covariance * covariance) / preVariance };
}

/** The plain estimate of log(treatment / control), alone: what a jackknife recomputes per user. */
export const plainLogLift = (treatment: ClusteredRatio, control: ClusteredRatio): number =>
  Math.log(treatment.sumX / treatment.sumY / (control.sumX / control.sumY));

/** The CUPED estimate of log(treatment / control) alone (the plain one where nothing adjusts it). */
export function cupedLogLift(treatment: CovariateRatio, control: CovariateRatio): number {
  const adj = cupedAdjustment(treatment, control);
  if (adj) return adj.rt > 0 && adj.rc > 0 ? Math.log(adj.rt / adj.rc) : NaN;
  return plainLogLift(treatment, control);
}

/** A CovariateRatio less one user's contribution (the inverse of addUserWithCovariate). */
export function withoutUser(r: CovariateRatio, x: number, y: number, p: number, q: number): CovariateRatio {
  return {
    users: r.users - 1,
    sumX: r.sumX - x,
    sumY: r.sumY - y,
    sumXX: r.sumXX - x * x,
    sumYY: r.sumYY - y * y,
    sumXY: r.sumXY - x * y,
    sumP: r.sumP - p,
    sumQ: r.sumQ - q,
    sumPP: r.sumPP - p * p,
    sumQQ: r.sumQQ - q * q,
    sumPQ: r.sumPQ - p * q,
    sumXP: r.sumXP - x * p,
    sumXQ: r.sumXQ - x * q,
    sumYP: r.sumYP - y * p,
    sumYQ: r.sumYQ - y * q,
  };
}
