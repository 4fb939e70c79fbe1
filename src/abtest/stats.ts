// Statistics for the A/B readout: the delta method for ratio metrics clustered by user, normal
// p-values, and the chi-square sample-ratio-mismatch test.

/** Per-user sums for a ratio metric Σx / Σy (e.g. clicks / impressions). */
export interface ClusteredRatio {
  users: number;
  sumX: number;
  sumY: number;
  sumXX: number;
  sumYY: number;
  sumXY: number;
}

export const emptyRatio = (): ClusteredRatio => ({ users: 0, sumX: 0, sumY: 0, sumXX: 0, sumYY: 0, sumXY: 0 });

export function addUser(r: ClusteredRatio, x: number, y: number): void {
  r.users++;
  r.sumX += x;
  r.sumY += y;
  r.sumXX += x * x;
  r.sumYY += y * y;
  r.sumXY += x * y;
}

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

/**
 * erfc(x) for x ≥ 0 to ~1e-14 relative: below 1.5 as 1 − erf(x) from the all-positive series
 * erf(x) = 2x e^{−x²}/√π · Σ (2x²)ⁿ / (1·3·…·(2n+1)) (no cancellation inside the sum; erfc ≥ 0.034
 * there, so the subtraction costs at most 1.5 digits); above it, Laplace's continued fraction
 * erfc(x) = e^{−x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))) by Lentz's method, which keeps the
 * far tail's relative precision (a p-value of 1e-30 is still a number, not 0).
 */
function erfc(x: number): number {
  if (x < 1.5) {
    const x2 = x * x;
    let term = 1;
    let sum = 1;
    for (let n = 1; n < 200 && term > sum * 1e-17; n++) {
      term *= (2 * x2) / (2 * n + 1);
      sum += term;
    }
    return 1 - ((2 * x) / Math.sqrt(Math.PI)) * Math.exp(-x2) * sum;
  }
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 500; n++) {
    const a = n / 2;
    d = x + a * d;
    d = Math.abs(d) < tiny ? 1 / tiny : 1 / d;
    c = x + a / c;
    if (Math.abs(c) < tiny) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / (Math.sqrt(Math.PI) * f);
}

/** Standard normal CDF to ~1e-15 relative in both tails (through erfc, never 1 − a number near 1). */
export function normalCdf(z: number): number {
  if (Number.isNaN(z)) return NaN;
  return z < 0 ? 0.5 * erfc(-z / Math.SQRT2) : 1 - 0.5 * erfc(z / Math.SQRT2);
}

/** The normal upper tail 1 − Φ(z), kept precise where Φ(z) rounds to 1 (p-values far below 1e-16). */
export const normalSurvival = (z: number): number => normalCdf(-z);

export interface Lift {
  lift: number;
  ciLow: number;
  ciHigh: number;
  pValue: number;
}

/** Regularised lower incomplete gamma P(a, x) by series / continued fraction (Numerical Recipes 6.2). */
function gammaP(a: number, x: number): number {
  if (x <= 0) return 0;
  const lnGammaA = lnGamma(a);
  if (x < a + 1) {
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 500; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-15) break;
    }
    return sum * Math.exp(-x + a * Math.log(x) - lnGammaA);
  }
  let b = x + 1 - a;
  let c = 1 / 1e-300;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 500; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < 1e-300) d = 1e-300;
    c = b + an / c;
    if (Math.abs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return 1 - Math.exp(-x + a * Math.log(x) - lnGammaA) * h;
}

/** log Γ(z), Lanczos approximation. */
export function lnGamma(z: number): number {
  // Lanczos approximation (g = 7, n = 9).
  const g = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
    9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (z < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * z)) - lnGamma(1 - z);
  z -= 1;
  let x = g[0];
  for (let i = 1; i < 9; i++) x += g[i] / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(x);
}

/** Upper tail of the chi-square distribution with `df` degrees of freedom. */
export function chiSquareSurvival(x: number, df: number): number {
  return 1 - gammaP(df / 2, x / 2);
}

