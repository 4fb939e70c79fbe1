// A world: everything generated from one scenario and seed. Columnar: one typed array per column.
import { createHash } from 'node:crypto';
import type { Scenario } from '../scenario/schema.js';
import { ScenarioError } from '../scenario/load.js';
import { buildLayout, type Layout } from './layout.js';
import { drawItems, drawUsers, type Items, type Users } from './population.js';
import { stream } from './rng.js';
import { domainShares, drawRequests, requestSource, sliceRequests, testShares, timeline, type Requests } from './traffic.js';
import { loggingPolicy, propensityBuffers, slatePropensities, type SlatePropensities } from './logging.js';
import { buildTruth, type Truth } from './truth.js';
import { logImpressions } from './logged.js';
import { segmentUsers, type Impressions } from './impressions.js';

export interface World {
  scenario: Scenario;
  seed: number;
  layout: Layout;
  users: Users;
  items: Items;
  truth: Truth;
  logged: Impressions;
  /** The logged requests with their candidate pools (request r's slate is logged rows loggedRow[r] …, in position order). */
  loggedRequests: Requests;
  loggedRow: Int32Array;
  /** Per logged request: the user's impressions before it. */
  loggedExperience: Int32Array;
  /**
   * Requests of the later A/B replay period, with their candidate pools; null when the replay streams
   * (traffic.streamReplay: replayChunks draws it chunk by chunk, as often as it is read).
   */
  replay: Requests | null;
  /** Per replay request: the user's experience (logged impressions plus the slates of their earlier replay requests); null when it streams. */
  replayExperience: Int32Array | null;
  /** Per user: 0 heavy, 1 tail, 2 cold start (no training-period impressions). */
  userSegment: Uint8Array;
  /** Per user: impressions in the training period. */
  userTrainCount: Int32Array;
  timeline: ReturnType<typeof timeline>;
  fingerprint: string;
  /** Milliseconds spent in each stage of generation, in order (for the bench and profiling). */
  timings: Record<string, number>;
}

/** A stopwatch that books the time since its last lap to a named stage. */
function stopwatch(): { lap(stage: string): void; timings: Record<string, number> } {
  const timings: Record<string, number> = {};
  let last = performance.now();
  return {
    timings,
    lap(stage) {
      const now = performance.now();
      timings[stage] = (timings[stage] ?? 0) + now - last;
      last = now;
    },
  };
}

export function generateWorld(s: Scenario, seed: number = s.seed): World {
  for (const d of s.domains) {
    const size = Math.max(1, Math.round(d.catalogue * s.items.count));
    if (size < d.candidates)
      throw new ScenarioError(`domain '${d.name}': catalogue of ${size} items is smaller than its ${d.candidates} candidates; raise items.count or catalogue`);
  }
  const clock = stopwatch();
  const layout = buildLayout(s);
  const tl = timeline(s);
  const users = drawUsers(s, layout, seed, tl.trainEnd / tl.total);
  const items = drawItems(s, layout, seed);
  clock.lap('population');
  const raw = buildTruth(s, layout, users, items, seed);
  clock.lap('truth');
  const floored = testShares(s, tl.testEnd - tl.validEnd);
  const logReq = drawRequests(
    s,
    layout,
    raw,
    users,
    items,
    0,
    tl.testEnd,
    tl.total,
    stream(seed, 'traffic:logged'),
    floored && { from: tl.validEnd, shares: floored },
  );
  const replay = streamsReplay(s) ? null : drawRequests(s, layout, raw, users, items, tl.testEnd, tl.total, tl.total, stream(seed, 'traffic:replay'));
  clock.lap('requests');
  const { imp: logged, row: loggedRow, experience: loggedExperience, bias } = logImpressions(s, layout, raw, users, items, logReq, tl, seed, clock.lap);
  const truth: Truth = { ...raw, ...bias };
  const { userSegment, userTrainCount } = segmentUsers(logged, users.count, s.users.heavyShare);
  const world: World = {
    scenario: s,
    seed,
    layout,
    users,
    items,
    truth,
    logged,
    loggedRequests: logReq,
    loggedRow,
    loggedExperience,
    replay,
    replayExperience: replay && replayExperience(s, logged, users.count)(replay),
    userSegment,
    userTrainCount,
    timeline: tl,
    fingerprint: '',
    timings: clock.timings,
  };
  clock.lap('segments');
  world.fingerprint = fingerprint(world);
  clock.lap('fingerprint');
  return world;
}

/** sha256 over every generated column, in a fixed order. */
export function fingerprint(w: World): string {
  const h = createHash('sha256');
  const add = (a: ArrayBufferView) => h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  const l = w.logged;
  [l.request, l.time, l.period, l.user, l.domain, l.item, l.position, ...l.cat, ...l.num, l.click, l.conv, l.pClick, l.pConv].forEach(add);
  const r = w.replay;
  // A streamed replay is a function of the scenario and seed that the logged columns already pin:
  // hashing it would cost a pass over every request and candidate.
  if (!r) h.update(`replay streamed: ${w.scenario.traffic.replayRequests}`);
  else {
    [r.time, r.user, r.domain, r.candStart, r.candItems, r.ctxLatent].forEach(add);
    r.ctxCat.forEach((c) => c && add(c));
    r.ctxNum.forEach((c) => c && add(c));
  }
  return h.digest('hex');
}

