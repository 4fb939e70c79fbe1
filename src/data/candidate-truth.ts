// The true click and conversion probabilities of candidates (the replay's, or those of other
// requests): what a served slate's outcomes are drawn from, wherever a slate is served.
import type { Dataset } from './dataset.js';
import type { Requests } from '../world/traffic.js';
import { rawLogits, sigmoid } from '../world/truth.js';
import type { World } from '../world/world.js';

/** The true click and conversion probabilities of every candidate (the replay's, or those of other requests). */
export interface CandidateTruth {
  click: Float32Array;
  conv: Float32Array;
}

export function candidateTruth(
  w: World,
  cds: Dataset & { request: Int32Array; item: Int32Array },
  rq: Requests = w.replay,
  experience: Int32Array = w.replayExperience,
): CandidateTruth {
  const click = new Float32Array(cds.n);
  const conv = new Float32Array(cds.n);
  const L = w.truth.dim;
  for (let k = 0; k < cds.n; k++) {
    const d = cds.domain[k];
    const r = cds.request[k];
    const [rc, rv] = rawLogits(w.truth, d, cds.user[k], cds.item[k], rq.ctxLatent, r * L, experience[r], rq.time[r] / w.timeline.total);
    click[k] = sigmoid(w.truth.bias[d] + rc);
    conv[k] = sigmoid(w.truth.convBias[d] + rv);
  }
  return { click, conv };
}
