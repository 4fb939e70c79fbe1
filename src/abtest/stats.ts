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
