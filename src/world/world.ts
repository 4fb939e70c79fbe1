// A world: everything generated from one scenario and seed. Columnar: one typed array per column.
import { createHash } from 'node:crypto';
import type { Scenario } from '../scenario/schema.js';
import { ScenarioError } from '../scenario/load.js';
import { buildLayout, type Layout } from './layout.js';
import { drawItems, drawUsers, type Items, type Users } from './population.js';
import { stream, type Rng } from './rng.js';
import { domainShares, drawRequests, requestSource, sliceRequests, testShares, timeline, type Requests } from './traffic.js';
import { logSlate, loggingPolicy, propensityBuffers, slatePropensities, type SlatePropensities } from './logging.js';
import { buildTruth, contextTerms, logitsWithContext, type RawTruth, type Truth } from './truth.js';
import { calibrateBiasScaled } from './calibrate.js';

export const PERIODS = ['train', 'valid', 'test'] as const;
export type Period = (typeof PERIODS)[number];
export const SEGMENTS = ['heavy', 'tail', 'cold'] as const;
export type UserSegment = (typeof SEGMENTS)[number];

/** Logged impressions, one row per shown item, columnar. */
export interface Impressions {
  n: number;
  request: Int32Array;
  time: Int32Array;
  period: Uint8Array;
  user: Int32Array;
  domain: Uint8Array;
  item: Int32Array;
  position: Uint8Array;
  /** Per categorical feature (layout order): 1..vocab, 0 where the domain does not expose it. */
  cat: Int32Array[];
  /** Per numeric feature: the value, NaN where the domain does not expose it. */
  num: Float32Array[];
  click: Uint8Array;
  conv: Uint8Array;
  pClick: Float32Array;
  pConv: Float32Array;
  /** The user's impressions before this one (their experience; drives users.novice and POSO-style gates). */
  experience: Int32Array;
}

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
type Lap = (stage: string) => void;

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

/** The logged traffic's impressions, and the domain biases calibrated on them (the truth's b_d). */
function logImpressions(
  s: Scenario,
  layout: Layout,
  truth: RawTruth,
  users: Users,
  items: Items,
  req: Requests,
  tl: ReturnType<typeof timeline>,
  seed: number,
  lap: Lap,
): { imp: Impressions; row: Int32Array; experience: Int32Array; bias: Pick<Truth, 'bias' | 'convBias'> } {
  const D = s.domains.length;
  // Rows per domain, so that each domain's raw logits can be written in row order as they are made.
  const perDomain = new Int32Array(D);
  for (let r = 0; r < req.n; r++) perDomain[req.domain[r]] += s.domains[req.domain[r]].slate;
  const n = perDomain.reduce((a, b) => a + b, 0);
  const imp: Impressions = {
    n,
    request: new Int32Array(n),
    time: new Int32Array(n),
    period: new Uint8Array(n),
    user: new Int32Array(n),
    domain: new Uint8Array(n),
    item: new Int32Array(n),
    position: new Uint8Array(n),
    cat: [],
    num: [],
    click: new Uint8Array(n),
    conv: new Uint8Array(n),
    pClick: new Float32Array(n),
    pConv: new Float32Array(n),
    experience: new Int32Array(n),
  };
  const row = new Int32Array(req.n + 1);
  const experience = new Int32Array(req.n);
  const rawClick = Array.from(perDomain, (c) => new Float64Array(c));
  const rawConv = Array.from(perDomain, (c) => new Float64Array(c));
  showSlates(s, truth, users, items, req, tl, stream(seed, 'traffic:policy'), imp, rawClick, rawConv, row, experience);
  lap('slates and logits');
  fillFeatures(layout, users, items, imp, req);
  lap('features');
  // Calibrate each domain's biases so its mean CTR (and CVR among clicks) is the configured base,
  // working on exp(−raw) (computed in place, once) so no pass needs an exp per row.
  const clickScale = new Float64Array(D);
  const convScale = new Float64Array(D);
  const bias = new Float64Array(D);
  const convBias = new Float64Array(D);
  s.domains.forEach((dom, d) => {
    const ec = rawClick[d];
    const ev = rawConv[d];
    for (let j = 0; j < ec.length; j++) {
      ec[j] = Math.exp(-ec[j]);
      ev[j] = Math.exp(-ev[j]);
    }
    bias[d] = calibrateBiasScaled(ec, dom.baseCtr);
    clickScale[d] = Math.exp(-bias[d]);
    const pc = new Float64Array(ec.length);
    for (let j = 0; j < ec.length; j++) pc[j] = 1 / (1 + clickScale[d] * ec[j]);
    convBias[d] = calibrateBiasScaled(ev, dom.baseCvr, pc);
    convScale[d] = Math.exp(-convBias[d]);
  });
  lap('calibration');
  drawLabels(imp, rawClick, rawConv, clickScale, convScale, stream(seed, 'labels'));
  lap('labels');
  return { imp, row, experience, bias: { bias, convBias } };
}