/**
 * Sample-ratio mismatch: chi-square goodness of fit of observed counts to the configured split. An
 * arm of weight 0 expects no one: it adds no term and no degree of freedom (its users still count in
 * the total, as in gbstats' check_srm), and with fewer than two weighted arms there is nothing to test.
 */
export function sampleRatioMismatch(counts: number[], split: number[]): { chi2: number; pValue: number } {
  const total = counts.reduce((a, b) => a + b, 0);
  let chi2 = 0;
  let arms = 0;
  counts.forEach((c, k) => {
    if (!(split[k] > 0)) return;
    const e = total * split[k];
    chi2 += (c - e) ** 2 / e;
    arms++;
  });
  if (arms < 2 || total === 0) return { chi2: 0, pValue: 1 };
  return { chi2, pValue: chiSquareSurvival(chi2, arms - 1) };
}

/**
 * Standard normal quantile: Acklam's rational approximation (relative error < 1.2e-9), then one
 * Halley step on the accurate CDF, which brings it to the CDF's own precision (~1e-15).
 */
export function normalQuantile(p: number): number {
  const x = acklam(p);
  if (!Number.isFinite(x)) return x;
  const e = (x < 0 ? normalCdf(x) - p : -(normalSurvival(x) - (1 - p))) * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - e / (1 + (x * e) / 2);
}

