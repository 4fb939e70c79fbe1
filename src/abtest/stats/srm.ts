// The sample-ratio check: do the arms hold the users the configured split says they should?
import { chiSquareSurvival } from './distributions.js';

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
