// Serve-time adaptation (maml-serve): the trained MAML model serves the replay requests in time order
// and adapts to each user on the user's most recent impressions — first the logged ones, then those
// it served them itself during the test, with the clicks they drew. Requests go in chunks (one
// batched adaptation per chunk): a request sees what was served in earlier chunks, not earlier in
// its own. The clicks it learns from are one draw of the truth (position bias included) from the
// stream 'serve-time:<name>' of the seed, the same under every assignment, so the replay ranks the
// arm's slates once as it does any arm's; the A/B test then draws its own outcomes for them.
import { heldReplay } from '../world/world.js';
import type { TrainingInputs } from '../data/inputs.js';
import type { Dataset } from '../data/dataset.js';
import { withRoom } from '../data/dataset.js';
import { recentRows } from '../data/history.js';
import { candidateTruth } from '../data/candidate-truth.js';
import { positionCurve, rankSlates } from '../data/slates.js';
import { sliceRequests } from '../world/traffic.js';
import type { MamlModel } from '../models/maml.js';
import { stream } from '../world/rng.js';

/** Requests per batched adaptation. */
export const SERVE_CHUNK = 64;

export interface ServeTime {
  /** The candidates' scores as served: each request's top k is the slate the model adapted on. */
  scores: Float32Array;
  /** Adaptations run (chunks) and the wall time of the whole pass. */
  chunks: number;
  seconds: number;
}

export function serveWhileAdapting(
  p: TrainingInputs,
  model: MamlModel,
  cds: Dataset & { request: Int32Array; item: Int32Array },
  name: string,
  seed: number,
): ServeTime {
  const t0 = performance.now();
  const w = p.world;
  const { rq } = heldReplay(w, 'maml-serve');
  const S = model.support;
  const slateOf = w.scenario.domains.map((d) => d.slate);
  const bias = positionCurve(w.scenario.abtest?.positionBias);
  const truth = candidateTruth(w, cds);
  const rng = stream(seed, `serve-time:${name}`);
  let servedRows = 0;
  for (let r = 0; r < rq.n; r++) servedRows += slateOf[rq.domain[r]];
  const room = withRoom(p.ds, servedRows);
  // Per user: the support rows, most recent last (logged rows keep their index in the grown dataset).
  const recent = new Map<number, number[]>();
  const buf = new Int32Array(S);
  const supportOf = (u: number): number[] => {
    let list = recent.get(u);
    if (!list) {
      const n = recentRows(p.history, u, Number.MAX_SAFE_INTEGER, S, buf);
      list = Array.from(buf.subarray(0, n));
      recent.set(u, list);
    }
    return list;
  };
  const scores = new Float32Array(cds.n);
  let next = p.ds.n;
  let chunks = 0;
  for (let r0 = 0; r0 < rq.n; r0 += SERVE_CHUNK) {
    const r1 = Math.min(rq.n, r0 + SERVE_CHUNK);
    const c0 = rq.candStart[r0];
    const q = Int32Array.from({ length: rq.candStart[r1] - c0 }, (_, k) => c0 + k);
    const qGroup = Int32Array.from(q, (k) => cds.request[k] - r0);
    const G = r1 - r0;
    const support = new Int32Array(G * S);
    const mask = new Float32Array(G * S);
    for (let g = 0; g < G; g++) {
      const list = model.adaptation ? supportOf(rq.user[r0 + g]) : [];
      list.forEach((row, k) => {
        support[g * S + k] = row;
        mask[g * S + k] = 1;
      });
    }
    const p_ = model.scoreSupported(cds, q, qGroup, room.ds, support, mask);
    chunks++;
    scores.set(p_, c0);
    // Serve each request's top k (ranked as the replay ranks), draw its clicks, remember them.
    const sl = rankSlates(sliceRequests(rq, r0, r1, w.truth.dim), slateOf, scores.subarray(c0, rq.candStart[r1]));
    for (let r = r0; r < r1; r++) {
      const list = supportOf(rq.user[r]);
      for (let j = sl.start[r - r0]; j < sl.start[r - r0 + 1]; j++) {
        const k = c0 + sl.cand[j];
        room.put(cds, k, next, rng.next() < truth.click[k] * bias(j - sl.start[r - r0]) ? 1 : 0);
        list.push(next++);
      }
      if (list.length > S) list.splice(0, list.length - S);
    }
  }
  return { scores, chunks, seconds: (performance.now() - t0) / 1000 };
}
