// Judging an expectation from its per-seed values: the mean over seeds with a Student-t confidence
// interval, and a verdict — pass when the whole interval clears the threshold, fail when the whole
// interval misses it, inconclusive when it straddles it (more seeds would decide).

import { studentTQuantile } from '../abtest/student-t.js';

export type Verdict = 'pass' | 'fail' | 'inconclusive';

export interface Judgement {
  values: number[];
  mean: number;
  ciLow: number;
  ciHigh: number;
  verdict: Verdict;
  /** Why, in words (shown in the table's last column and in JUnit messages). */
  reason: string;
}

export interface Threshold {
  atLeast?: number;
  atMost?: number;
  over: 'mean' | 'every-seed';
  confidence: number;
}

const fmt = (x: number) => (Number.isFinite(x) ? (Math.abs(x) >= 1e-4 || x === 0 ? x.toFixed(4) : x.toExponential(2)) : String(x));

export function judge(values: number[], t: Threshold): Judgement {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : NaN;
  const half = n > 1 ? studentTQuantile(1 - (1 - t.confidence) / 2, n - 1) * (sd / Math.sqrt(n)) : NaN;
  const base = { values, mean, ciLow: mean - half, ciHigh: mean + half };
  const lower = t.atLeast !== undefined;
  const threshold = (lower ? t.atLeast : t.atMost)!;
  const holds = (v: number) => (lower ? v >= threshold : v <= threshold);
  const want = `${lower ? '≥' : '≤'} ${fmt(threshold)}`;
  const undefinedAt = values.findIndex((v) => !Number.isFinite(v));
  if (undefinedAt >= 0)
    return { ...base, verdict: 'inconclusive', reason: `the metric is undefined in seed #${undefinedAt + 1} (too few impressions or no clicks in that group)` };
  if (t.over === 'every-seed') {
    const misses = values.filter((v) => !holds(v)).length;
    return misses === 0
      ? { ...base, verdict: 'pass', reason: `all ${n} seeds ${want}` }
      : { ...base, verdict: 'fail', reason: `${misses} of ${n} seeds miss ${want} (worst ${fmt(lower ? Math.min(...values) : Math.max(...values))})` };
  }
  if (n < 2) return { ...base, verdict: 'inconclusive', reason: `one seed gives no interval (mean ${fmt(mean)}, want ${want}); use --seeds 3 or more` };
  const level = `${Math.round(t.confidence * 100)}% CI`;
  const [near, far] = lower ? [base.ciLow, base.ciHigh] : [base.ciHigh, base.ciLow];
  if (holds(near)) return { ...base, verdict: 'pass', reason: `${level} [${fmt(base.ciLow)}, ${fmt(base.ciHigh)}] ${want}` };
  if (!holds(far)) return { ...base, verdict: 'fail', reason: `${level} [${fmt(base.ciLow)}, ${fmt(base.ciHigh)}] entirely misses ${want}` };
  return {
    ...base,
    verdict: 'inconclusive',
    reason: `${level} [${fmt(base.ciLow)}, ${fmt(base.ciHigh)}] straddles ${fmt(threshold)}; more seeds would decide`,
  };
}
