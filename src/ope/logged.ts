// Off-policy estimates on a real log: the value (CTR per display) of a target policy, estimated from
// another policy's logged displays, each display an (item, position) with the logger's marginal
// propensity of that item at that position — the independent-item view (Li et al. 2018) that Open
// Bandit Pipeline's papers take of this data. Displays are the units: in OBD's sample the three
// positions of a slate are not kept together, so nothing is clustered.
//   IPW   mean(w·r), w = π_e(a, k) / π_b(a, k)
//   SNIPW Σ w·r / Σ w
//   DM    mean over displays of Σ_a π_e(a, k)·q̂(a, k)
//   DR    DM + mean(w·(r − q̂(a, k)))  (Dudík et al. 2011)
// q̂ is a per-(item, position) click rate shrunk towards the position's rate, cross-fitted over two
// halves of the log (each display's q̂ comes from the other half), so DR's correction is not fitted
// to the clicks it corrects. DM's standard error adds q̂'s own binomial noise (its shrinkage bias is
// not in it: with ~0.5 clicks per (item, position) DM sits near the logger's CTR whatever the target).
import { normalQuantile } from '../abtest/stats/distributions.js';
import { ratioEstimate, weightDiagnostics } from './estimators.js';

/** A context-free policy on one domain: the probability of each item at each position (items × positions, row-major); each position's column sums to 1. */
export interface SlotPolicy {
  items: number;
  positions: number;
  p: Float64Array;
}

/** One policy's logged displays in one domain. */
export interface DisplayLog {
  item: Int32Array;
  /** From 0. */
  position: Int32Array;
  click: Uint8Array;
  /** The logger's probability of this item at this position. */
  propensity: Float64Array;
}

export const LOGGED_ESTIMATORS = ['ipw', 'snipw', 'dm', 'dr'] as const;
export type LoggedEstimator = (typeof LOGGED_ESTIMATORS)[number];

export interface LoggedEstimate {
  estimator: LoggedEstimator;
  value: number;
  se: number;
  ciLow: number;
  ciHigh: number;
}

/**
 * Named warnings on a log's estimates, each a reason not to trust them as printed:
 * - `dominant-weight`: one display holds at least max(5%, 5/n) of Σw (five times a uniform share), so
 *   its single click moves SNIPW by that share and IPW/DR by w/n;
 * - `propensity-below-1/n`: a logged propensity under 1/n, a display the logger would show less than
 *   once in a log of this size; its weight can outweigh the rest of the log (OBD's women BTS log has
 *   one row at 1e-6, off its 5e-6 grid, and weight 22,525).
 */
export type LoggedWarning = 'dominant-weight' | 'propensity-below-1/n';

/** A rate's normal interval, kept inside [0, 1] where the rate lives (the estimate itself is not clipped: that would bias it). */
export const rateInterval = (value: number, se: number, z: number): { ciLow: number; ciHigh: number } => ({
  ciLow: Math.max(0, value - z * se),
  ciHigh: Math.min(1, value + z * se),
});

/** The warnings a log's weights earn (see LoggedWarning). */
export function weightWarnings(w: ArrayLike<number>, propensity: ArrayLike<number>, maxWeight: number): LoggedWarning[] {
  const n = w.length;
  let sumW = 0;
  for (let i = 0; i < n; i++) sumW += w[i];
  const out: LoggedWarning[] = [];
  if (n > 0 && sumW > 0 && maxWeight / sumW >= Math.max(0.05, 5 / n)) out.push('dominant-weight');
  for (let i = 0; i < n; i++)
    if (propensity[i] < 1 / n) {
      out.push('propensity-below-1/n');
      break;
    }
  return out;
}

export interface LoggedEvaluation {
  displays: number;
  estimates: LoggedEstimate[];
  /** Kish's effective sample size of the weights, its share of the displays, and the largest weight. */
  ess: number;
  essShare: number;
  maxWeight: number;
  /** Σw and Σw², to pool the diagnostics over domains. */
  sumW: number;
  sumW2: number;
  /** The target's probability mass (per display, averaged over positions) on (item, position) pairs the log never shows. */
  unsupported: number;
  warnings: LoggedWarning[];
}

/** Shrinkage of q̂(a, k) towards the position's click rate, in displays: OBD has ~100 displays and ~0.5 clicks per (item, position). */
const PRIOR_DISPLAYS = 100;

