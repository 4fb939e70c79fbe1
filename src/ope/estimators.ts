// Off-policy estimators of a slate policy's CTR from logged slates with known propensities (Open
// Bandit Pipeline's definitions, Saito et al. 2021, for slates): every estimate is a ratio of sums
// over requests, V̂ = Σ_r num_r / Σ_r den_r, with den_r the slate's size (or, self-normalised, the
// request's summed weights), so one user-clustered delta-method variance serves them all.
//
// For request r with logged items a_j, clicks c_j, target slate B = (b_1 … b_k) and reward model q̂:
//   DM         Σ_j q̂(b_j)
//   IPW        Σ_j w_j c_j,  w_j = 1{a_j ∈ B} / P(a_j in the slate)            (position-agnostic)
//   SNIPW      IPW over Σ_j w_j instead of k
//   DR         DM + Σ_j w_j (c_j − q̂(a_j))                                     (Dudík et al. 2011)
//   Switch-DR  DR with the correction only where w_j ≤ τ, τ by estimated MSE   (Wang et al. 2017)
//   IIPS       Σ_j v_j c_j,  v_j = 1{a_j = b_j} / P(a_j at position j)          (Li et al. 2018)
//   SNIIPS     IIPS over Σ_j v_j
//   RIPS       Σ_j u_j c_j,  u_j = 1{a_1..j = b_1..j} / P(a_1..j)              (cascade; McInerney et al. 2020)
//   SIPS       1{a = B} / P(a) · Σ_j c_j                                      (the whole slate as one action)
// IPW and DR are unbiased when a click depends on the item and not on its position (the logs here);
// IIPS needs only that the click at j depends on the item at j (position-based); RIPS on the prefix;
// SIPS on nothing, at a variance that grows with the number of possible slates.

import { OPE_ESTIMATORS } from '../scenario/metrics.js';
import { kishSize, ratioWithVariance } from '../abtest/stats/ratio.js';
import { addUser, emptyRatio } from '../util/ratio-sums.js';

export const ESTIMATORS = OPE_ESTIMATORS;
export type EstimatorName = (typeof ESTIMATORS)[number];

/** What the rest of crossab needs to know of an estimator besides its terms (requestTerms). */
export interface EstimatorSpec {
  /** Which propensity its identification rests on: none (DM: the model), the item's inclusion, or its position. */
  support: 'model' | 'item' | 'position';
  /** Which logged rows must agree with the target for it to see anything: none, the item anywhere in the slate, the item at its position, the whole slate. */
  matches: 'none' | 'item' | 'position' | 'slate';
  /** Whose weights its effective sample size is Kish's of (RIPS's prefix weights lie between the position's and the slate's: none reported). */
  weights: 'none' | 'item' | 'position' | 'slate';
}

/**
 * Every estimator, one row each. Typed by the scenario's list of names, so a name added there does
 * not compile until it has its row here (and its terms in requestTerms).
 */
export const ESTIMATOR_TABLE: Record<EstimatorName, EstimatorSpec> = {
  dm: { support: 'model', matches: 'none', weights: 'none' },
  ipw: { support: 'item', matches: 'item', weights: 'item' },
  snipw: { support: 'item', matches: 'item', weights: 'item' },
  dr: { support: 'item', matches: 'item', weights: 'item' },
  'switch-dr': { support: 'item', matches: 'item', weights: 'item' },
  iips: { support: 'position', matches: 'position', weights: 'position' },
  sniips: { support: 'position', matches: 'position', weights: 'position' },
  rips: { support: 'position', matches: 'position', weights: 'none' },
  sips: { support: 'position', matches: 'slate', weights: 'slate' },
};

/** One logged request's slate and what the target would have shown there. */
export interface SlateRequest {
  /** Logged rows of the request, in position order: clicks and propensities. */
  click: ArrayLike<number>;
  pItemPosition: ArrayLike<number>;
  pItem: ArrayLike<number>;
  pCascade: ArrayLike<number>;
  /** Logged items and the target's items, position by position. */
  logged: ArrayLike<number>;
  target: ArrayLike<number>;
  /** Reward model at the logged items and at the target's items. */
  qLogged: ArrayLike<number>;
  qTarget: ArrayLike<number>;
}

/** Per request (numerator, denominator) of every estimator but Switch-DR, and the weights behind them. */
export interface RequestTerms {
  num: Float64Array; // [ESTIMATORS.length]
  den: Float64Array;
}

const IDX = Object.fromEntries(ESTIMATORS.map((e, i) => [e, i])) as Record<EstimatorName, number>;

/**
 * The per-request terms of one request. `itemWeights` receives w_j (the IPW weights; Switch-DR
 * thresholds them) and `drResidual` w_j (c_j − q̂(a_j)) per position.
 */
