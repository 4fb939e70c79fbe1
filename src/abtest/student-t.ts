// Student's t distribution, for the fixed-horizon tests a small cell asks for (Welch's, with
// Welch–Satterthwaite degrees of freedom, as GrowthBook's engine uses). The CDF is the regularised
// incomplete beta function, I_x(a, b) by its continued fraction (Numerical Recipes 6.4, modified
// Lentz); the quantile inverts it by Newton steps from the normal quantile, guarded by bisection.
import { lnGamma, normalCdf, normalQuantile } from './stats/distributions.js';

/** The continued fraction of I_x(a, b), good where x < (a + 1)/(a + b + 2). */
function betaFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  d = Math.abs(d) < tiny ? 1 / tiny : 1 / d;
  let h = d;
  for (let m = 1; m <= 1000; m++) {
    const m2 = 2 * m;
    const even = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + even * d;
    d = Math.abs(d) < tiny ? 1 / tiny : 1 / d;
    c = 1 + even / c;
    if (Math.abs(c) < tiny) c = tiny;
    h *= d * c;
    const odd = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + odd * d;
    d = Math.abs(d) < tiny ? 1 / tiny : 1 / d;
    c = 1 + odd / c;
    if (Math.abs(c) < tiny) c = tiny;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return h;
}

/** The regularised incomplete beta function I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaFraction(x, a, b)) / a : 1 - (front * betaFraction(1 - x, b, a)) / b;
}

/**
 * P(T ≤ t) for Student's t with `df` degrees of freedom (df may be fractional, as Welch's is):
 * the tail is I_{df/(df + t²)}(df/2, 1/2) / 2. Past a million degrees of freedom it is the normal.
 */
export function studentTCdf(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return NaN;
  if (!Number.isFinite(t)) return t > 0 ? 1 : 0;
  if (df > 1e7) return normalCdf(t);
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t > 0 ? 1 - tail : tail;
}

/** Student's t density, for the quantile's Newton steps. */
function studentTDensity(t: number, df: number): number {
  return Math.exp(lnGamma((df + 1) / 2) - lnGamma(df / 2) - 0.5 * Math.log(df * Math.PI) - ((df + 1) / 2) * Math.log(1 + (t * t) / df));
}

/** The p-quantile of Student's t with `df` degrees of freedom. */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1) || !(df > 0)) return p === 0 ? -Infinity : p === 1 ? Infinity : NaN;
  if (df > 1e7) return normalQuantile(p);
  if (p > 0.5) return -studentTQuantile(1 - p, df);
  // Below the median: bracket, then Newton from the normal quantile, falling back to bisection.
  let lo = -1;
  while (studentTCdf(lo, df) > p) lo *= 2;
  let hi = 0;
  let t = Math.max(lo, Math.min(hi, normalQuantile(p)));
  for (let k = 0; k < 200; k++) {
    const f = studentTCdf(t, df) - p;
    if (f > 0) hi = t;
    else lo = t;
    const next = t - f / studentTDensity(t, df);
    const step = next > lo && next < hi ? next : (lo + hi) / 2;
    if (Math.abs(step - t) <= 1e-15 * Math.max(1, Math.abs(t))) return step;
    t = step;
  }
  return t;
}
