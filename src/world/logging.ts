// The logging policies: which slate of a request's candidates the logged traffic shows, and the
// probabilities with which it showed it — what off-policy estimators weight by. Every policy's
// propensities are exact (closed forms, or for Plackett–Luce a one-dimensional integral evaluated far
// below the precision anything downstream uses), so an estimator's error is its own, not the log's.
import type { LOGGING_POLICIES } from '../scenario/blocks.js';
import type { Scenario } from '../scenario/schema.js';
import type { Rng } from './rng.js';

export type LoggingPolicyName = (typeof LOGGING_POLICIES)[number];

export interface LoggingPolicy {
  name: LoggingPolicyName;
  /** softmax: Plackett–Luce over popularity^(1/temperature); 'popularity' is temperature 1. */
  temperature: number;
  /** epsilon-greedy: the share of requests shown a uniformly random slate instead of the popularity top-k. */
  epsilon: number;
}

export function loggingPolicy(s: Scenario): LoggingPolicy {
  return { name: s.traffic.loggingPolicy, temperature: s.traffic.loggingTemperature ?? 0.5, epsilon: s.traffic.loggingEpsilon ?? 0.1 };
}

/** Whether every ordered slate has a positive probability (false: the deterministic top-k, which never shows most items). */
export function fullSupport(p: LoggingPolicy): boolean {
  return p.name !== 'top-popularity';
}

/** The propensities of one shown slate, per position j (0-based) of its k items. */
export interface SlatePropensities {
  /** P(the item shown at j is shown at j): the marginal item-position propensity (OBP's pscore_item_position). */
  itemPosition: Float64Array;
  /** P(the item shown at j is shown at any position): its inclusion probability. */
  item: Float64Array;
  /** P(positions 0..j show exactly these items in this order) (OBP's pscore_cascade; at k − 1 the slate's own). */
  cascade: Float64Array;
}

export function propensityBuffers(k: number): SlatePropensities {
  return { itemPosition: new Float64Array(k), item: new Float64Array(k), cascade: new Float64Array(k) };
}

/** The identity permutation between calls (each call undoes its swaps), and the positions it swapped. */
let identity = Int32Array.from({ length: 64 }, (_, i) => i);
let picks = new Int32Array(64);
let keys = new Float64Array(64);
let chosen = new Uint8Array(64);
let weights = new Float64Array(64);

function grow(n: number, k: number): void {
  if (identity.length < n) identity = Int32Array.from({ length: 2 * n }, (_, i) => i);
  if (picks.length < k) picks = new Int32Array(2 * k);
  if (keys.length < n) {
    keys = new Float64Array(2 * n);
    chosen = new Uint8Array(2 * n);
    weights = new Float64Array(2 * n);
  }
}

/**
 * Indices (into the request's candidates cands[start … start + n)) of the slate the logging policy
 * shows, in rank order.
 */
export function logSlate(
  policy: LoggingPolicy,
  cands: Int32Array,
  start: number,
  n: number,
  k: number,
  popularity: Float64Array,
  rng: Rng,
  out: Int32Array,
): void {
  grow(n, k);
  switch (policy.name) {
    case 'random':
      shuffled(n, k, rng, out);
      return;
    case 'popularity':
    case 'softmax':
      plackettLuce(cands, start, n, k, popularity, temperatureOf(policy), rng, out);
      return;
    case 'top-popularity':
      topK(cands, start, n, k, popularity, out);
      return;
    case 'epsilon-greedy':
      if (rng.next() < policy.epsilon) shuffled(n, k, rng, out);
      else topK(cands, start, n, k, popularity, out);
  }
}

/** The propensities of the slate `shown` (indices into the request's candidates, in rank order) under the policy. */
export function slatePropensities(
  policy: LoggingPolicy,
  cands: Int32Array,
  start: number,
  n: number,
  k: number,
  popularity: Float64Array,
  shown: Int32Array,
  prop: SlatePropensities,
): void {
  grow(n, k);
  switch (policy.name) {
    case 'random':
      uniformPropensities(n, k, prop, 1, 0);
      return;
    case 'popularity':
    case 'softmax':
      plackettLuceWeights(cands, start, n, popularity, temperatureOf(policy));
      plackettLucePropensities(n, k, shown, prop);
      return;
    case 'top-popularity':
      prop.itemPosition.fill(1, 0, k);
      prop.item.fill(1, 0, k);
      prop.cascade.fill(1, 0, k);
      return;
    case 'epsilon-greedy':
      epsilonGreedyPropensities(cands, start, n, k, popularity, policy.epsilon, shown, prop);
      return;
  }
}