/** q̂ on one fold's complement, and the variance of each q̂(a, k) (binomial, through the shrinkage). */
function rewardModel(log: DisplayLog, items: number, positions: number, fold: number): { q: Float64Array; variance: Float64Array } {
  const n = new Float64Array(items * positions);
  const c = new Float64Array(items * positions);
  const nk = new Float64Array(positions);
  const ck = new Float64Array(positions);
  for (let i = 0; i < log.item.length; i++) {
    if (i % 2 === fold) continue;
    const j = log.item[i] * positions + log.position[i];
    n[j]++;
    c[j] += log.click[i];
    nk[log.position[i]]++;
    ck[log.position[i]] += log.click[i];
  }
  const q = new Float64Array(items * positions);
  const variance = new Float64Array(items * positions);
  for (let a = 0; a < items; a++)
    for (let k = 0; k < positions; k++) {
      const j = a * positions + k;
      const base = nk[k] ? ck[k] / nk[k] : 0;
      q[j] = (c[j] + PRIOR_DISPLAYS * base) / (n[j] + PRIOR_DISPLAYS);
      variance[j] = (q[j] * (1 - q[j]) * n[j]) / (n[j] + PRIOR_DISPLAYS) ** 2;
    }
  return { q, variance };
}

const meanSe = (x: Float64Array): { value: number; se: number } => {
  const n = x.length;
  let s = 0;
  for (const v of x) s += v;
  const m = s / n;
  let ss = 0;
  for (const v of x) ss += (v - m) * (v - m);
  return { value: m, se: n > 1 ? Math.sqrt(ss / (n - 1) / n) : Number.NaN };
};

export function evaluateLogged(log: DisplayLog, target: SlotPolicy, alpha = 0.05): LoggedEvaluation {
  const n = log.item.length;
  const K = target.positions;
  const models = [rewardModel(log, target.items, K, 0), rewardModel(log, target.items, K, 1)];
  // Σ_a π_e(a, k)·q̂(a, k) per fold and position.
  const direct = models.map(({ q }) =>
    Float64Array.from({ length: K }, (_, k) => {
      let s = 0;
      for (let a = 0; a < target.items; a++) s += target.p[a * K + k] * q[a * K + k];
      return s;
    }),
  );
  // Var of DM from q̂: each fold's Σ_a π²·Var q̂ per position, weighted by the position's share of the fold's displays.
  const perPosition = new Float64Array(2 * K);
  for (let i = 0; i < n; i++) perPosition[(i % 2) * K + log.position[i]]++;
  let modelVariance = 0;
  models.forEach(({ variance }, f) => {
    for (let k = 0; k < K; k++) {
      let v = 0;
      for (let a = 0; a < target.items; a++) v += target.p[a * K + k] ** 2 * variance[a * K + k];
      modelVariance += (perPosition[f * K + k] / n) ** 2 * v;
    }
  });
  const w = new Float64Array(n);
  const ipw = new Float64Array(n);
  const dm = new Float64Array(n);
  const dr = new Float64Array(n);
  const shown = new Uint8Array(target.items * K);
  for (let i = 0; i < n; i++) {
    const k = log.position[i];
    const j = log.item[i] * K + k;
    shown[j] = 1;
    const f = i % 2;
    w[i] = target.p[j] / log.propensity[i];
    ipw[i] = w[i] * log.click[i];
    dm[i] = direct[f][k];
    dr[i] = dm[i] + w[i] * (log.click[i] - models[f].q[j]);
  }
  const z = normalQuantile(1 - alpha / 2);
  const interval = (estimator: LoggedEstimator, e: { value: number; se: number }): LoggedEstimate => ({ estimator, ...e, ...rateInterval(e.value, e.se, z) });
  const sn = ratioEstimate({ num: ipw, den: w, clusters: n });
  const d = weightDiagnostics(w);
  let unsupported = 0;
  for (let j = 0; j < target.items * K; j++) if (!shown[j]) unsupported += target.p[j] / K;
  return {
    displays: n,
    estimates: [
      interval('ipw', meanSe(ipw)),
      interval('snipw', { value: sn.value, se: Math.sqrt(sn.variance) }),
      interval('dm', (({ value, se }) => ({ value, se: Math.sqrt(se * se + modelVariance) }))(meanSe(dm))),
      interval('dr', meanSe(dr)),
    ],
    ess: d.ess,
    essShare: n ? d.ess / n : Number.NaN,
    maxWeight: d.maxWeight,
    sumW: d.mean * n,
    sumW2: n && d.ess > 0 ? (d.mean * n) ** 2 / d.ess : 0,
    unsupported,
    warnings: weightWarnings(w, log.propensity, d.maxWeight),
  };
}
