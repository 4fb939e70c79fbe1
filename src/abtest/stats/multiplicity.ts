// Many tests at once: Holm's and Benjamini–Hochberg's adjusted p-values, and the interval that agrees
// with an adjusted p-value.
import { normalQuantile } from './distributions.js';

/** The family an adjustment runs over: the finite p-values with their positions, smallest first. */
const family = (p: readonly number[]): (readonly [number, number])[] =>
  p
    .map((v, i) => [v, i] as const)
    .filter(([v]) => Number.isFinite(v))
    .sort((a, b) => a[0] - b[0]);

/** Holm's step-down adjusted p-values (family-wise error); NaN entries are not part of the family. */
export function holmAdjust(p: readonly number[]): number[] {
  const idx = family(p);
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
  const idx = family(p);
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