const temperatureOf = (p: LoggingPolicy) => (p.name === 'popularity' ? 1 : p.temperature);

/** The first k steps of a Fisher–Yates shuffle of 0..n−1, on a scratch identity restored afterwards. */
function shuffled(n: number, k: number, rng: Rng, out: Int32Array): void {
  const idx = identity;
  for (let j = 0; j < k; j++) {
    const pick = j + rng.int(n - j);
    picks[j] = pick;
    const t = idx[j];
    idx[j] = idx[pick];
    idx[pick] = t;
    out[j] = idx[j];
  }
  // Only positions j and picks[j] moved: put their own indices back.
  for (let j = 0; j < k; j++) {
    idx[j] = j;
    idx[picks[j]] = picks[j];
  }
}

/** A uniformly random ordered slate's propensities, scaled by `share` and shifted by `plus` (ε-greedy mixes them). */
function uniformPropensities(n: number, k: number, prop: SlatePropensities, share: number, plus: number): void {
  let prefix = 1;
  for (let j = 0; j < k; j++) {
    prefix /= n - j;
    prop.itemPosition[j] = share / n + plus;
    prop.item[j] = (share * k) / n + plus;
    prop.cascade[j] = share * prefix + plus;
  }
}

/** The k most popular candidates, ties to the lower index (the order a stable sort gives). */
function topK(cands: Int32Array, start: number, n: number, k: number, popularity: Float64Array, out: Int32Array): void {
  for (let j = 0; j < n; j++) chosen[j] = 0;
  for (let j = 0; j < k; j++) {
    let best = -1;
    for (let i = 0; i < n; i++) if (!chosen[i] && (best < 0 || popularity[cands[start + i]] > popularity[cands[start + best]])) best = i;
    out[j] = best;
    chosen[best] = 1;
  }
}

/**
 * Plackett–Luce over popularity^(1/τ) via the Gumbel-top-k trick: the k largest perturbed scores,
 * ties to the lower index. At τ = 1 these are the draws of the policy from before temperatures
 * existed (the shipped worlds' fingerprints).
 */
function plackettLuce(cands: Int32Array, start: number, n: number, k: number, popularity: Float64Array, tau: number, rng: Rng, out: Int32Array): void {
  for (let j = 0; j < n; j++) {
    keys[j] = Math.log(popularity[cands[start + j]]) / tau - Math.log(-Math.log(1 - rng.next() * (1 - 1e-12)));
    chosen[j] = 0;
  }
  for (let j = 0; j < k; j++) {
    let best = -1;
    for (let i = 0; i < n; i++) if (!chosen[i] && (best < 0 || keys[i] > keys[best])) best = i;
    out[j] = best;
    chosen[best] = 1;
  }
}

/** Each candidate's choice weight popularity^(1/τ), normalised to sum to one, into `weights`. */
function plackettLuceWeights(cands: Int32Array, start: number, n: number, popularity: Float64Array, tau: number): void {
  let top = -Infinity;
  for (let j = 0; j < n; j++) {
    weights[j] = Math.log(popularity[cands[start + j]]) / tau;
    if (weights[j] > top) top = weights[j];
  }
  let sum = 0;
  for (let j = 0; j < n; j++) sum += weights[j] = Math.exp(weights[j] - top);
  for (let j = 0; j < n; j++) weights[j] /= sum;
}

/** ε-greedy: (1 − ε)·[the slate agrees with the top-k] + ε·(the uniform slate's propensity). */
function epsilonGreedyPropensities(
  cands: Int32Array,
  start: number,
  n: number,
  k: number,
  popularity: Float64Array,
  epsilon: number,
  shown: Int32Array,
  prop: SlatePropensities,
): void {
  const top = picks; // free after the draw: the shuffle restored its scratch
  topK(cands, start, n, k, popularity, top);
  uniformPropensities(n, k, prop, epsilon, 0);
  let prefixAgrees = true;
  for (let j = 0; j < k; j++) {
    prefixAgrees &&= shown[j] === top[j];
    let inTop = false;
    for (let m = 0; m < k; m++) inTop ||= top[m] === shown[j];
    if (shown[j] === top[j]) prop.itemPosition[j] += 1 - epsilon;
    if (inTop) prop.item[j] += 1 - epsilon;
    if (prefixAgrees) prop.cascade[j] += 1 - epsilon;
  }
}