/** Replay candidates above which the replay streams unless traffic.streamReplay says otherwise (2^24: ~1.3 GB of encoded candidates per copy of the world at 14 features). */
export const STREAM_ABOVE = 2 ** 24;

/** Expected candidates over the replay period: each domain's pool size by its traffic share. */
export function replayCandidates(s: Scenario): number {
  const shares = domainShares(s);
  return s.traffic.replayRequests * s.domains.reduce((a, d, k) => a + shares[k] * d.candidates, 0);
}

/** Whether the scenario's replay streams (traffic.streamReplay, else by its size). */
export const streamsReplay = (s: Scenario): boolean => s.traffic.streamReplay ?? replayCandidates(s) > STREAM_ABOVE;

/** Requests served at a time when the replay streams: bounded work memory whatever the test's size. */
export const REPLAY_CHUNK = 16_384;

/** One chunk of the replay: requests from … from + rq.n of the period, and each one's user experience. */
export interface ReplayChunk {
  from: number;
  rq: Requests;
  experience: Int32Array;
}

/**
 * The replay period in consecutive chunks of `size` requests: views of the held replay, or, when it
 * streams, drawn afresh from its seeded stream (the same requests, in the same order, every time).
 */
export function* replayChunks(w: World, size = REPLAY_CHUNK): Generator<ReplayChunk> {
  if (w.replay && w.replayExperience) {
    for (let from = 0; from < w.replay.n; from += size) {
      const to = Math.min(w.replay.n, from + size);
      yield { from, rq: sliceRequests(w.replay, from, to, w.truth.dim), experience: w.replayExperience.subarray(from, to) };
    }
    return;
  }
  const s = w.scenario;
  const tl = w.timeline;
  const source = requestSource(s, w.layout, w.truth, w.users, w.items, tl.testEnd, tl.total, tl.total, stream(w.seed, 'traffic:replay'));
  const experienceOf = replayExperience(s, w.logged, w.users.count);
  while (source.done() < source.n) {
    const from = source.done();
    const rq = source.next(size);
    yield { from, rq, experience: experienceOf(rq) };
  }
}

/** The held replay, for what needs every request and candidate at once; a streamed replay is refused naming `what`. */
export function heldReplay(w: World, what: string): { rq: Requests; experience: Int32Array } {
  if (!w.replay || !w.replayExperience)
    throw new ScenarioError(
      `${what} needs the whole replay period in memory, and this scenario's replay streams (traffic.streamReplay); set it to false or leave ${what} out`,
    );
  return { rq: w.replay, experience: w.replayExperience };
}

/**
 * Each replay request's user experience: their logged impressions plus the slates of their earlier
 * replay requests (every arm shows a full slate, so this does not depend on the arm). Returns a
 * reader of consecutive chunks of the period, which carries the counts from one chunk to the next.
 */
function replayExperience(s: Scenario, logged: Impressions, users: number): (rq: Requests) => Int32Array {
  const seen = new Int32Array(users);
  for (let j = 0; j < logged.n; j++) seen[logged.user[j]]++;
  const slate = Int32Array.from(s.domains, (d) => d.slate);
  return (rq) => {
    const out = new Int32Array(rq.n);
    for (let r = 0; r < rq.n; r++) {
      out[r] = seen[rq.user[r]];
      seen[rq.user[r]] += slate[rq.domain[r]];
    }
    return out;
  };
}

/**
 * The logging policy's propensities of the logged rows of requests [from, to) (rows loggedRow[from] …
 * loggedRow[to], in row order), computed on demand: Plackett–Luce marginals cost ~0.1 ms a request,
 * which every run would pay at generation for rows only off-policy evaluation and exports read.
 */
export function loggedPropensities(w: World, from = 0, to = w.loggedRequests.n): SlatePropensities {
  const policy = loggingPolicy(w.scenario);
  const rq = w.loggedRequests;
  const row0 = w.loggedRow[from];
  const n = w.loggedRow[to] - row0;
  const out: SlatePropensities = { itemPosition: new Float64Array(n), item: new Float64Array(n), cascade: new Float64Array(n) };
  const kMax = Math.max(...w.scenario.domains.map((d) => d.slate));
  const shown = new Int32Array(kMax);
  const prop = propensityBuffers(kMax);
  // The shown slate as indices into the request's candidates.
  const where = new Map<number, number>();
  for (let r = from; r < to; r++) {
    const c0 = rq.candStart[r];
    const nc = rq.candStart[r + 1] - c0;
    where.clear();
    for (let j = 0; j < nc; j++) where.set(rq.candItems[c0 + j], j);
    const a = w.loggedRow[r];
    const k = w.loggedRow[r + 1] - a;
    for (let j = 0; j < k; j++) shown[j] = where.get(w.logged.item[a + j])!;
    slatePropensities(policy, rq.candItems, c0, nc, k, w.items.popularity, shown, prop);
    out.itemPosition.set(prop.itemPosition.subarray(0, k), a - row0);
    out.item.set(prop.item.subarray(0, k), a - row0);
    out.cascade.set(prop.cascade.subarray(0, k), a - row0);
  }
  return out;
}
