// Sequential testing: an estimate θ̂ ~ N(θ, V) looked at repeatedly. The normal-mixture likelihood
// ratio (mixing θ − θ₀ over N(0, τ²)) is a nonnegative martingale under θ₀, so by Ville's inequality
// it exceeds 1/α at any look with probability ≤ α: its reciprocal is an always-valid p-value, and the
// θ₀ it does not reject form a confidence sequence (Robbins 1970; Howard et al. 2021, eq. 14;
// Johari et al. 2017's mSPRT, as in GrowthBook's sequential engine).
import { normalQuantile } from './distributions.js';

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
