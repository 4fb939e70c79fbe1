// An estimator's record over many cells (strategy × domain × seed): how often its interval held the
// truth (with Wilson's interval of that share), the bias and spread of its relative error, and the
// effective sample its weights left. The report's "over these runs" table and `npm run bench:ope`
// both read it, from stored rows and from live ones.
import { normalQuantile } from '../abtest/stats/distributions.js';

export interface EstimateCell {
  /** The estimate (NaN or null: not identified or no match), the truth, whether the interval held it. */
  value: number | null;
  truth: number | null;
  covered: boolean | null;
  essShare: number | null;
}

export interface EstimatorRecord {
  cells: number;
  estimated: number;
  coverage: number;
  /** Wilson's 95% interval of the coverage (cells sharing one seed's logs make it, if anything, too narrow). */
  coverageCi: [number, number];
  /** Mean and standard error of the mean of (estimate − truth) / truth, its sd, RMSE and mean |·|. */
  bias: number;
  biasSe: number;
  sd: number;
  rmse: number;
  meanAbs: number;
  essShare: number;
}

export function wilson(k: number, n: number, z = normalQuantile(0.975)): [number, number] {
  if (n === 0) return [NaN, NaN];
  const p = k / n;
  const c = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const h = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / (1 + (z * z) / n);
  return [Math.max(0, c - h), Math.min(1, c + h)];
}

const mean = (a: number[]) => (a.length ? a.reduce((x, y) => x + y, 0) / a.length : NaN);

export function estimatorRecord(cells: readonly EstimateCell[]): EstimatorRecord {
  const ok = cells.filter((c) => c.value !== null && Number.isFinite(c.value) && c.truth !== null && c.truth > 0);
  const rel = ok.map((c) => (c.value! - c.truth!) / c.truth!);
  const bias = mean(rel);
  const sd = Math.sqrt(mean(rel.map((x) => (x - bias) ** 2)));
  const withCi = cells.filter((c) => c.covered !== null);
  const covered = withCi.filter((c) => c.covered).length;
  return {
    cells: cells.length,
    estimated: ok.length,
    coverage: withCi.length ? covered / withCi.length : NaN,
    coverageCi: wilson(covered, withCi.length),
    bias,
    biasSe: sd / Math.sqrt(Math.max(1, rel.length)),
    sd,
    rmse: Math.sqrt(mean(rel.map((x) => x * x))),
    meanAbs: mean(rel.map(Math.abs)),
    essShare: mean(ok.map((c) => c.essShare).filter((x): x is number => x !== null && Number.isFinite(x))),
  };
}
