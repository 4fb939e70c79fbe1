// Slates from scores: what any server of candidates shows — an A/B arm in the replay, a learner in a
// feedback loop, a model serving while it adapts.
import type { Requests } from '../world/traffic.js';

/** For each request, the candidate indices of the top-k slate by score (k: the request's domain's slate). */
export function rankSlates(rq: Requests, slateOf: ArrayLike<number>, scores: Float32Array): { start: Int32Array; cand: Int32Array } {
  const start = new Int32Array(rq.n + 1);
  for (let r = 0; r < rq.n; r++) start[r + 1] = start[r] + slateOf[rq.domain[r]];
  const cand = new Int32Array(start[rq.n]);
  for (let r = 0; r < rq.n; r++) {
    // Insertion into the top k, candidates in index order: a higher score goes first and a tie keeps
    // candidate order (stable), so identical models give identical slates — a sort's order, at a
    // fraction of its cost for k of ~40.
    const at = start[r];
    const k = start[r + 1] - at;
    let size = 0;
    for (let c = rq.candStart[r]; c < rq.candStart[r + 1]; c++) {
      const v = scores[c];
      let p = size;
      while (p > 0 && scores[cand[at + p - 1]] < v) p--;
      if (p >= k) continue;
      for (let q = Math.min(size, k - 1); q > p; q--) cand[at + q] = cand[at + q - 1];
      cand[at + p] = c;
      if (size < k) size++;
    }
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
