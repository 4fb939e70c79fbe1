// Ratio metrics clustered by user (clicks / impressions, each user one independent unit): per-user
// sums, the delta-method variance, the relative lift on the log scale, and Kish's effective size.
import { normalQuantile, normalSurvival } from './distributions.js';
import type { ClusteredRatio } from '../../util/ratio-sums.js';

/** The ratio and the delta-method variance of it, treating users as the independent units. */
export function ratioWithVariance(r: ClusteredRatio): { ratio: number; variance: number } {
  const n = r.users;
  if (n < 2 || r.sumY === 0) return { ratio: NaN, variance: NaN };
  const mx = r.sumX / n;
  const my = r.sumY / n;
  const vx = (r.sumXX - n * mx * mx) / (n - 1);
  const vy = (r.sumYY - n * my * my) / (n - 1);
  const cxy = (r.sumXY - n * mx * my) / (n - 1);
  const ratio = mx / my;
  const variance = (vx - 2 * ratio * cxy + ratio * ratio * vy) / (n * my * my);
  // Var(x − R·y) cannot be negative: a negative estimate is rounding on a cell with no spread, and such
  // a cell is not analysable (gbstats refuses it too) rather than certain.
  return { ratio, variance: variance > 0 ? variance : variance === 0 ? 0 : NaN };
}

export interface Lift {
  lift: number;
  ciLow: number;
  ciHigh: number;
  pValue: number;
}

/** A relative lift estimated on the log scale, so its interval never crosses −100%. */
export interface LogLift extends Lift {
  /** Standard error of log(treatment / control); NaN when the lift cannot be estimated. */
  seLog: number;
}

/**
 * Relative lift with the interval taken on log(R_t / R_c), Var ≈ Var_t/R_t² + Var_c/R_c² (delta
 * method, independent arms), then exponentiated: bounded below by −100% and asymmetric, as a ratio's
 * interval should be. Both ratios must be positive (a zero-click arm has no log), and a variance of
 * zero gives no interval rather than certainty.
 */
export function logRatioLift(treatment: ClusteredRatio, control: ClusteredRatio, alpha = 0.05): LogLift {
  const none = { lift: NaN, ciLow: NaN, ciHigh: NaN, pValue: NaN, seLog: NaN };
  const t = ratioWithVariance(treatment);
  const c = ratioWithVariance(control);
  if (!(t.ratio > 0 && c.ratio > 0)) return { ...none, lift: c.ratio > 0 && t.ratio === 0 ? -1 : NaN };
  const logQ = Math.log(t.ratio / c.ratio);
  const lift = Math.exp(logQ) - 1;
  // Each arm needs a spread of its own: one arm's variance alone would analyse half a test.
  if (!(t.variance > 0 && c.variance > 0)) return { ...none, lift };
  const seLog = Math.sqrt(t.variance / (t.ratio * t.ratio) + c.variance / (c.ratio * c.ratio));
  const z = normalQuantile(1 - alpha / 2);
  return { lift, ciLow: Math.exp(logQ - z * seLog) - 1, ciHigh: Math.exp(logQ + z * seLog) - 1, pValue: 2 * normalSurvival(Math.abs(logQ / seLog)), seLog };
}

/** Kish's effective sample size of weights with sum Σw and sum of squares Σw²: (Σw)² / Σw², the equal weights that carry as much information (0 when there are none). */
export const kishSize = (sum: number, sumSq: number): number => (sumSq > 0 ? (sum * sum) / sumSq : 0);

/** Kish's effective number of users of a ratio cell, each weighed by their impressions. */
export function effectiveUsers(r: ClusteredRatio): number {
  return kishSize(r.sumY, r.sumYY);
}