/**
 * The logging policy's slate for every logged request, one row per shown item, and each row's raw
 * logits written in row order to its domain's arrays. Its own function so V8 optimises the loop.
 */
function showSlates(
  s: Scenario,
  truth: RawTruth,
  users: Users,
  items: Items,
  req: Requests,
  tl: ReturnType<typeof timeline>,
  policyRng: Rng,
  imp: Impressions,
  rawClick: Float64Array[],
  rawConv: Float64Array[],
  rowOf: Int32Array,
  experienceOf: Int32Array,
): void {
  const slate = new Int32Array(Math.max(...s.domains.map((d) => d.slate)));
  const at = new Int32Array(s.domains.length);
  const logits = new Float64Array(2);
  const ctx = new Float64Array(2);
  const L = truth.dim;
  const seen = new Int32Array(users.count);
  const slateSize = Int32Array.from(s.domains, (dom) => dom.slate);
  const policy = loggingPolicy(s);
  let row = 0;
  for (let r = 0; r < req.n; r++) {
    const d = req.domain[r];
    const k = slateSize[d];
    const c0 = req.candStart[r];
    logSlate(policy, req.candItems, c0, req.candStart[r + 1] - c0, k, items.popularity, policyRng, slate);
    rowOf[r] = row;
    const t = req.time[r];
    const period = t < tl.trainEnd ? 0 : t < tl.validEnd ? 1 : 2;
    const u = req.user[r];
    const experience = seen[u];
    experienceOf[r] = experience;
    contextTerms(truth, d, req.ctxLatent, r * L, ctx, 0);
    const rc = rawClick[d];
    const rv = rawConv[d];
    for (let j = 0; j < k; j++, row++) {
      const i = req.candItems[c0 + slate[j]];
      imp.request[row] = r;
      imp.time[row] = t;
      imp.period[row] = period;
      imp.user[row] = u;
      imp.domain[row] = d;
      imp.item[row] = i;
      imp.position[row] = j + 1;
      imp.experience[row] = experience;
      logitsWithContext(truth, d, u, i, ctx[0], ctx[1], experience, logits, 0, t / tl.total);
      rc[at[d]] = truth.positionLogit ? logits[0] + truth.positionLogit[d][j] : logits[0];
      rv[at[d]++] = logits[1];
    }
    seen[u] += k;
  }
  rowOf[req.n] = row;
}

/** Click and conversion probabilities from the calibrated biases, and labels drawn from them. */
function drawLabels(imp: Impressions, expClick: Float64Array[], expConv: Float64Array[], clickScale: Float64Array, convScale: Float64Array, rng: Rng): void {
  const at = new Int32Array(clickScale.length);
  for (let j = 0; j < imp.n; j++) {
    const d = imp.domain[j];
    const pc = 1 / (1 + clickScale[d] * expClick[d][at[d]]);
    const pv = 1 / (1 + convScale[d] * expConv[d][at[d]++]);
    imp.pClick[j] = pc;
    imp.pConv[j] = pv;
    const clicked = rng.next() < pc;
    const converted = rng.next() < pv;
    imp.click[j] = clicked ? 1 : 0;
    imp.conv[j] = clicked && converted ? 1 : 0;
  }
}

