// The A/B replay: each request of the replay period goes to its user's arm; the arm's strategy ranks
// the candidates and shows its top k; clicks and conversions are drawn from the ground truth (with an
// optional position-bias curve). Because the truth is known, every arm's slates are also scored for
// *every* request, which gives the true lift the A/B estimate should cover. A replay too large to hold
// streams (traffic.streamReplay): the arms' workers rank it chunk by chunk and only the slates come here.
import type { CandidateTruth } from '../data/candidate-truth.js';
import { tailDomains } from '../world/traffic.js';
import { positionCurve } from '../data/slates.js';
import { stream } from '../world/rng.js';
import { SEGMENTS } from '../world/impressions.js';
import type { World } from '../world/world.js';
import { armsOf, assignArm } from '../world/assign.js';
import { growRatioAt, RATIO_SLOT, ratioAt } from './stats/cuped.js';
import { sampleRatioMismatch } from './stats/srm.js';
import { armResults, type Cell, type ReplayConfig, type ReplayResult, type Scopes } from './readout.js';
import { liftsOf } from './lifts.js';
import { sequential } from './looks.js';
import { jackknifeSmallDomains } from './jackknife.js';
import { capPrimaryCells } from './capping.js';
import { biasArray, servedByScores, type Served } from './served.js';
import { domainKeys, preExperiment, scopesOf, trueSums, userSums, type UserSums } from './user-sums.js';
import { longTermLifts, longTermTruth, scheduledUsers } from './long-term.js';

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
