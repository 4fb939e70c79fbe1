// Traffic: a time-ordered stream of requests (user, domain, context, candidates). For logged periods
// a logging policy picks the shown slate and labels are drawn from the ground truth; for the replay
// period the candidates are kept so that each A/B arm can choose its own slate.
import type { Scenario } from '../scenario/schema.js';
import type { Layout } from './layout.js';
import type { Items, Users } from './population.js';
import { Discrete, type Rng } from './rng.js';
import type { RawTruth } from './truth.js';
import { ScenarioError } from '../scenario/load.js';

export interface Requests {
  n: number;
  /** Position on the global timeline (request index over logged + replay traffic). */
  time: Int32Array;
  user: Int32Array;
  domain: Uint8Array;
  /** Per categorical feature: the request's context value (0 where not a context feature or not exposed). */
  ctxCat: (Int32Array | null)[];
  ctxNum: (Float32Array | null)[];
  /** Context latent of each request: [n × dim]. */
  ctxLatent: Float32Array;
  /** Candidates of request r are candItems[candStart[r] .. candStart[r+1]). */
  candStart: Int32Array;
  candItems: Int32Array;
}

export function timeline(s: Scenario): { total: number; trainEnd: number; validEnd: number; testEnd: number } {
  const logged = s.traffic.requests;
  const total = logged + s.traffic.replayRequests;
  const p = s.traffic.periods;
  return {
    total,
    trainEnd: Math.round(logged * p.train),
    validEnd: Math.round(logged * (p.train + p.valid)),
    testEnd: logged,
  };
}

export function domainShares(s: Scenario): number[] {
  if (s.domainShares) {
    const w = s.domains.map((_, k) => 1 / Math.pow(k + 1, s.domainShares!.zipf));
    const sum = w.reduce((a, b) => a + b, 0);
    return w.map((x) => x / sum);
  }
  return s.domains.map((d) => d.share!);
}

/**
 * The test period's domain mix under traffic.testFloor: each domain's share raised to what gives it
 * `floor` impressions over `requests` test requests, the domains above their floor sharing the rest
 * in proportion to their shares (water-filling: a domain pushed below its floor by the others'
 * raises is raised too, until none is). Null when there is no floor.
 */
export function testShares(s: Scenario, requests: number): number[] | null {
  const floor = s.traffic.testFloor;
  if (!floor) return null;
  const base = domainShares(s);
  const need = s.domains.map((d) => floor / (Math.max(1, requests) * d.slate));
  if (need.reduce((a, b) => a + b, 0) > 1)
    throw new ScenarioError(
      `traffic.testFloor: ${floor} test impressions per domain need ${Math.ceil(s.domains.reduce((a, d) => a + floor / d.slate, 0))} test requests, the test period has ${requests}; lower it or raise traffic.requests`,
    );
  const pinned = base.map(() => false);
  for (;;) {
    const free = 1 - need.reduce((a, x, d) => a + (pinned[d] ? x : 0), 0);
    const rest = base.reduce((a, x, d) => a + (pinned[d] ? 0 : x), 0);
    const shares = base.map((x, d) => (pinned[d] ? need[d] : (x * free) / rest));
    const low = shares.findIndex((x, d) => !pinned[d] && x < need[d]);
    if (low < 0) return shares;
    pinned[low] = true;
  }
}

/** Tail domains: traffic share below half of an even split. */
export function tailDomains(w: { scenario: Scenario }): boolean[] {
  const shares = domainShares(w.scenario);
  return shares.map((s) => s < 1 / (2 * shares.length));
}

/**
 * Requests with time in [from, to) of the global timeline, drawn from `rng`; from `mixFrom` on (the
 * test period, with traffic.testFloor) domains are drawn from `mix` instead of the traffic's shares.
 */
export function drawRequests(...args: Parameters<typeof requestSource>): Requests {
  const source = requestSource(...args);
  return source.next(source.n);
}