/** Copy each impression's feature values (user, item, context) where its domain exposes them. */
function fillFeatures(layout: Layout, users: Users, items: Items, imp: Impressions, req: Requests): void {
  const cols = featureColumns(layout, users, items, req, imp.n, imp.domain, imp.user, imp.item, imp.request);
  imp.cat = cols.cat;
  imp.num = cols.num;
}

/**
 * Feature columns for rows given by (domain, user, item, request): categorical values 1..vocab (0 where
 * the domain does not log the feature) and numeric values (NaN where not logged). Shared by the
 * logged impressions and the replay's candidates.
 */
export function featureColumns(
  layout: Layout,
  users: Users,
  items: Items,
  req: Requests,
  n: number,
  domain: Uint8Array,
  user: Int32Array,
  item: Int32Array,
  request: Int32Array,
): { cat: Int32Array[]; num: Float32Array[] } {
  // Per feature: which domains log it, and where its value comes from (the row's user, item or request).
  const exposed = (flags: boolean[][], j: number) => Int32Array.from(layout.domains, (_, d) => (flags[d][j] ? -1 : 0));
  const cat = layout.categorical.map((f, j) => {
    const mask = exposed(layout.exposesCat, j);
    if (f.name === 'item_id')
      return gatherCat(
        Int32Array.from({ length: items.count }, (_, i) => i + 1),
        item,
        domain,
        mask,
        n,
      );
    const [values, key] = f.source === 'user' ? [users.cat[j]!, user] : f.source === 'item' ? [items.cat[j]!, item] : [req.ctxCat[j]!, request];
    return gatherCat(values, key, domain, mask, n);
  });
  const num = layout.numeric.map((f, j) => {
    const on = exposed(layout.exposesNum, j);
    const [values, key] = f.source === 'user' ? [users.num[j]!, user] : f.source === 'item' ? [items.num[j]!, item] : [req.ctxNum[j]!, request];
    return gatherNum(values, key, domain, on, n);
  });
  return { cat, num };
}

/** out[r] = values[key[r]] where mask[domain[r]] is −1 (all bits), 0 where it is 0: without a branch. */
function gatherCat(values: Int32Array, key: Int32Array, domain: Uint8Array, mask: Int32Array, n: number): Int32Array {
  const out = new Int32Array(n);
  for (let r = 0; r < n; r++) out[r] = values[key[r]] & mask[domain[r]];
  return out;
}

/** out[r] = values[key[r]] where on[domain[r]] is non-zero, NaN elsewhere. */
function gatherNum(values: Float32Array, key: Int32Array, domain: Uint8Array, on: Int32Array, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let r = 0; r < n; r++) out[r] = on[domain[r]] ? values[key[r]] : NaN;
  return out;
}

/** Heavy = the most active heavyShare of users with training history; cold = none in training. */
function segmentUsers(imp: Impressions, userCount: number, heavyShare: number): { userSegment: Uint8Array; userTrainCount: Int32Array } {
  const count = new Int32Array(userCount);
  for (let j = 0; j < imp.n; j++) if (imp.period[j] === 0) count[imp.user[j]]++;
  const active = Array.from(count)
    .filter((c) => c > 0)
    .sort((a, b) => b - a);
  const heavyN = Math.max(1, Math.round(heavyShare * active.length));
  const threshold = active.length ? active[Math.min(heavyN, active.length) - 1] : Infinity;
  const seg = new Uint8Array(userCount);
  for (let u = 0; u < userCount; u++) seg[u] = count[u] === 0 ? 2 : count[u] >= threshold ? 0 : 1;
  return { userSegment: seg, userTrainCount: count };
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

/** Row indices of logged impressions in a period. */
export function periodRows(imp: Impressions, period: Period): Int32Array {
  const p = PERIODS.indexOf(period);
  let n = 0;
  for (let j = 0; j < imp.n; j++) if (imp.period[j] === p) n++;
  const out = new Int32Array(n);
  let k = 0;
  for (let j = 0; j < imp.n; j++) if (imp.period[j] === p) out[k++] = j;
  return out;
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
