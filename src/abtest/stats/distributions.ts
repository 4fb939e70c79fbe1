// The distributions the tests read: the normal CDF, survival and quantile to full double precision,
// and the chi-square survival through the regularised incomplete gamma.
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
