// The A/B replay: each request of the replay period goes to its user's arm; the arm's strategy ranks
// the candidates and shows its top k; clicks and conversions are drawn from the ground truth (with an
// optional position-bias curve). Because the truth is known, every arm's slates are also scored for
// *every* request, which gives the true lift the A/B estimate should cover.
import type { Dataset } from '../data/dataset.js';
import { tailDomains, type Requests } from '../world/traffic.js';
import { stream } from '../world/rng.js';
import { rawLogits, sigmoid } from '../world/truth.js';
import { SEGMENTS, type World } from '../world/world.js';
import { assignArm } from './assign.js';
import type { DecisionRules } from '../scenario/schema.js';
import {
  benjaminiHochbergAdjust,
  confidenceSequenceRadius,
  cupedLogRatioLift,
  effectiveUsers,
  growRatioAt,
  RATIO_SLOT,
  ratioAt,
  holmAdjust,
  logRatioLift,
  minimumDetectableLift,
  mixtureLikelihoodRatio,
  mixtureVarianceFor,
  powerAt,
  sampleRatioMismatch,
  usersToDetect,
  type CovariateRatio,
} from './stats.js';

/** Warn above this share of an arm's impressions from one user: intervals were calibrated at ≤ 2.2% and mis-covered at 12% (README). */
export const DOMINANT_USER = 0.05;

export interface Arm {
  name: string;
  strategy: string;
  share: number;
}

export interface ReplayConfig {
  arms: Arm[];
  /** Index of the control arm. */
  control: number;
  /** Salt of the assignment hash and the outcome stream. */
  salt: number;
  positionBias: number[] | null;
  /** α, power, correction and the small-cell floor the lifts are tested with. */
  rules: DecisionRules;
}

export interface ArmResult {
  arm: string;
  strategy: string;
  domain: string;
  segment: string;
  users: number;
  impressions: number;
  clicks: number;
  ctr: number;
  conversions: number;
  cvr: number;
  /** CTR expected under the ground truth for the slates this arm showed. */
  expectedCtr: number;
  /** The largest share of the cell's impressions made by one user. */
  maxUserShare: number;
  /** Kish's effective users, (Σ impressions)² / Σ impressions²: how many equally active users the cell's information is worth. */
  effectiveUsers: number;
}

export interface LiftResult {
  arm: string;
  control: string;
  metric: 'ctr' | 'ctcvr';
  domain: string;
  segment: string;
  lift: number;
  ciLow: number;
  ciHigh: number;
  pValue: number;
  /** The lift had each arm served every request of the scope, from the true probabilities. */
  trueLift: number;
  /** Whether the interval holds the true lift; null when there is no interval or no true lift. */
  covered: boolean | null;
  /** Standard error of log(treatment / control). */
  seLog: number;
  /** Both arms reached the small-cell floor (users, and clicks or conversions); otherwise no interval or p-value. */
  tested: boolean;
  /** 'primary': CTR on one domain, all users (corrected for multiplicity); everything else is exploratory. */
  family: 'primary' | 'exploratory';
  /** The p-value after the correction across the primary family; NaN outside it. */
  pAdjusted: number;
  /** The smallest lift this cell's test detects at the rules' α and power. */
  mde: number;
  /** The power this test had at the true lift. */
  power: number;
  /** Users (both arms) needed to detect the true lift at the rules' α and power. */
  usersNeeded: number;
  /** CUPED: the lift adjusted by each user's pre-experiment ratio (their logged history), its interval, p-values and standard error. */
  cupedLift: number;
  cupedCiLow: number;
  cupedCiHigh: number;
  cupedPValue: number;
  cupedPAdjusted: number;
  cupedSeLog: number;
  /** 1 − Var(CUPED) / Var(plain) of log(treatment / control). */
  varianceReduction: number;
  /** CUPED's minimum detectable lift and its power at the true lift. */
  cupedMde: number;
  cupedPower: number;
  /** Sequential (primary family and its guardrail only; NaN elsewhere): the confidence sequence after the last look and the always-valid p-value. */
  seqCiLow: number;
  seqCiHigh: number;
  seqPValue: number;
  seqPAdjusted: number;
}

/** A primary cell (or its guardrail) at one look of the sequential test. */
export interface LookCell {
  arm: string;
  domain: string;
  metric: 'ctr' | 'ctcvr';
  tested: boolean;
  /** The plain estimate and its fixed-horizon p-value (what a peeking reader sees). */
  lift: number;
  pValue: number;
  /** The CUPED estimate the sequence is built on, and its standard error. */
  cupedLift: number;
  seLog: number;
  /** The 1 − α confidence sequence so far (intersected over looks) and the always-valid p-value (running minimum). */
  seqCiLow: number;
  seqCiHigh: number;
  seqPValue: number;
  /** seqPValue after the correction across the primary family at this look. */
  seqPAdjusted: number;
}

