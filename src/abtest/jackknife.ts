// A user-level (cluster) jackknife for domains with few effective users. When a handful of heavy
// users carry an arm's impressions, the delta method's variance — a large-sample formula — is too
// small, and CUPED's more so (its θ is then fitted to those few users). The delete-one-user jackknife
// recomputes the method's own estimate of log(treatment / control) with each user left out, CUPED's θ
// refitted every time, so the heavy users' leverage shows in the variance (Efron & Stein 1981: the
// jackknife variance is conservative in expectation). The interval is normal: measured on a world of
// 70–90 effective users per arm (2,400 A/A domain-tests), Student's t at (effective users − 1)
// degrees of freedom over-covered on top of the jackknife's own caution (CUPED 96.5% coverage, 3.5%
// false positives) where the normal reference sits nearer the nominal level (96.2%, 3.8%).
import { withoutUser, type CovariateRatio } from './stats/cuped.js';
import { normalQuantile, normalSurvival } from './stats/distributions.js';

/** One arm's users in a cell: each one's outcome and pre-period sums (x, y, p, q), for the users the cell counts. */
export interface CellUsers {
  n: number;
  x: Float64Array;
  y: Float64Array;
  p: Float64Array;
  q: Float64Array;
}

/**
 * The two-sample delete-one-user jackknife variance of a statistic of the two arms' sums:
 * Σ_arms (n_a − 1)/n_a · Σ_i (θ̂_(−i) − θ̄_a)², each user left out of their own arm (the arms are independent).
 */
export function jackknifeVariance(
  t: CovariateRatio,
  c: CovariateRatio,
  tUsers: CellUsers,
  cUsers: CellUsers,
  stat: (t: CovariateRatio, c: CovariateRatio) => number,
): number {
  let total = 0;
  for (const [own, other, users, isTreatment] of [
    [t, c, tUsers, true],
    [c, t, cUsers, false],
  ] as const) {
    const n = users.n;
    if (n < 2) return NaN;
    const values = new Float64Array(n);
    let mean = 0;
    for (let i = 0; i < n; i++) {
      const left = withoutUser(own, users.x[i], users.y[i], users.p[i], users.q[i]);
      const v = isTreatment ? stat(left, other) : stat(other, left);
      if (!Number.isFinite(v)) return NaN;
      values[i] = v;
      mean += v / n;
    }
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (values[i] - mean) ** 2;
    total += ((n - 1) / n) * ss;
  }
  return total;
}

export interface JackknifeLift {
  ciLow: number;
  ciHigh: number;
  pValue: number;
  seLog: number;
}

/** The 1 − α interval of a log-scale estimate with a jackknife variance, and its two-sided p-value. */
export function jackknifeInterval(logQ: number, variance: number, alpha = 0.05): JackknifeLift {
  if (!(variance > 0) || !Number.isFinite(logQ)) return { ciLow: NaN, ciHigh: NaN, pValue: NaN, seLog: NaN };
  const se = Math.sqrt(variance);
  const half = normalQuantile(1 - alpha / 2) * se;
  return { ciLow: Math.expm1(logQ - half), ciHigh: Math.expm1(logQ + half), pValue: 2 * normalSurvival(Math.abs(logQ / se)), seLog: se };
}