/**
 * The requests of [from, to) drawn in consecutive chunks: `next(size)` returns the next `size` (or
 * fewer) requests as a Requests of their own (candidate offsets from 0). The domains are drawn for
 * all requests first and every later draw follows in request order, so the chunks, concatenated, are
 * the same draws as one chunk of all — what lets the replay stream a period too large to hold.
 */
export function requestSource(
  s: Scenario,
  layout: Layout,
  truth: RawTruth,
  users: Users,
  items: Items,
  from: number,
  to: number,
  total: number,
  rng: Rng,
  mix: { from: number; shares: number[] } | null = null,
): { n: number; domain: Uint8Array; done: () => number; next: (size: number) => Requests } {
  const n = to - from;
  const domainDist = new Discrete(domainShares(s));
  const mixDist = mix ? new Discrete(mix.shares) : null;
  const domain = new Uint8Array(n);
  for (let r = 0; r < n; r++) domain[r] = (mixDist && from + r >= mix!.from ? mixDist : domainDist).sample(rng);
  const g: RequestDraw = {
    truth,
    layout,
    users,
    items,
    userDist: new Discrete(users.activity),
    catalogueDist: items.catalogues.map((cat) => new Discrete(Array.from(cat, (i) => items.popularity[i]))),
    valueDist: layout.categorical.map((f) =>
      f.source === 'context' ? new Discrete(Array.from({ length: f.vocab }, (_, r) => 1 / Math.pow(r + 1, f.skew))) : null,
    ),
    wantOf: Int32Array.from(s.domains, (dom) => dom.candidates),
    ctxCatOf: layout.domains.map((_, d) =>
      Int32Array.from(layout.categorical.flatMap((f, j) => (f.source === 'context' && layout.exposesCat[d][j] ? [j] : []))),
    ),
    ctxNumOf: layout.domains.map((_, d) => Int32Array.from(layout.numeric.flatMap((f, j) => (f.source === 'context' && layout.exposesNum[d][j] ? [j] : [])))),
    // Per domain: which catalogue positions a request has taken (stamped with the request's index in the period).
    taken: items.catalogues.map((cat) => new Int32Array(cat.length).fill(-1)),
  };
  let at = 0;
  return {
    n,
    domain,
    done: () => at,
    next(size) {
      const r0 = at;
      const m = Math.max(0, Math.min(size, n - r0));
      at += m;
      let candTotal = 0;
      for (let r = r0; r < r0 + m; r++) candTotal += g.wantOf[domain[r]];
      const L = truth.dim;
      const reqs: Requests = {
        n: m,
        time: new Int32Array(m),
        user: new Int32Array(m),
        domain: domain.subarray(r0, r0 + m),
        ctxCat: layout.categorical.map((f) => (f.source === 'context' ? new Int32Array(m) : null)),
        ctxNum: layout.numeric.map((f) => (f.source === 'context' ? new Float32Array(m) : null)),
        ctxLatent: new Float32Array(m * L),
        candStart: new Int32Array(m + 1),
        candItems: new Int32Array(candTotal),
      };
      fillRequests(reqs, from + r0, r0, total, rng, g);
      return reqs;
    },
  };
}

/** A request's user at time fraction `tg`: drawn by activity among the users who have arrived (cold-start users arrive late). */
function drawUser(userDist: Discrete, birth: Float64Array, tg: number, rng: Rng): number {
  let u = userDist.sample(rng);
  for (let tries = 0; birth[u] > tg && tries < 10_000; tries++) u = userDist.sample(rng);
  return u;
}

/**
 * How many requests each user makes in each domain over [from, to): the traffic model's domain and
 * user draws alone (no context, no candidates), so a period of millions of requests is counted in
 * seconds. Per domain × user, [d * users + u]. The draws are `rng`'s own: the shape of such a period,
 * not the replay's requests themselves.
 */
