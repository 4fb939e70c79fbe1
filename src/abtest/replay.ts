// The A/B replay: each request of the replay period goes to its user's arm; the arm's strategy ranks
// the candidates and shows its top k; clicks and conversions are drawn from the ground truth (with an
// optional position-bias curve). Because the truth is known, every arm's slates are also scored for
// *every* request, which gives the true lift the A/B estimate should cover. A replay too large to hold
// streams (traffic.streamReplay): the arms' workers rank it chunk by chunk and only the slates come here.
import { trueProbabilities, type CandidateTruth } from '../data/candidate-truth.js';
import { tailDomains } from '../world/traffic.js';
import { positionCurve, rankSlates } from '../data/slates.js';
import { stream } from '../world/rng.js';
import { heldReplay, replayChunks, SEGMENTS, type World } from '../world/world.js';
import { armsOf, assignArm } from '../world/assign.js';
import { addUserWithCovariate, cupedLogLift, plainLogLift, emptyCovariateRatio, growRatioAt, RATIO_SLOT, ratioAt } from './stats/cuped.js';
import { effectiveUsers } from './stats/ratio.js';
import { sampleRatioMismatch } from './stats/srm.js';
import {
  armResults,
  correctFamilies,
  liftsOf,
  sequential,
  type Arm,
  type ArmResult,
  type Cell,
  type LiftResult,
  type ReplayConfig,
  type ReplayResult,
  type Scopes,
  type TrueSums,
} from './readout.js';
import { jackknifeInterval, jackknifeVariance, type CellUsers } from './jackknife.js';
import { cappedWeight, positiveQuantile } from './capping.js';
import { dynamicPath, type DynamicPath } from './dynamics.js';
import { longTermLifts, longTermTruth, scheduledUsers } from './long-term.js';

/**
 * Bytes of the replay's per domain key × user sums (impressions, clicks, conversions as float64):
 * the running ones of the test and the pre-experiment ones CUPED adjusts by. A user is in one arm,
 * and their sums over a segment's scope equal those over all users, so neither multiplies this.
 */
