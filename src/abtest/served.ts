// What the arms served in the A/B replay: every distinct strategy's slates on the replay requests
// and, per slot, the true click and conversion probabilities of the item shown. A held replay ranks
// here from the candidates' scores; a streamed one receives the slots its workers chose and draws
// the requests again chunk by chunk.
import { trueProbabilities, type CandidateTruth } from '../data/candidate-truth.js';
import { rankSlates } from '../data/slates.js';
import { heldReplay, replayChunks, type World } from '../world/world.js';
import type { Arm } from './readout.js';
import { dynamicPath, type DynamicPath } from './dynamics.js';

/** The replay's requests as the accounting reads them: who, where and when (a held replay's, or gathered while it streamed). */
export interface ReplayRequests {
  n: number;
  time: Int32Array;
  user: Int32Array;
  domain: Uint8Array;
}

/**
 * One strategy's slates on every replay request: slot j of request r is start[r] + j; per slot the
 * true click probability at the first position and the conversion probability of the item shown;
 * per request the expected clicks and conversions (position curve applied); with scenario.dynamics
 * its path (held replays only).
 */
export interface Slates {
  start: Int32Array;
  click: Float32Array;
  conv: Float32Array;
  expClicks: Float64Array;
  expConvs: Float64Array;
  path: DynamicPath | null;
}

/** What the arms served: every distinct strategy's slates on the replay requests. */
export interface Served {
  requests: ReplayRequests;
  ranked: Map<string, Slates>;
}

/** Per request: the slate's expected clicks and conversions from its slots' probabilities, r0 … r1. */
function expectations(sl: Slates, biasAt: Float64Array, r0: number, r1: number): void {
  for (let r = r0; r < r1; r++) {
    let c = 0;
    let v = 0;
    for (let j = sl.start[r]; j < sl.start[r + 1]; j++) {
      const pc = sl.click[j] * biasAt[j - sl.start[r]];
      c += pc;
      v += pc * sl.conv[j];
    }
    sl.expClicks[r] = c;
    sl.expConvs[r] = v;
  }
}

export const biasArray = (w: World, bias: (pos: number) => number) =>
  Float64Array.from({ length: Math.max(...w.scenario.domains.map((dom) => dom.slate)) }, (_, pos) => bias(pos));

/**
 * A held replay: every distinct strategy among the arms ranks every request by its candidate scores
 * (with scenario.dynamics, its path through the test for users still in it).
 */
export function servedByScores(
  w: World,
  truth: CandidateTruth,
  scores: Map<string, Float32Array>,
  arms: readonly Arm[],
  bias: (pos: number) => number,
): Served {
  const { rq } = heldReplay(w, 'ranking by candidate scores');
  const ranked = new Map<string, Slates>();
  const dyn = w.scenario.dynamics;
  const biasAt = biasArray(w, bias);
  for (const arm of arms) {
    if (ranked.has(arm.strategy)) continue;
    const armScores = scores.get(arm.strategy);
    if (!armScores) throw new Error(`replay: no candidate scores for strategy '${arm.strategy}' (train it with candidates)`);
    const sl = rankSlates(
      rq,
      w.scenario.domains.map((d) => d.slate),
      armScores,
    );
    const st: Slates = {
      start: sl.start,
      click: Float32Array.from(sl.cand, (k) => truth.click[k]),
      conv: Float32Array.from(sl.cand, (k) => truth.conv[k]),
      expClicks: new Float64Array(rq.n),
      expConvs: new Float64Array(rq.n),
      path: null,
    };
    if (dyn) {
      const path = dynamicPath(w, dyn, sl, truth, biasAt);
      Object.assign(st, { expClicks: path.expClicks, expConvs: path.expConvs, path });
    } else expectations(st, biasAt, 0, rq.n);
    ranked.set(arm.strategy, st);
  }
  return { requests: rq, ranked };
}

/**
 * A streamed replay: each strategy's slates come as the slot offsets into each request's candidates
 * that its scores chose (TrainedResult.slates, ranked where the model lives); the requests are drawn
 * again chunk by chunk and only the shown items' true probabilities are computed and kept.
 */
export function servedBySlates(w: World, slates: Map<string, Uint16Array>, arms: readonly Arm[], bias: (pos: number) => number): Served {
  const n = w.scenario.traffic.replayRequests;
  const requests: ReplayRequests = { n, time: new Int32Array(n), user: new Int32Array(n), domain: new Uint8Array(n) };
  const names = [...new Set(arms.map((a) => a.strategy))];
  const biasAt = biasArray(w, bias);
  const ranked = new Map<string, Slates>();
  const start = new Int32Array(n + 1);
  const slate = Int32Array.from(w.scenario.domains, (d) => d.slate);
  const p = new Float32Array(2);
  for (const { from, rq, experience } of replayChunks(w)) {
    requests.time.set(rq.time, from);
    requests.user.set(rq.user, from);
    requests.domain.set(rq.domain, from);
    for (let r = 0; r < rq.n; r++) start[from + r + 1] = start[from + r] + slate[rq.domain[r]];
    for (const name of names) {
      const chosen = slates.get(name);
      if (!chosen) throw new Error(`replay: no slates for strategy '${name}' (train it with candidates)`);
      let st = ranked.get(name);
      if (!st) {
        const slots = chosen.length;
        st = {
          start,
          click: new Float32Array(slots),
          conv: new Float32Array(slots),
          expClicks: new Float64Array(n),
          expConvs: new Float64Array(n),
          path: null,
        };
        ranked.set(name, st);
      }
      for (let r = 0; r < rq.n; r++) {
        const c0 = rq.candStart[r];
        for (let j = start[from + r]; j < start[from + r + 1]; j++) {
          trueProbabilities(w, rq, experience, r, rq.candItems[c0 + chosen[j]], p, 0);
          st.click[j] = p[0];
          st.conv[j] = p[1];
        }
      }
      expectations(st, biasAt, from, from + rq.n);
    }
  }
  for (const [name, st] of ranked)
    if (st.click.length !== start[n]) throw new Error(`replay: '${name}' chose ${st.click.length} slots, the replay has ${start[n]}`);
  return { requests, ranked };
}
