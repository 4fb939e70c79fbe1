// A streamed replay's slates for one trained model, ranked where the model lives (a training worker):
// chunk by chunk, the requests are drawn, their candidates encoded and scored, and only each slate's
// choice is kept, so memory is bounded by the chunk whatever the replay's size.
import type { Listener } from '../util/events.js';
import type { TrainingInputs } from '../data/inputs.js';
import { candidateEncoder } from '../data/candidates.js';
import { rankSlates } from '../data/slates.js';
import { REPLAY_CHUNK, replayChunks } from '../world/world.js';
import type { Trained } from './trainer.js';

/** One of `count` shards of a streamed replay: chunk k is ranked by shard k mod count. */
export interface ReplayShard {
  index: number;
  count: number;
}

/** A streamed replay ranked whole, in one process. */
export const WHOLE_REPLAY: ReplayShard = { index: 0, count: 1 };

/**
 * A streamed replay this many times the logged traffic or more is ranked in parts: ranking is then
 * nearly all of an arm's work and training it once more is cheap beside it.
 */
export const RANK_IN_PARTS_AT = 10;

/**
 * How many parts each arm's ranking is split into: one per worker of the pool when a streamed replay
 * is ranked whole here and dwarfs the logs, else 1. Ranked whole, each arm is one worker's task, and
 * arms that cost differently per candidate leave a core idle at the end (6M users, separate against
 * STAR: ~20% of the ranking); ranked in parts, every worker ranks a share of every arm.
 */
export function rankingParts(p: TrainingInputs, o: { shard?: ReplayShard }, workers: number): number {
  const t = p.world.scenario.traffic;
  return p.world.replay === null && o.shard === undefined && t.replayRequests >= RANK_IN_PARTS_AT * t.requests ? workers : 1;
}

/**
 * A streamed replay's slates for one trained model: chunk by chunk, the requests are drawn, their
 * candidates encoded and scored, and only each slate's choice kept — memory bounded by the chunk.
 * A shard ranks its chunks only (every chunk is still drawn: the period is one random stream), and
 * says how many slots each chunk it ranked has, so that the shards' slates can be put back in order.
 */
export function chooseSlates(
  p: TrainingInputs,
  t: Trained,
  name: string,
  onEvent: Listener,
  shard: ReplayShard = WHOLE_REPLAY,
): { slates: Uint16Array; slateChunks: Int32Array } {
  const w = p.world;
  const slateOf = w.scenario.domains.map((d) => d.slate);
  const perRequest = Math.max(...slateOf);
  const total = w.scenario.traffic.replayRequests;
  const chunks = Math.ceil(total / REPLAY_CHUNK);
  const mine = Math.ceil((chunks - shard.index) / shard.count);
  let out = new Uint16Array(Math.min(total, mine * REPLAY_CHUNK) * perRequest);
  const slateChunks = new Int32Array(chunks);
  let at = 0;
  const encode = candidateEncoder(w, p.ds, true);
  let rows = new Int32Array(0);
  const t0 = performance.now();
  for (const { from, rq, experience } of replayChunks(w)) {
    const chunk = from / REPLAY_CHUNK;
    if (chunk % shard.count !== shard.index) continue;
    const cds = encode(rq, experience);
    if (rows.length < cds.n) rows = Int32Array.from({ length: cds.n }, (_, k) => k);
    const sl = rankSlates(rq, slateOf, t.score(cds, rows.subarray(0, cds.n)).click);
    const before = at;
    for (let r = 0; r < rq.n; r++) for (let j = sl.start[r]; j < sl.start[r + 1]; j++) out[at++] = sl.cand[j] - rq.candStart[r];
    slateChunks[chunk] = at - before;
    // A tenth of the period at a time: at millions of requests this is most of a run's time.
    const done = from + rq.n;
    if (Math.floor((10 * done) / total) > Math.floor((10 * from) / total))
      onEvent({
        type: 'log',
        message: `${name}${shard.count > 1 ? ` (part ${shard.index + 1} of ${shard.count})` : ''}: ranked ${done.toLocaleString('en')} of ${total.toLocaleString('en')} replay requests (${Math.round((100 * done) / total)}%) in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
      });
  }
  if (at < out.length) out = out.slice(0, at);
  return { slates: out, slateChunks };
}

/**
 * Slates ranked in parts (shards) put back in request order: each chunk's slots come from the part
 * that ranked it — the one whose `slateChunks` gives it slots — so the result is what one process
 * ranking the whole replay holds. Every chunk must have been ranked by exactly one part.
 */
export function interleaveSlates(parts: readonly { slates: Uint16Array; slateChunks: ArrayLike<number> }[]): { slates: Uint16Array; slateChunks: Int32Array } {
  const chunks = parts[0].slateChunks.length;
  const slateChunks = new Int32Array(chunks);
  const owner = new Int32Array(chunks).fill(-1);
  for (const [k, part] of parts.entries()) {
    if (part.slateChunks.length !== chunks) throw new Error(`slates: part ${k} has ${part.slateChunks.length} chunks, part 0 ${chunks}`);
    for (let c = 0; c < chunks; c++) {
      if (part.slateChunks[c] <= 0) continue;
      if (owner[c] >= 0) throw new Error(`slates: chunk ${c} ranked by parts ${owner[c]} and ${k}`);
      owner[c] = k;
      slateChunks[c] = part.slateChunks[c];
    }
  }
  const slates = new Uint16Array(slateChunks.reduce((a, b) => a + b, 0));
  // Where each part's next chunk starts in its own slates.
  const read = parts.map(() => 0);
  let at = 0;
  for (let c = 0; c < chunks; c++) {
    const k = owner[c];
    if (k < 0) throw new Error(`slates: no part ranked chunk ${c}`);
    const n = slateChunks[c];
    slates.set(parts[k].slates.subarray(read[k], read[k] + n), at);
    read[k] += n;
    at += n;
  }
  return { slates, slateChunks };
}