export interface Look {
  /** The look's end on the global timeline, and the users (all arms) seen by then. */
  time: number;
  users: number;
  cells: LookCell[];
}

export interface ReplayResult {
  arms: Arm[];
  control: string;
  results: ArmResult[];
  lifts: LiftResult[];
  /**
   * Users per arm and the chi-square sample-ratio test; and per arm the largest share of its
   * impressions made by one user: user-clustered intervals need many users of comparable weight.
   */
  srm: { users: number[]; chi2: number; pValue: number; maxUserShare: number[] };
  /** The sequential test: the primary cells at each of the rules' looks, in time order (the last look is the end of the test). */
  looks: Look[];
}

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
    const [rc, rv] = rawLogits(w.truth, d, cds.user[k], cds.item[k], rq.ctxLatent, cds.request[k] * L, experience[cds.request[k]]);
    click[k] = sigmoid(w.truth.bias[d] + rc);
    conv[k] = sigmoid(w.truth.convBias[d] + rv);
  }
  return { click, conv };
}

/**
 * Bytes of the replay's per domain key × user sums (impressions, clicks, conversions as float64):
 * the running ones of the test and the pre-experiment ones CUPED adjusts by. A user is in one arm,
 * and their sums over a segment's scope equal those over all users, so neither multiplies this.
 */
export function accountingBytes(domains: number, users: number): number {
  return (domains + 3) * users * 6 * 8;
}

/** For each request, the candidate indices of the top-k slate by score (k: the request's domain's slate). */
export function rankSlates(rq: Requests, slateOf: ArrayLike<number>, scores: Float32Array): { start: Int32Array; cand: Int32Array } {
  const start = new Int32Array(rq.n + 1);
  for (let r = 0; r < rq.n; r++) start[r + 1] = start[r] + slateOf[rq.domain[r]];
  const cand = new Int32Array(start[rq.n]);
  for (let r = 0; r < rq.n; r++) {
    const from = rq.candStart[r];
    const idx = Array.from({ length: rq.candStart[r + 1] - from }, (_, j) => from + j);
    // Stable: ties keep candidate order, so identical models give identical slates.
    idx.sort((a, b) => scores[b] - scores[a] || a - b);
    for (let j = 0; j < start[r + 1] - start[r]; j++) cand[start[r] + j] = idx[j];
  }
  return { start, cand };
}

const slates = (w: World, scores: Float32Array) =>
  rankSlates(
    w.replay,
    w.scenario.domains.map((d) => d.slate),
    scores,
  );

/** Every distinct strategy among the arms ranks every replay request once: its slates and their expected clicks. */
type Ranked = Map<string, { start: Int32Array; cand: Int32Array; expClicks: Float64Array; expConvs: Float64Array }>;

function rankArms(w: World, truth: CandidateTruth, scores: Map<string, Float32Array>, arms: readonly Arm[], bias: (pos: number) => number): Ranked {
  const rq = w.replay;
  const byStrategy: Ranked = new Map();
  for (const arm of arms) {
    if (byStrategy.has(arm.strategy)) continue;
    const armScores = scores.get(arm.strategy);
    if (!armScores) throw new Error(`replay: no candidate scores for strategy '${arm.strategy}' (train it with candidates)`);
    const sl = slates(w, armScores);
    const expClicks = new Float64Array(rq.n);
    const expConvs = new Float64Array(rq.n);
    for (let r = 0; r < rq.n; r++) {
      for (let j = sl.start[r]; j < sl.start[r + 1]; j++) {
        const k = sl.cand[j];
        const pc = truth.click[k] * bias(j - sl.start[r]);
        expClicks[r] += pc;
        expConvs[r] += pc * truth.conv[k];
      }
    }
    byStrategy.set(arm.strategy, { ...sl, expClicks, expConvs });
  }
  return byStrategy;
}

/** The readout's scopes: domain key (each domain, head / tail group, all) × segment key (all, heavy, tail, cold). */
interface Scopes {
  count: number;
  /** The scopes a request of domain d by user u counts in. */
  of(d: number, u: number): number[];
  domain(s: number): string;
  segment(s: number): string;
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
}

