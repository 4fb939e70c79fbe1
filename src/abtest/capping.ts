// Per-user capping (GrowthBook's percentile capping, in the form a ratio metric allows): a user whose
// impressions in a domain exceed the domain's q-quantile of users' impressions counts as if they had
// exactly that many, their clicks and conversions scaled with them, so their own CTR is kept and only
// their weight is bounded. It trades the population-weighted CTR for a capped-weight one: unbiased
// for the lift when heavy users respond like the rest, biased when they do not (the replay's truth
// is the uncapped lift, so grading shows which).

/** The q-quantile (linear interpolation between order statistics, R's type 7) of the positive values. */
export function positiveQuantile(values: ArrayLike<number>, q: number): number {
  const xs: number[] = [];
  for (let i = 0; i < values.length; i++) if (values[i] > 0) xs.push(values[i]);
  if (!xs.length) return 0;
  xs.sort((a, b) => a - b);
  const h = (xs.length - 1) * q;
  const lo = Math.floor(h);
  return xs[lo] + (h - lo) * ((xs[Math.min(lo + 1, xs.length - 1)] ?? xs[lo]) - xs[lo]);
}

/** A user's weight under a cap: 1 below it, cap / impressions above. */
export const cappedWeight = (impressions: number, cap: number): number => (impressions > cap && cap > 0 ? cap / impressions : 1);