export function accountingBytes(domains: number, users: number): number {
  return (domains + 3) * users * 6 * 8;
}

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
interface Slates {
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

const biasArray = (w: World, bias: (pos: number) => number) =>
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

function scopesOf(w: World): Scopes {
  const D = w.layout.domains.length;
  const tail = tailDomains(w);
  const domainKeys = ['all', ...w.layout.domains, 'head-domains', 'tail-domains'];
  const segmentKeys = ['all', ...SEGMENTS];
  return {
    count: domainKeys.length * segmentKeys.length,
    of: (d, u) => {
      const dk = [0, 1 + d, 1 + D + (tail[d] ? 1 : 0)];
      const sk = [0, 1 + w.userSegment[u]];
      return dk.flatMap((a) => sk.map((b) => a * segmentKeys.length + b));
    },
    domain: (s) => domainKeys[Math.floor(s / segmentKeys.length)],
    segment: (s) => segmentKeys[s % segmentKeys.length],
  };
}

/** Per domain key (all, each domain, head / tail group) × user sums: impressions, clicks, conversions. */
interface UserSums {
  imps: Float64Array;
  clicks: Float64Array;
  convs: Float64Array;
  /** Visits served (kept with scenario.dynamics only, for the long-term readout; else empty). */
  visits: Float64Array;
}

const userSums = (keys: number, users: number, visits = false): UserSums => ({
  imps: new Float64Array(keys * users),
  clicks: new Float64Array(keys * users),
  convs: new Float64Array(keys * users),
  visits: new Float64Array(visits ? keys * users : 0),
});

/** The domain keys a request of domain d counts in (0 all, 1 + d, 1 + D + tail), matching scopesOf. */
function domainKeys(D: number, tail: boolean[], d: number): [number, number, number] {
  return [0, 1 + d, 1 + D + (tail[d] ? 1 : 0)];
}

/** Each user's logged impressions, clicks and conversions before the test, per domain key: CUPED's covariate. */
function preExperiment(w: World): UserSums {
  const D = w.layout.domains.length;
  const U = w.users.count;
  const tail = tailDomains(w);
  const pre = userSums(D + 3, U);
  const lg = w.logged;
  for (let i = 0; i < lg.n; i++) {
    const u = lg.user[i];
    for (const dk of domainKeys(D, tail, lg.domain[i])) {
      pre.imps[dk * U + u] += 1;
      pre.clicks[dk * U + u] += lg.click[i];
      pre.convs[dk * U + u] += lg.conv[i];
    }
  }
  return pre;
}

/**
 * The true-lift numerators: every strategy's expected clicks and conversions on every request of
 * each scope (salt-independent). With scenario.dynamics users may leave, so each request counts with
 * the chance that its user is still there, and the expected impressions (which then differ by
 * strategy) are kept for the denominators.
 */
function trueSums(w: World, { requests: rq, ranked }: Served, scopes: Scopes): TrueSums {
  const clicks = new Map<string, Float64Array>();
  const convs = new Map<string, Float64Array>();
  const imps = new Map<string, Float64Array>();
  const slate = w.scenario.domains.map((d) => d.slate);
  for (const [name, st] of ranked) {
    const c = new Float64Array(scopes.count);
    const v = new Float64Array(scopes.count);
    const m = new Float64Array(scopes.count);
    const alive = st.path?.alive;
    for (let r = 0; r < rq.n; r++) {
      const a = alive ? alive[r] : 1;
      for (const s of scopes.of(rq.domain[r], rq.user[r])) {
        c[s] += alive ? a * st.expClicks[r] : st.expClicks[r];
        v[s] += alive ? a * st.expConvs[r] : st.expConvs[r];
        m[s] += a * slate[rq.domain[r]];
      }
    }
    clicks.set(name, c);
    convs.set(name, v);
    if (alive) imps.set(name, m);
  }
  return { clicks, convs, imps: imps.size ? imps : null };
}

/** The end of each look on the global timeline: `looks` equal slices of the replay period. */
function lookEnds(w: World, looks: number): number[] {
  const from = w.timeline.testEnd;
  const span = w.timeline.total - from;
  return Array.from({ length: looks }, (_, l) => from + Math.ceil(((l + 1) * span) / looks));
}

/**
 * Step 2: assign, draw outcomes, and accumulate each arm × scope cell request by request (in time
 * order), snapshotting the primary cells (each domain, all users) at the end of every look. The
 * per-user sums are updated in place, so a cell's sums of squares follow exactly and no pass over
 * all users is needed per salt. Lean: only each domain's all-users cells.
 */
function simulate(
  w: World,
  { requests: rq, ranked }: Served,
  scopes: Scopes,
  pre: UserSums,
  cfg: ReplayConfig,
  bias: (pos: number) => number,
  sums: UserSums,
  lean: boolean,
): { cells: Cell[]; snapshots: { time: number; users: number; cells: Cell[] }[] } {
  const A = cfg.arms.length;
  const U = w.users.count;
  const D = w.layout.domains.length;
  const S = SEGMENTS.length + 1;
  const tail = tailDomains(w);
  const split = cfg.arms.map((a) => a.share);
  for (const col of [sums.imps, sums.clicks, sums.convs, sums.visits]) col.fill(0);
  // With scenario.dynamics: the users who have left the test (under their arm), and the retention rule.
  const gone = new Uint8Array(w.scenario.dynamics ? U : 0);
  const perClickStay = 1 - (w.scenario.dynamics?.retention?.perClick ?? 0);
  const retained = !!w.scenario.dynamics?.retention;
  // Cell i's CTR ratio is slot 2i of `acc`, its CTCVR ratio slot 2i + 1: one typed array keeps the
  // per-request updates monomorphic (objects made them 5x slower).
  const nCells = A * scopes.count;
  const acc = new Float64Array(nCells * 2 * RATIO_SLOT);
  const heaviest = new Float64Array(nCells);
  const expected = new Float64Array(nCells);
  const cellAt = (i: number): Cell => ({
    ctr: ratioAt(acc, 2 * i * RATIO_SLOT),
    ctcvr: ratioAt(acc, (2 * i + 1) * RATIO_SLOT),
    heaviest: heaviest[i],
    expected: expected[i],
  });
  const keysOf = w.layout.domains.map((_, d) => Int32Array.from(domainKeys(D, tail, d)));
  const ends = lookEnds(w, cfg.rules.looks);
  const snapshots: { time: number; users: number; cells: Cell[] }[] = [];
  const snapshot = (time: number) =>
    snapshots.push({
      time,
      users: seenUsers,
      cells: cfg.arms.flatMap((_, a) => w.layout.domains.map((__, d) => cellAt(a * scopes.count + (1 + d) * S))),
    });
  const slatesOf = cfg.arms.map((arm) => ranked.get(arm.strategy)!);
  const biasAt = biasArray(w, bias);
  // Users seen so far over all arms (a lean readout leaves the all-domains cells empty).
  const seen = new Uint8Array(U);
  let seenUsers = 0;
  const rng = stream(cfg.salt, `replay:outcomes:${w.seed}`);
  for (let r = 0; r < rq.n; r++) {
    while (snapshots.length < ends.length - 1 && rq.time[r] >= ends[snapshots.length]) snapshot(ends[snapshots.length]);
    const u = rq.user[r];
    const d = rq.domain[r];
    const a = assignArm(cfg.salt, u, split);
    if (!seen[u]) {
      seen[u] = 1;
      seenUsers++;
    }
    const sl = slatesOf[a];
    const k = sl.start[r + 1] - sl.start[r];
    let c = 0;
    let v = 0;
    const path = sl.path;
    if (path) {
      if (gone[u]) continue;
      for (let j = sl.start[r]; j < sl.start[r + 1]; j++) {
        const clicked = rng.next() < path.clickP[j];
        const converted = rng.next() < sl.conv[j];
        if (clicked) {
          c++;
          if (converted) v++;
        }
      }
      if (retained && rng.next() < path.leave[r] * perClickStay ** c) gone[u] = 1;
    } else {
      for (let j = sl.start[r]; j < sl.start[r + 1]; j++) {
        const clicked = rng.next() < sl.click[j] * biasAt[j - sl.start[r]];
        const converted = rng.next() < sl.conv[j];
        if (clicked) {
          c++;
          if (converted) v++;
        }
      }
    }
    const seg = 1 + w.userSegment[u];
    const keys = keysOf[d];
    for (let j = lean ? 1 : 0; j < (lean ? 2 : keys.length); j++) {
      const dk = keys[j];
      const at = dk * U + u;
      const y0 = sums.imps[at];
      const x0 = sums.clicks[at];
      const v0 = sums.convs[at];
      for (let t = 0; t < (lean ? 1 : 2); t++) {
        const i = a * scopes.count + dk * S + (t === 0 ? 0 : seg);
        growRatioAt(acc, 2 * i * RATIO_SLOT, x0, y0, c, k, pre.clicks[at], pre.imps[at]);
        growRatioAt(acc, (2 * i + 1) * RATIO_SLOT, v0, y0, v, k, pre.convs[at], pre.imps[at]);
        if (y0 + k > heaviest[i]) heaviest[i] = y0 + k;
        expected[i] += sl.expClicks[r];
      }
      sums.imps[at] = y0 + k;
      sums.clicks[at] = x0 + c;
      sums.convs[at] = v0 + v;
      if (path) sums.visits[at] += 1;
    }
  }
  while (snapshots.length < ends.length) snapshot(ends[snapshots.length]);
  return { cells: Array.from({ length: nCells }, (_, i) => cellAt(i)), snapshots };
}

/**
 * rules.capping: each domain's per-user sums with every user's impressions capped at the domain's
 * `quantile` of users' impressions (their clicks and conversions scaled alike; the pre-period's the
 * same way at its own quantile), and the primary cells (each domain, all users) rebuilt from them.
 * The arms' reported totals stay uncapped; their effective users and heaviest share are the capped
 * cells', which is what the estimate now rests on. Segments, domain groups and the sequential looks
 * read the uncapped cells.
 */
function capPrimaryCells(
  w: World,
  cells: Cell[],
  results: ArmResult[],
  sums: UserSums,
  pre: UserSums,
  cfg: ReplayConfig,
  quantile: number,
  armOf: Int32Array,
): { cells: Cell[]; results: ArmResult[]; sums: UserSums; pre: UserSums } {
  const U = w.users.count;
  const S = SEGMENTS.length + 1;
  const count = (w.layout.domains.length + 3) * S;
  const capped = { sums: userSums(w.layout.domains.length + 3, U), pre: userSums(w.layout.domains.length + 3, U) };
  const out = [...cells];
  const outResults = [...results];
  w.layout.domains.forEach((domain, d) => {
    const dk = 1 + d;
    const from = dk * U;
    const cap = positiveQuantile(sums.imps.subarray(from, from + U), quantile);
    const preCap = positiveQuantile(pre.imps.subarray(from, from + U), quantile);
    const fresh = cfg.arms.map(() => ({ ctr: emptyCovariateRatio(), ctcvr: emptyCovariateRatio(), heaviest: 0 }));
    for (let u = 0; u < U; u++) {
      const k = from + u;
      const wPost = cappedWeight(sums.imps[k], cap);
      const wPre = cappedWeight(pre.imps[k], preCap);
      for (const [src, dst, wt] of [
        [sums, capped.sums, wPost],
        [pre, capped.pre, wPre],
      ] as const) {
        dst.imps[k] = wt * src.imps[k];
        dst.clicks[k] = wt * src.clicks[k];
        dst.convs[k] = wt * src.convs[k];
      }
      if (!(sums.imps[k] > 0)) continue;
      const f = fresh[armOf[u]];
      addUserWithCovariate(f.ctr, capped.sums.clicks[k], capped.sums.imps[k], capped.pre.clicks[k], capped.pre.imps[k]);
      addUserWithCovariate(f.ctcvr, capped.sums.convs[k], capped.sums.imps[k], capped.pre.convs[k], capped.pre.imps[k]);
      f.heaviest = Math.max(f.heaviest, capped.sums.imps[k]);
    }
    fresh.forEach((f, a) => {
      const i = a * count + dk * S;
      out[i] = { ...cells[i], ctr: f.ctr, ctcvr: f.ctcvr, heaviest: f.heaviest };
      const r = outResults.findIndex((x) => x.arm === cfg.arms[a].name && x.domain === domain && x.segment === 'all');
      outResults[r] = { ...results[r], effectiveUsers: effectiveUsers(f.ctr), maxUserShare: f.ctr.sumY ? f.heaviest / f.ctr.sumY : 0 };
    });
  });
  return { cells: out, results: outResults, ...capped };
}

/**
 * The user-level jackknife on the domains whose thinnest arm has fewer effective users than the
 * rules' floor (see jackknife.ts): each arm's users in the domain are gathered from the per-user
 * sums the replay kept, the plain and CUPED estimates recomputed without each of them, and the
 * p-values corrected within the family of the p-values that decide (the jackknife's where it
 * applies, the delta method's elsewhere).
 */
function jackknifeSmallDomains(
  w: World,
  cells: Cell[],
  results: ArmResult[],
  lifts: LiftResult[],
  sums: UserSums,
  pre: UserSums,
  cfg: ReplayConfig,
  arms: () => Int32Array,
): void {
  const U = w.users.count;
  const S = SEGMENTS.length + 1;
  const count = (w.layout.domains.length + 3) * S;
  const { alpha } = cfg.rules;
  let armOf: Int32Array | null = null;
  w.layout.domains.forEach((domain, d) => {
    const here = results.filter((r) => r.domain === domain && r.segment === 'all');
    const effective = Math.min(...here.map((r) => r.effectiveUsers));
    if (!(effective < cfg.rules.minEffectiveUsers)) return;
    armOf ??= arms();
    const dk = 1 + d;
    const usersOf = (a: number, metric: 'ctr' | 'ctcvr'): CellUsers => {
      const at: number[] = [];
      for (let u = 0; u < U; u++) if (armOf![u] === a && sums.imps[dk * U + u] > 0) at.push(dk * U + u);
      const post = metric === 'ctr' ? sums.clicks : sums.convs;
      const before = metric === 'ctr' ? pre.clicks : pre.convs;
      return {
        n: at.length,
        x: Float64Array.from(at, (k) => post[k]),
        y: Float64Array.from(at, (k) => sums.imps[k]),
        p: Float64Array.from(at, (k) => before[k]),
        q: Float64Array.from(at, (k) => pre.imps[k]),
      };
    };
    for (const metric of ['ctr', 'ctcvr'] as const) {
      const control = usersOf(cfg.control, metric);
      const cc = cells[cfg.control * count + dk * S][metric];
      cfg.arms.forEach((_, a) => {
        if (a === cfg.control) return;
        const l = lifts.find((x) => x.arm === cfg.arms[a].name && x.metric === metric && x.domain === domain && x.segment === 'all')!;
        if (!l.tested) return;
        const users = usersOf(a, metric);
        const tc = cells[a * count + dk * S][metric];
        const plain = jackknifeInterval(plainLogLift(tc, cc), jackknifeVariance(tc, cc, users, control, plainLogLift), alpha);
        const cuped = jackknifeInterval(cupedLogLift(tc, cc), jackknifeVariance(tc, cc, users, control, cupedLogLift), alpha);
        Object.assign(l, {
          jackknifeSeLog: plain.seLog,
          jackknifeCiLow: plain.ciLow,
          jackknifeCiHigh: plain.ciHigh,
          jackknifePValue: plain.pValue,
          cupedJackknifeSeLog: cuped.seLog,
          cupedJackknifeCiLow: cuped.ciLow,
          cupedJackknifeCiHigh: cuped.ciHigh,
          cupedJackknifePValue: cuped.pValue,
        });
      });
    }
  });
  if (!armOf) return;
  const family = lifts.filter((l) => l.family === 'primary');
  const deciding = (jk: keyof LiftResult, own: keyof LiftResult) => (l: LiftResult) =>
    Number.isFinite(l[jk] as number) ? (l[jk] as number) : (l[own] as number);
  const plain = correctFamilies(family, deciding('jackknifePValue', 'pValue'), cfg.rules);
  const cuped = correctFamilies(family, deciding('cupedJackknifePValue', 'cupedPValue'), cfg.rules);
  family.forEach((l, k) => {
    if (Number.isFinite(l.jackknifePValue)) l.jackknifePAdjusted = plain[k];
    if (Number.isFinite(l.cupedJackknifePValue)) l.cupedJackknifePAdjusted = cuped[k];
  });
  // The guardrail is outside the family: its p-value stands as it is.
  for (const l of lifts)
    if (l.metric === 'ctcvr') {
      l.jackknifePAdjusted = l.jackknifePValue;
      l.cupedJackknifePAdjusted = l.cupedJackknifePValue;
    }
}

/**
 * The A/B test over the replay period: 1. every arm's strategy ranks every request; 2. each user is
 * assigned an arm and their requests' clicks and conversions are drawn from the truth; 3. totals per
 * arm and scope; 4. lifts over the control (plain and CUPED) against the true lifts; 5. the
 * sequential test over the looks; 6. the sample-ratio check and the heaviest user's share.
 */
export function replay(w: World, truth: CandidateTruth, scores: Map<string, Float32Array>, cfg: ReplayConfig, lean = false): ReplayResult {
  return rankedReplay(w, truth, scores, cfg)(cfg.salt, lean);
}

/** Step 1 on a held replay from the candidates' scores, then servedReplay. */
export function rankedReplay(
  w: World,
  truth: CandidateTruth,
  scores: Map<string, Float32Array>,
  cfg: Omit<ReplayConfig, 'salt'>,
): (salt: number, lean?: boolean) => ReplayResult {
  return servedReplay(w, servedByScores(w, truth, scores, cfg.arms, positionCurve(cfg.positionBias)), cfg);
}

/**
 * Steps 2-6 per salt on what the arms served (step 1, done once): the slates, the true lifts and the
 * pre-experiment covariates do not depend on who is assigned where, so one world's test can be
 * re-randomised many times (to grade the decision procedure) at the cost of the outcomes alone. A
 * `lean` readout accumulates only what decisions read — each domain over all users — and leaves the
 * exploratory cells (all domains, domain groups, segments) empty: a sixth of the updates.
 */
export function servedReplay(w: World, served: Served, cfg: Omit<ReplayConfig, 'salt'>): (salt: number, lean?: boolean) => ReplayResult {
  const bias = positionCurve(cfg.positionBias);
  const scopes = scopesOf(w);
  const { ranked } = served;
  const truths = trueSums(w, served, scopes);
  const pre = preExperiment(w);
  const dynamic = !!w.scenario.dynamics;
  const sums = userSums(w.layout.domains.length + 3, w.users.count, dynamic);
  const scheduled = dynamic ? scheduledUsers(w) : null;
  const longTruth = new Map([...ranked].flatMap(([name, st]) => (st.path ? [[name, longTermTruth(w, st.path)] as const] : [])));
  return (salt, lean = false) => {
    const c = { ...cfg, salt };
    const { cells, snapshots } = simulate(w, served, scopes, pre, c, bias, sums, lean);
    // Every user's arm, made once for the steps that read the test user by user (and only if one does).
    let armOf: Int32Array | null = null;
    const arms = () =>
      (armOf ??= armsOf(
        salt,
        w.users.count,
        c.arms.map((a) => a.share),
      ));
    const plainResults = armResults(cells, scopes, c);
    const capped = c.rules.capping < 1 ? capPrimaryCells(w, cells, plainResults, sums, pre, c, c.rules.capping, arms()) : null;
    const results = capped?.results ?? plainResults;
    const lifts = liftsOf(capped?.cells ?? cells, results, truths, scopes, c);
    if (c.rules.jackknife) jackknifeSmallDomains(w, capped?.cells ?? cells, results, lifts, capped?.sums ?? sums, capped?.pre ?? pre, c, arms);
    const longTerm = scheduled ? longTermLifts(w, sums, scheduled, longTruth, c, lean) : [];
    const looks = sequential(snapshots, lifts, w.layout.domains, c);
    const overall = results.filter((r) => r.domain === 'all' && r.segment === 'all');
    const users = overall.map((r) => r.users);
    const srm = sampleRatioMismatch(
      users,
      c.arms.map((a) => a.share),
    );
    return {
      arms: c.arms,
      control: c.arms[c.control].name,
      results,
      lifts,
      srm: { users, ...srm, maxUserShare: overall.map((r) => r.maxUserShare) },
      looks,
      longTerm,
    };
  };
}