export function requestTerms(
  q: SlateRequest,
  k: number,
  out: RequestTerms,
  itemWeights: Float64Array,
  drResidual: Float64Array,
  posWeights: Float64Array,
): void {
  out.num.fill(0);
  out.den.fill(0);
  let dm = 0;
  let prefix = true;
  let clicks = 0;
  for (let j = 0; j < k; j++) {
    dm += q.qTarget[j];
    clicks += q.click[j];
    let inTarget = false;
    for (let m = 0; m < k; m++) inTarget ||= q.target[m] === q.logged[j];
    const w = inTarget ? 1 / q.pItem[j] : 0;
    const atJ = q.target[j] === q.logged[j];
    prefix &&= atJ;
    const v = atJ ? 1 / q.pItemPosition[j] : 0;
    const u = prefix ? 1 / q.pCascade[j] : 0;
    itemWeights[j] = w;
    posWeights[j] = v;
    drResidual[j] = w * (q.click[j] - q.qLogged[j]);
    out.num[IDX.ipw] += w * q.click[j];
    out.den[IDX.snipw] += w;
    out.num[IDX.dr] += drResidual[j];
    out.num[IDX.iips] += v * q.click[j];
    out.den[IDX.sniips] += v;
    out.num[IDX.rips] += u * q.click[j];
  }
  out.num[IDX.dm] = dm;
  out.num[IDX.snipw] = out.num[IDX.ipw];
  out.num[IDX.dr] += dm;
  // Switch-DR at τ = ∞ is DR; evaluate.ts replaces it with the tuned threshold's terms.
  out.num[IDX['switch-dr']] = out.num[IDX.dr];
  out.num[IDX.sniips] = out.num[IDX.iips];
  out.num[IDX.sips] = prefix ? clicks / q.pCascade[k - 1] : 0;
  for (const e of ESTIMATORS) if (e !== 'snipw' && e !== 'sniips') out.den[IDX[e]] = k;
}

/** A ratio of sums over users' clusters: Σ num / Σ den and its delta-method variance. */
export interface ClusteredSums {
  /** Per cluster (user): Σ num, Σ den over its requests. */
  num: Float64Array;
  den: Float64Array;
  clusters: number;
}

export function ratioEstimate(s: ClusteredSums): { value: number; variance: number } {
  const r = emptyRatio();
  for (let g = 0; g < s.clusters; g++) addUser(r, s.num[g], s.den[g]);
  if (r.sumY <= 0) return { value: NaN, variance: NaN };
  // The A/B readout's delta method (one home: abtest/stats/ratio.ts), which is the cluster-robust
  // sandwich Σ(num − R·den)² / (Σ den)² with its G/(G − 1) small-sample factor.
  return { value: r.sumX / r.sumY, variance: ratioWithVariance(r).variance };
}

/**
 * Var(log A − log B) of two ratio estimates on the same clusters: the delta method on the pair, so
 * the shared logs' noise cancels as far as it is shared.
 */
export function logRatioVariance(a: ClusteredSums, b: ClusteredSums): number {
  const ra = ratioEstimate(a);
  const rb = ratioEstimate(b);
  let Da = 0;
  let Db = 0;
  for (let g = 0; g < a.clusters; g++) {
    Da += a.den[g];
    Db += b.den[g];
  }
  let v = 0;
  for (let g = 0; g < a.clusters; g++) {
    const e = (a.num[g] - ra.value * a.den[g]) / (ra.value * Da) - (b.num[g] - rb.value * b.den[g]) / (rb.value * Db);
    v += e * e;
  }
  const G = a.clusters;
  return G > 1 ? v * (G / (G - 1)) : NaN;
}

/** Kish's effective sample size of a set of weights, (Σw)² / Σw², and the largest weight. */
export function weightDiagnostics(w: ArrayLike<number>, n = w.length): { ess: number; maxWeight: number; mean: number } {
  let s = 0;
  let s2 = 0;
  let max = 0;
  for (let i = 0; i < n; i++) {
    s += w[i];
    s2 += w[i] * w[i];
    if (w[i] > max) max = w[i];
  }
  return { ess: kishSize(s, s2), maxWeight: max, mean: n ? s / n : NaN };
}

/**
 * Switch-DR's threshold: among the candidate thresholds (quantiles of the positive weights, and no
 * threshold at all), the one of least estimated MSE = variance + max(0, b̂² − Var b̂), where b̂ is the
 * estimated bias of dropping the corrections above τ (their mean) — an unbiased estimate of the squared
 * bias, floored at 0, in the spirit of Su et al. 2020's tuning.
 */
export function switchThresholds(weights: Float64Array, n: number): number[] {
  const positive = Array.from(weights.subarray(0, n)).filter((w) => w > 0);
  if (positive.length === 0) return [Infinity];
  positive.sort((a, b) => a - b);
  const at = (q: number) => positive[Math.min(positive.length - 1, Math.floor(q * positive.length))];
  return [...new Set([at(0.5), at(0.75), at(0.9), at(0.95), at(0.99)])].concat(Infinity);
}