export function periodRequests(s: Scenario, users: Users, from: number, to: number, total: number, rng: Rng): Int32Array {
  const U = users.activity.length;
  const counts = new Int32Array(s.domains.length * U);
  const domainDist = new Discrete(domainShares(s));
  const userDist = new Discrete(users.activity);
  for (let t = from; t < to; t++) {
    const d = domainDist.sample(rng);
    counts[d * U + drawUser(userDist, users.birth, t / total, rng)]++;
  }
  return counts;
}

interface RequestDraw {
  truth: RawTruth;
  layout: Layout;
  users: Users;
  items: Items;
  userDist: Discrete;
  catalogueDist: Discrete[];
  valueDist: (Discrete | null)[];
  wantOf: Int32Array;
  ctxCatOf: Int32Array[];
  ctxNumOf: Int32Array[];
  taken: Int32Array[];
}

/**
 * Every request's user, context and candidate pool, in request order (the order of the random draws);
 * the domains are already drawn. `from` is the first request's time, `stamp0` its index in the period.
 * Its own function so V8 optimises this loop on its own.
 */
function fillRequests(req: Requests, from: number, stamp0: number, total: number, rng: Rng, g: RequestDraw): void {
  const { truth, layout, users, items, userDist, catalogueDist, valueDist, wantOf, ctxCatOf, ctxNumOf, taken } = g;
  const { n, time, user, domain, ctxCat, ctxNum, ctxLatent, candStart, candItems } = req;
  const L = truth.dim;
  const birth = users.birth;
  let c = 0;
  for (let r = 0; r < n; r++) {
    const t = from + r;
    const tg = t / total;
    const d = domain[r];
    const u = drawUser(userDist, birth, tg, rng);
    time[r] = t;
    user[r] = u;
    const co = r * L;
    // Context features the domain logs, in feature order (the order of the random draws).
    const cats = ctxCatOf[d];
    for (let q = 0; q < cats.length; q++) {
      const j = cats[q];
      let v = 1 + valueDist[j]!.sample(rng);
      const shift = truth.catShift[j];
      if (shift && rng.next() < layout.categorical[j].domainShift) v = shift[d][v];
      ctxCat[j]![r] = v;
      const lat = truth.catLatent[j];
      const lo = v * L;
      for (let k = 0; k < L; k++) ctxLatent[co + k] += lat[lo + k];
    }
    const nums = ctxNumOf[d];
    for (let q = 0; q < nums.length; q++) {
      const j = nums[q];
      const v = truth.numShift[j][d] + rng.normal();
      ctxNum[j]![r] = v;
      const dir = truth.numDir[j];
      for (let k = 0; k < L; k++) ctxLatent[co + k] += v * dir[k];
    }
    // Candidates: distinct items of the domain's catalogue, drawn by popularity.
    candStart[r] = c;
    const want = wantOf[d];
    const cat = items.catalogues[d];
    const mark = taken[d];
    const stamp = stamp0 + r;
    let got = catalogueDist[d].distinct(rng, want, want * 50, mark, stamp, cat, candItems, c);
    // A catalogue too small to fill the pool by popularity is filled in catalogue order.
    for (let k = 0; got < want && k < cat.length; k++) {
      if (mark[k] !== stamp) {
        mark[k] = stamp;
        candItems[c + got++] = cat[k];
      }
    }
    c += want;
  }
  candStart[n] = c;
}

/** Requests [from, to) of `req` as a Requests of their own (candidate offsets rebased; the arrays are views). */
export function sliceRequests(req: Requests, from: number, to: number, dim: number): Requests {
  const c0 = req.candStart[from];
  return {
    n: to - from,
    time: req.time.subarray(from, to),
    user: req.user.subarray(from, to),
    domain: req.domain.subarray(from, to),
    ctxCat: req.ctxCat.map((c) => c?.subarray(from, to) ?? null),
    ctxNum: req.ctxNum.map((c) => c?.subarray(from, to) ?? null),
    ctxLatent: req.ctxLatent.subarray(from * dim, to * dim),
    candStart: Int32Array.from(req.candStart.subarray(from, to + 1), (c) => c - c0),
    candItems: req.candItems.subarray(c0, req.candStart[to]),
  };
}