const userSums = (keys: number, users: number): UserSums => ({
  imps: new Float64Array(keys * users),
  clicks: new Float64Array(keys * users),
  convs: new Float64Array(keys * users),
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

/** One arm × scope of the readout, accumulated request by request. */
interface Cell {
  ctr: CovariateRatio;
  ctcvr: CovariateRatio;
  heaviest: number;
  /** Expected clicks of what the arm served. */
  expected: number;
}

/** The true-lift numerators: every strategy's expected clicks and conversions on every request of each scope (salt-independent). */
function trueSums(w: World, ranked: Ranked, scopes: Scopes): { clicks: Map<string, Float64Array>; convs: Map<string, Float64Array> } {
  const clicks = new Map<string, Float64Array>();
  const convs = new Map<string, Float64Array>();
  for (const [name, st] of ranked) {
    const c = new Float64Array(scopes.count);
    const v = new Float64Array(scopes.count);
    for (let r = 0; r < w.replay.n; r++) {
      for (const s of scopes.of(w.replay.domain[r], w.replay.user[r])) {
        c[s] += st.expClicks[r];
        v[s] += st.expConvs[r];
      }
    }
    clicks.set(name, c);
    convs.set(name, v);
  }
  return { clicks, convs };
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
  truth: CandidateTruth,
  ranked: Ranked,
  scopes: Scopes,
  pre: UserSums,
  cfg: ReplayConfig,
  bias: (pos: number) => number,
  sums: UserSums,
  lean: boolean,
): { cells: Cell[]; snapshots: { time: number; users: number; cells: Cell[] }[] } {
  const rq = w.replay;
  const A = cfg.arms.length;
  const U = w.users.count;
  const D = w.layout.domains.length;
  const S = SEGMENTS.length + 1;
  const tail = tailDomains(w);
  const split = cfg.arms.map((a) => a.share);
  for (const col of [sums.imps, sums.clicks, sums.convs]) col.fill(0);
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
  const maxSlate = Math.max(...w.scenario.domains.map((dom) => dom.slate));
  const biasAt = Float64Array.from({ length: maxSlate }, (_, pos) => bias(pos));
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
    for (let j = sl.start[r]; j < sl.start[r + 1]; j++) {
      const cand = sl.cand[j];
      const clicked = rng.next() < truth.click[cand] * biasAt[j - sl.start[r]];
      const converted = rng.next() < truth.conv[cand];
      if (clicked) {
        c++;
        if (converted) v++;
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
    }
  }
  while (snapshots.length < ends.length) snapshot(ends[snapshots.length]);
  return { cells: Array.from({ length: nCells }, (_, i) => cellAt(i)), snapshots };
}

/** Step 3: each arm's totals per scope. */
function armResults(cells: Cell[], scopes: Scopes, cfg: ReplayConfig): ArmResult[] {
  return cells.map((cell, i) => {
    const a = Math.floor(i / scopes.count);
    const s = i % scopes.count;
    const { ctr, ctcvr } = cell;
    return {
      arm: cfg.arms[a].name,
      strategy: cfg.arms[a].strategy,
      domain: scopes.domain(s),
      segment: scopes.segment(s),
      users: ctr.users,
      impressions: ctr.sumY,
      clicks: ctr.sumX,
      ctr: ctr.sumY ? ctr.sumX / ctr.sumY : NaN,
      conversions: ctcvr.sumX,
      cvr: ctr.sumX ? ctcvr.sumX / ctr.sumX : NaN,
      expectedCtr: ctr.sumY ? cell.expected / ctr.sumY : NaN,
      maxUserShare: ctr.sumY ? cell.heaviest / ctr.sumY : 0,
      effectiveUsers: effectiveUsers(ctr),
    };
  });
}

/** Whether both arms of a test reached the small-cell floor for a metric. */
function floorMet(t: Cell, c: Cell, metric: 'ctr' | 'ctcvr', rules: DecisionRules): boolean {
  return t.ctr.users >= rules.minUsers && c.ctr.users >= rules.minUsers && t[metric].sumX >= rules.minClicks && c[metric].sumX >= rules.minClicks;
}

const correct = (p: number[], correction: DecisionRules['correction']): number[] =>
  correction === 'holm' ? holmAdjust(p) : correction === 'bh' ? benjaminiHochbergAdjust(p) : p;

/**
 * Step 4: each treatment arm's lift over the control per scope and metric on the log scale (plain
 * and CUPED), with the true lift, whether the interval holds it, and the test's power: its minimum
 * detectable lift, its power at the true lift and the users it would need to detect it. A cell
 * below the small-cell floor in either arm gets its point estimate but no interval and no p-value.
 */
function liftsOf(
  cells: Cell[],
  results: ArmResult[],
  truths: { clicks: Map<string, Float64Array>; convs: Map<string, Float64Array> },
  scopes: Scopes,
  cfg: ReplayConfig,
): LiftResult[] {
  const lifts: LiftResult[] = [];
  const { alpha, power } = cfg.rules;
  const c0 = cfg.control;
  const n = scopes.count;
  const none = { ciLow: NaN, ciHigh: NaN, pValue: NaN };
  for (let a = 0; a < cfg.arms.length; a++) {
    if (a === c0) continue;
    for (let s = 0; s < n; s++) {
      const rt = results[a * n + s];
      const rc = results[c0 * n + s];
      for (const metric of ['ctr', 'ctcvr'] as const) {
        const tested = floorMet(cells[a * n + s], cells[c0 * n + s], metric, cfg.rules);
        const est = logRatioLift(cells[a * n + s][metric], cells[c0 * n + s][metric], alpha);
        const cuped = cupedLogRatioLift(cells[a * n + s][metric], cells[c0 * n + s][metric], alpha);
        const tt = (metric === 'ctr' ? truths.clicks : truths.convs).get(cfg.arms[a].strategy)![s];
        const tc = (metric === 'ctr' ? truths.clicks : truths.convs).get(cfg.arms[c0].strategy)![s];
        const trueLift = tc > 0 ? tt / tc - 1 : NaN;
        const ci = tested ? est : none;
        const cc = tested ? cuped : none;
        const hasInterval = Number.isFinite(ci.ciLow) && Number.isFinite(trueLift);
        const domain = scopes.domain(s);
        const segment = scopes.segment(s);
        const primary = metric === 'ctr' && segment === 'all' && domain !== 'all' && domain !== 'head-domains' && domain !== 'tail-domains';
        lifts.push({
          arm: cfg.arms[a].name,
          control: cfg.arms[c0].name,
          metric,
          domain,
          segment,
          lift: est.lift,
          ciLow: ci.ciLow,
          ciHigh: ci.ciHigh,
          pValue: ci.pValue,
          trueLift,
          covered: hasInterval ? ci.ciLow <= trueLift && trueLift <= ci.ciHigh : null,
          seLog: est.seLog,
          tested,
          family: primary ? 'primary' : 'exploratory',
          pAdjusted: NaN,
          mde: minimumDetectableLift(est.seLog, alpha, power),
          power: powerAt(trueLift, est.seLog, alpha),
          usersNeeded: usersToDetect(rt.users + rc.users, est.seLog, trueLift, alpha, power),
          cupedLift: cuped.lift,
          cupedCiLow: cc.ciLow,
          cupedCiHigh: cc.ciHigh,
          cupedPValue: cc.pValue,
          cupedPAdjusted: NaN,
          cupedSeLog: cuped.seLog,
          varianceReduction: cuped.varianceReduction,
          cupedMde: minimumDetectableLift(cuped.seLog, alpha, power),
          cupedPower: powerAt(trueLift, cuped.seLog, alpha),
          seqCiLow: NaN,
          seqCiHigh: NaN,
          seqPValue: NaN,
          seqPAdjusted: NaN,
        });
      }
    }
  }
  // Multiplicity: one correction across the primary family (every treatment arm × every domain).
  const family = lifts.filter((l) => l.family === 'primary');
  const plain = correct(
    family.map((l) => l.pValue),
    cfg.rules.correction,
  );
  const cuped = correct(
    family.map((l) => l.cupedPValue),
    cfg.rules.correction,
  );
  family.forEach((l, k) => {
    l.pAdjusted = plain[k];
    l.cupedPAdjusted = cuped[k];
  });
  return lifts;
}

/**
 * Step 5: the sequential test over the looks. Each primary cell's CUPED log-lift is watched through
 * a normal-mixture confidence sequence whose mixing variance is tuned to the test's planned end (the
 * last look); the always-valid p-value is the running minimum of 1 / likelihood ratio, corrected
 * across the primary family at each look. The final look's values are copied onto the lifts.
 */
function sequential(snapshots: { time: number; users: number; cells: Cell[] }[], lifts: LiftResult[], w: World, cfg: ReplayConfig): Look[] {
  const D = w.layout.domains.length;
  const { alpha } = cfg.rules;
  const c0 = cfg.control;
  const treatments = cfg.arms.map((_, a) => a).filter((a) => a !== c0);
  const tracks = treatments.flatMap((a) =>
    w.layout.domains.flatMap((domain, d) =>
      (['ctr', 'ctcvr'] as const).map((metric) => {
        const at = snapshots.map((snap) => {
          const t = snap.cells[a * D + d];
          const c = snap.cells[c0 * D + d];
          const tested = floorMet(t, c, metric, cfg.rules);
          const plain = logRatioLift(t[metric], c[metric], alpha);
          const cuped = cupedLogRatioLift(t[metric], c[metric], alpha);
          const ok = tested && cuped.seLog > 0;
          return { tested: ok, plain, cuped };
        });
        const last = at[at.length - 1];
        const tau2 = last.tested ? mixtureVarianceFor(last.cuped.seLog ** 2, alpha) : NaN;
        let p = 1;
        let low = -Infinity;
        let high = Infinity;
        const cells = at.map(({ tested, plain, cuped }) => {
          if (tested && tau2 > 0) {
            const logQ = Math.log1p(cuped.lift);
            const v = cuped.seLog ** 2;
            p = Math.min(p, 1 / mixtureLikelihoodRatio(logQ, v, tau2));
            const radius = confidenceSequenceRadius(v, tau2, alpha);
            low = Math.max(low, logQ - radius);
            high = Math.min(high, logQ + radius);
          }
          const seen = Number.isFinite(low);
          return {
            arm: cfg.arms[a].name,
            domain,
            metric,
            tested,
            lift: plain.lift,
            pValue: tested ? plain.pValue : NaN,
            cupedLift: cuped.lift,
            seLog: cuped.seLog,
            seqCiLow: seen ? Math.expm1(Math.min(low, high)) : NaN,
            seqCiHigh: seen ? Math.expm1(Math.max(low, high)) : NaN,
            seqPValue: seen ? p : NaN,
            seqPAdjusted: NaN,
          } satisfies LookCell;
        });
        return cells;
      }),
    ),
  );
  const looks: Look[] = snapshots.map((snap, l) => ({ time: snap.time, users: snap.users, cells: tracks.map((t) => t[l]) }));
  for (const look of looks) {
    const family = look.cells.filter((c) => c.metric === 'ctr');
    const adjusted = correct(
      family.map((c) => c.seqPValue),
      cfg.rules.correction,
    );
    family.forEach((c, k) => {
      c.seqPAdjusted = adjusted[k];
    });
    // The guardrail is not part of the family: its always-valid p-value stands as it is.
    for (const c of look.cells) if (c.metric === 'ctcvr') c.seqPAdjusted = c.seqPValue;
  }
  const final = looks[looks.length - 1];
  for (const c of final?.cells ?? []) {
    const l = lifts.find((x) => x.arm === c.arm && x.metric === c.metric && x.domain === c.domain && x.segment === 'all')!;
    l.seqCiLow = c.seqCiLow;
    l.seqCiHigh = c.seqCiHigh;
    l.seqPValue = c.seqPValue;
    l.seqPAdjusted = c.seqPAdjusted;
  }
  return looks;
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

/**
 * Step 1 once, steps 2-6 per salt: the slates, the true lifts and the pre-experiment covariates do
 * not depend on who is assigned where, so one world's test can be re-randomised many times (to grade
 * the decision procedure) at the cost of the outcomes alone. A `lean` readout accumulates only what
 * decisions read — each domain over all users — and leaves the exploratory cells (all domains,
 * domain groups, segments) empty: a sixth of the updates.
 */
export function rankedReplay(
  w: World,
  truth: CandidateTruth,
  scores: Map<string, Float32Array>,
  cfg: Omit<ReplayConfig, 'salt'>,
): (salt: number, lean?: boolean) => ReplayResult {
  const bias = (pos: number) => (cfg.positionBias ? cfg.positionBias[Math.min(pos, cfg.positionBias.length - 1)] : 1);
  const scopes = scopesOf(w);
  const ranked = rankArms(w, truth, scores, cfg.arms, bias);
  const truths = trueSums(w, ranked, scopes);
  const pre = preExperiment(w);
  const sums = userSums(w.layout.domains.length + 3, w.users.count);
  return (salt, lean = false) => {
    const c = { ...cfg, salt };
    const { cells, snapshots } = simulate(w, truth, ranked, scopes, pre, c, bias, sums, lean);
    const results = armResults(cells, scopes, c);
    const lifts = liftsOf(cells, results, truths, scopes, c);
    const looks = sequential(snapshots, lifts, w, c);
    const overall = results.filter((r) => r.domain === 'all' && r.segment === 'all');
    const users = overall.map((r) => r.users);
    const srm = sampleRatioMismatch(
      users,
      c.arms.map((a) => a.share),
    );
    return { arms: c.arms, control: c.arms[c.control].name, results, lifts, srm: { users, ...srm, maxUserShare: overall.map((r) => r.maxUserShare) }, looks };
  };
}