function acklam(p: number): number {
  if (!(p > 0 && p < 1)) return p === 0 ? -Infinity : p === 1 ? Infinity : NaN;
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - lo) return -acklam(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
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

/** Power of a two-sided level-α test to detect a relative lift `lift` when log(T/C) has standard error `seLog`. */
export function powerAt(lift: number, seLog: number, alpha = 0.05): number {
  if (!(seLog > 0) || !(lift > -1)) return NaN;
  const z = normalQuantile(1 - alpha / 2);
  const d = Math.log(1 + lift) / seLog;
  return normalCdf(d - z) + normalCdf(-d - z);
}

/** The smallest relative lift (upwards) a level-α test detects with the given power at this standard error. */
export function minimumDetectableLift(seLog: number, alpha = 0.05, power = 0.8): number {
  if (!(seLog > 0)) return NaN;
  return Math.exp((normalQuantile(1 - alpha / 2) + normalQuantile(power)) * seLog) - 1;
}

/**
 * Users needed, at the same split and per-user behaviour, to detect `lift` with the given power: the
 * standard error shrinks as 1/√users, so users × (MDE-scale / log(1 + lift))².
 */
export function usersToDetect(users: number, seLog: number, lift: number, alpha = 0.05, power = 0.8): number {
  if (!(seLog > 0) || !(lift > -1) || lift === 0) return NaN;
  const k = ((normalQuantile(1 - alpha / 2) + normalQuantile(power)) * seLog) / Math.abs(Math.log(1 + lift));
  // Rounded up, after forgiving the last bits of float error (exactly enough users is enough).
  return Math.ceil(users * k * k * (1 - 1e-12));
}

/** Holm's step-down adjusted p-values (family-wise error); NaN entries are not part of the family. */
export function holmAdjust(p: readonly number[]): number[] {
  const idx = p
    .map((v, i) => [v, i] as const)
    .filter(([v]) => Number.isFinite(v))
    .sort((a, b) => a[0] - b[0]);
  const m = idx.length;
  const out = p.map(() => NaN);
  let running = 0;
  idx.forEach(([v, i], k) => {
    running = Math.max(running, Math.min(1, (m - k) * v));
    out[i] = running;
  });
  return out;
}

/** Benjamini–Hochberg adjusted p-values (false discovery rate); NaN entries are not part of the family. */
export function benjaminiHochbergAdjust(p: readonly number[]): number[] {
  const idx = p
    .map((v, i) => [v, i] as const)
    .filter(([v]) => Number.isFinite(v))
    .sort((a, b) => a[0] - b[0]);
  const m = idx.length;
  const out = p.map(() => NaN);
  let running = 1;
  for (let k = m - 1; k >= 0; k--) {
    const [v, i] = idx[k];
    running = Math.min(running, (m * v) / (k + 1));
    out[i] = running;
  }
  return out;
}

/**
 * The interval of a log-scale lift that agrees with its adjusted p-value (GrowthBook adjusts its
 * intervals the same way): the standard error is widened to |log(1 + lift)| / z(p̃) — the one at which
 * the unadjusted test would give p̃ — so the 1 − α interval excludes 0 exactly when p̃ < α. A p̃ of 1
 * leaves no bound: (−100%, +∞).
 */
export function adjustedInterval(lift: number, seLog: number, pAdjusted: number, alpha = 0.05): { ciLow: number; ciHigh: number } {
  if (!(seLog > 0) || !Number.isFinite(pAdjusted) || !(lift > -1)) return { ciLow: NaN, ciHigh: NaN };
  const logQ = Math.log1p(lift);
  const zAdjusted = normalQuantile(1 - pAdjusted / 2);
  const se = zAdjusted > 0 ? Math.max(seLog, Math.abs(logQ) / zAdjusted) : Infinity;
  const z = normalQuantile(1 - alpha / 2);
  return { ciLow: Math.expm1(logQ - z * se), ciHigh: Math.expm1(logQ + z * se) };
}

/** Kish's effective sample size of weights with sum Σw and sum of squares Σw²: (Σw)² / Σw², the equal weights that carry as much information (0 when there are none). */
export const kishSize = (sum: number, sumSq: number): number => (sumSq > 0 ? (sum * sum) / sumSq : 0);

/** Kish's effective number of users of a ratio cell, each weighed by their impressions. */
export function effectiveUsers(r: ClusteredRatio): number {
  return kishSize(r.sumY, r.sumYY);
}

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

// Sequential testing: an estimate θ̂ ~ N(θ, V) looked at repeatedly. The normal-mixture likelihood
// ratio (mixing θ − θ₀ over N(0, τ²)) is a nonnegative martingale under θ₀, so by Ville's inequality
// it exceeds 1/α at any look with probability ≤ α: its reciprocal is an always-valid p-value, and the
// θ₀ it does not reject form a confidence sequence (Robbins 1970; Howard et al. 2021, eq. 14;
// Johari et al. 2017's mSPRT, as in GrowthBook's sequential engine).

/** The mixture likelihood ratio against θ₀ = 0 of an estimate with variance V. */
export function mixtureLikelihoodRatio(estimate: number, variance: number, tau2: number): number {
  if (!(variance > 0 && tau2 > 0)) return NaN;
  const s = variance + tau2;
  return Math.sqrt(variance / s) * Math.exp((tau2 * estimate * estimate) / (2 * variance * s));
}

/** Half-width of the 1 − α confidence sequence at a look where the estimate has variance V. */
export function confidenceSequenceRadius(variance: number, tau2: number, alpha: number): number {
  if (!(variance > 0 && tau2 > 0)) return NaN;
  const s = variance + tau2;
  return Math.sqrt(((2 * variance * s) / tau2) * (Math.log(1 / alpha) + 0.5 * Math.log(s / variance)));
}

/** How much wider than a fixed-horizon interval the confidence sequence is at its planned end (a constant for a given α). */
export function sequentialInflation(alpha: number): number {
  return confidenceSequenceRadius(1, mixtureVarianceFor(1, alpha), alpha) / normalQuantile(1 - alpha / 2);
}

/**
 * τ² = r·V* with r minimising the radius at the planned final variance V*: the sequence is tightest
 * where the test is meant to end (GrowthBook tunes the same mixture by a planned sample size).
 */
export function mixtureVarianceFor(finalVariance: number, alpha: number): number {
  let best = 1;
  let bestRadius = Infinity;
  for (let r = 0.25; r <= 100; r *= 1.02) {
    const radius = confidenceSequenceRadius(1, r, alpha);
    if (radius < bestRadius) {
      bestRadius = radius;
      best = r;
    }
  }
  return best * finalVariance;
}
