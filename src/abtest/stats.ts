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
  return { ratio, variance: Math.max(0, variance) };
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 via erf, |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

export interface Lift {
  lift: number;
  ciLow: number;
  ciHigh: number;
  pValue: number;
}

/**
 * Relative lift of treatment over control, ratio_t / ratio_c − 1, with a 95% interval from the delta
 * method (independent arms): Var(lift) ≈ (R_t/R_c)² (Var_t/R_t² + Var_c/R_c²).
 */
export function relativeLift(treatment: ClusteredRatio, control: ClusteredRatio, z = 1.959964): Lift {
  const t = ratioWithVariance(treatment);
  const c = ratioWithVariance(control);
  if (!(c.ratio > 0) || Number.isNaN(t.ratio)) return { lift: NaN, ciLow: NaN, ciHigh: NaN, pValue: NaN };
  const q = t.ratio / c.ratio;
  const lift = q - 1;
  const relVar = (t.ratio > 0 ? t.variance / (t.ratio * t.ratio) : 0) + c.variance / (c.ratio * c.ratio);
  const se = q * Math.sqrt(relVar);
  if (!(se > 0)) return { lift, ciLow: lift, ciHigh: lift, pValue: lift === 0 ? 1 : 0 };
  return { lift, ciLow: lift - z * se, ciHigh: lift + z * se, pValue: 2 * (1 - normalCdf(Math.abs(lift / se))) };
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

/** Sample-ratio mismatch: chi-square goodness of fit of observed counts to the configured split. */
export function sampleRatioMismatch(counts: number[], split: number[]): { chi2: number; pValue: number } {
  const total = counts.reduce((a, b) => a + b, 0);
  let chi2 = 0;
  counts.forEach((c, k) => {
    const e = total * split[k];
    if (e > 0) chi2 += (c - e) ** 2 / e;
  });
  return { chi2, pValue: counts.length > 1 ? chiSquareSurvival(chi2, counts.length - 1) : 1 };
}

/** Standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
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
  if (p > 1 - lo) return -normalQuantile(1 - p);
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
  const seLog = Math.sqrt(t.variance / (t.ratio * t.ratio) + c.variance / (c.ratio * c.ratio));
  const lift = Math.exp(logQ) - 1;
  if (!(seLog > 0)) return { ...none, lift };
  const z = normalQuantile(1 - alpha / 2);
  return { lift, ciLow: Math.exp(logQ - z * seLog) - 1, ciHigh: Math.exp(logQ + z * seLog) - 1, pValue: 2 * (1 - normalCdf(Math.abs(logQ / seLog))), seLog };
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
