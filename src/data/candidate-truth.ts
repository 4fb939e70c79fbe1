// The true click and conversion probabilities of candidates (the replay's, or those of other
// requests): what a served slate's outcomes are drawn from, wherever a slate is served.
import type { Dataset } from './dataset.js';
import type { Requests } from '../world/traffic.js';
import { rawLogitsInto } from '../world/truth.js';
import { sigmoid } from '../world/calibrate.js';
import { heldReplay, type World } from '../world/world.js';

/** The true click and conversion probabilities of every candidate (the replay's, or those of other requests). */
export interface CandidateTruth {
  click: Float32Array;
  conv: Float32Array;
}

const LOGITS = new Float64Array(2);

/**
 * The true click and conversion probabilities of item i shown on request r of `rq` (domain d, user
 * u), as float32 at out[at] and out[at + 1]: the one formula every served candidate is scored by.
 */
export function trueProbabilities(w: World, rq: Requests, experience: Int32Array, r: number, i: number, out: Float32Array, at: number): void {
  const d = rq.domain[r];
  rawLogitsInto(w.truth, d, rq.user[r], i, rq.ctxLatent, r * w.truth.dim, experience[r], LOGITS, 0, rq.time[r] / w.timeline.total);
  out[at] = sigmoid(w.truth.bias[d] + LOGITS[0]);
  out[at + 1] = sigmoid(w.truth.convBias[d] + LOGITS[1]);
}

export function candidateTruth(
  w: World,
  cds: Dataset & { request: Int32Array; item: Int32Array },
  rq: Requests = heldReplay(w, 'the replay candidates').rq,
  experience: Int32Array = heldReplay(w, 'the replay candidates').experience,
): CandidateTruth {
  const click = new Float32Array(cds.n);
  const conv = new Float32Array(cds.n);
  const p = new Float32Array(2);
  for (let k = 0; k < cds.n; k++) {
    trueProbabilities(w, rq, experience, cds.request[k], cds.item[k], p, 0);
    click[k] = p[0];
    conv[k] = p[1];
  }
  return { click, conv };
}