/** Trapezoid step in log s: the integrand is analytic and decays doubly exponentially there, so the error falls like e^(−π²/h): 3e-9 at h = 0.5, below 1e-12 at 0.3 (a test holds it to enumeration). */
const LOG_STEP = 0.3;
/**
 * Where the integral starts: "none of the others exceed" (the first position) has the closed form w_i
 * and is not integrated; "m of them exceed" grows like s^m, so the part below S_FROM is O(S_FROM^(m+1)).
 */
const S_FROM = 1e-6;

let above = new Float64Array(0);
let below = new Float64Array(0);
let stay = new Float64Array(64);

/**
 * Plackett–Luce marginals of the shown items, exactly. In the Gumbel form item i has key
 * G_i = log w_i + Gumbel, P(G_j ≤ t) = exp(−w_j e^(−t)); with s = e^(−t),
 *   P(i at position j) = ∫₀^∞ w_i e^(−w_i s) · P(exactly j of the others exceed i's key | s) ds,
 * and the inclusion probability sums that count over 0..k−1; at j = 0 it is w_i in closed form. The count's law is a Poisson-binomial in
 * q_l(s) = 1 − e^(−w_l s), computed for each i from prefix and suffix tables (leave-one-out without
 * dividing, so nothing cancels). The cascade is the product of the sequential choice probabilities.
 */
function plackettLucePropensities(n: number, k: number, shown: Int32Array, prop: SlatePropensities): void {
  let left = 1;
  for (let j = 0; j < k; j++) {
    const w = weights[shown[j]];
    prop.cascade[j] = (j ? prop.cascade[j - 1] : 1) * (w / Math.max(left, w));
    left -= w;
    prop.itemPosition[j] = 0;
    prop.item[j] = 0;
  }
  // Prefix table: above[(l + 1)·k + m] = P(m of candidates 0..l exceed); suffix: below[l·k + m] for candidates l..n−1.
  const K = k;
  if (above.length < (n + 2) * K) {
    above = new Float64Array(2 * (n + 2) * K);
    below = new Float64Array(2 * (n + 2) * K);
  }
  if (stay.length < n) stay = new Float64Array(2 * n);
  let wShown = Infinity;
  for (let j = 0; j < k; j++) {
    const w = weights[shown[j]];
    if (j === 0) prop.itemPosition[0] = w;
    prop.item[j] = w;
    if (w > 0 && w < wShown) wShown = w;
  }
  // Past 60 / w the shown items' density factor e^(−w s) is below e^(−60).
  const yFrom = Math.log(S_FROM);
  const yTo = Math.log(60 / wShown);
  for (let y = yFrom; y <= yTo + 1e-9; y += LOG_STEP) {
    const s = Math.exp(y);
    for (let l = 0; l < n; l++) stay[l] = Math.exp(-weights[l] * s);
    above.fill(0, 0, K);
    above[0] = 1;
    for (let l = 0; l < n; l++) {
      const st = stay[l];
      const q = 1 - st;
      const from = l * K;
      const to = from + K;
      above[to] = above[from] * st;
      for (let m = 1; m < K; m++) above[to + m] = above[from + m] * st + above[from + m - 1] * q;
    }
    below.fill(0, n * K, n * K + K);
    below[n * K] = 1;
    for (let l = n - 1; l >= 0; l--) {
      const st = stay[l];
      const q = 1 - st;
      const from = (l + 1) * K;
      const to = l * K;
      below[to] = below[from] * st;
      for (let m = 1; m < K; m++) below[to + m] = below[from + m] * st + below[from + m - 1] * q;
    }
    for (let j = 0; j < k; j++) {
      const i = shown[j];
      // Weight of this node: ds = s dy, times i's density factor.
      const f = LOG_STEP * s * weights[i] * stay[i];
      if (f === 0) continue;
      const a = i * K; // candidates before i
      const b = (i + 1) * K; // candidates after i
      let atJ = 0;
      let inSlate = 0;
      for (let m = 1; m < K; m++) {
        let c = 0;
        for (let x = 0; x <= m; x++) c += above[a + x] * below[b + m - x];
        if (m === j) atJ = c;
        inSlate += c;
      }
      if (j > 0) prop.itemPosition[j] += f * atJ;
      prop.item[j] += f * inSlate;
    }
  }
}
