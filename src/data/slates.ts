// Slates from scores: what any server of candidates shows — an A/B arm in the replay, a learner in a
// feedback loop, a model serving while it adapts.
import type { Requests } from '../world/traffic.js';

/** For each request, the candidate indices of the top-k slate by score (k: the request's domain's slate). */
export function rankSlates(rq: Requests, slateOf: ArrayLike<number>, scores: Float32Array): { start: Int32Array; cand: Int32Array } {
  const start = new Int32Array(rq.n + 1);
  for (let r = 0; r < rq.n; r++) start[r + 1] = start[r] + slateOf[rq.domain[r]];
  const cand = new Int32Array(start[rq.n]);
  for (let r = 0; r < rq.n; r++) {
    const from = rq.candStart[r];
    const idx = Array.from({ length: rq.candStart[r + 1] - from }, (_, j) => from + j);
    // Stable: ties keep candidate order, so identical models give identical slates.
    idx.sort((a, b) => scores[b] - scores[a] || a - b);
    for (let j = 0; j < start[r + 1] - start[r]; j++) cand[start[r] + j] = idx[j];
  }
  return { start, cand };
}

/** abtest.positionBias as a function of the 0-based slot: its click multiplier, the last one past its end, 1 without a curve. */
export const positionCurve =
  (curve: readonly number[] | null | undefined) =>
  (pos: number): number =>
    curve ? curve[Math.min(pos, curve.length - 1)] : 1;

/**
 * An exploring server's score of a candidate it predicts clicks with probability p: logit(p) /
 * temperature plus Gumbel noise from the uniform draw u. The top k of such scores is a Plackett–Luce
 * slate whose first position has probabilities ∝ exp(logit(p) / temperature).
 */
export function exploreScore(p: number, temperature: number, u: number): number {
  const q = Math.min(1 - 1e-7, Math.max(1e-7, p));
  return (Math.log(q) - Math.log1p(-q)) / temperature - Math.log(-Math.log(1 - u));
}
