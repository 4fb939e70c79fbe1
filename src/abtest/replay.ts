// The A/B replay: each request of the replay period goes to its user's arm; the arm's strategy ranks
// the candidates and shows its top k; clicks and conversions are drawn from the ground truth (with an
// optional position-bias curve). Because the truth is known, every arm's slates are also scored for
// *every* request, which gives the true lift the A/B estimate should cover.
import type { Dataset } from '../data/dataset.js';
import { tailDomains } from '../world/traffic.js';
import { stream } from '../world/rng.js';
import { rawLogits, sigmoid } from '../world/truth.js';
import { SEGMENTS, type World } from '../world/world.js';
import { assignArm } from './assign.js';
import type { DecisionRules } from '../scenario/schema.js';
import {
  addUser,
  benjaminiHochbergAdjust,
  emptyRatio,
  holmAdjust,
  logRatioLift,
  minimumDetectableLift,
  powerAt,
  sampleRatioMismatch,
  usersToDetect,
  type ClusteredRatio,
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
}

/** The true click and conversion probabilities of every replay candidate. */
export interface CandidateTruth {
  click: Float32Array;
  conv: Float32Array;
}

export function candidateTruth(w: World, cds: Dataset & { request: Int32Array; item: Int32Array }): CandidateTruth {
  const click = new Float32Array(cds.n);
  const conv = new Float32Array(cds.n);
  const L = w.truth.dim;
  const experience = w.replayExperience;
  for (let k = 0; k < cds.n; k++) {
    const d = cds.domain[k];
    const [rc, rv] = rawLogits(w.truth, d, cds.user[k], cds.item[k], w.replay.ctxLatent, cds.request[k] * L, experience[cds.request[k]]);
    click[k] = sigmoid(w.truth.bias[d] + rc);
    conv[k] = sigmoid(w.truth.convBias[d] + rv);
  }
  return { click, conv };
}

/** Bytes of the replay's per arm × scope × user sums (impressions, clicks, conversions as float64). */
export function accountingBytes(arms: number, domains: number, users: number): number {
  return arms * (domains + 3) * (SEGMENTS.length + 1) * users * 3 * 8;
}

/** For each request, the candidate indices of the top-k slate by score. */
function slates(w: World, scores: Float32Array): { start: Int32Array; cand: Int32Array } {
  const rq = w.replay;
  const start = new Int32Array(rq.n + 1);
  for (let r = 0; r < rq.n; r++) start[r + 1] = start[r] + w.scenario.domains[rq.domain[r]].slate;
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

/** Per arm × scope × user sums of the simulated outcomes (users are the unit of randomisation), and the truth's expectations. */
interface Outcomes {
  imps: Float64Array[];
  clicks: Float64Array[];
  convs: Float64Array[];
  /** Expected clicks of what each arm served, per arm × scope. */
  expected: Float64Array;
  /** True-lift numerators and denominators: every strategy on every request of the scope. */
  trueClicks: Map<string, Float64Array>;
  trueConvs: Map<string, Float64Array>;
}

function simulate(
  w: World,
  truth: CandidateTruth,
  ranked: Ranked,
  scopes: Scopes,
  cfg: ReplayConfig,
  bias: (pos: number) => number,
  reuse?: Outcomes,
): Outcomes {
  const rq = w.replay;
  const A = cfg.arms.length;
  const U = w.users.count;
  const nScopes = scopes.count;
  const split = cfg.arms.map((a) => a.share);
  // The per-user sums are the bulk of a replay's memory (arms × scopes × users × 3); a re-randomised
  // replay zeroes the previous ones instead of allocating them again.
  const fresh = () => Array.from({ length: A * nScopes }, () => new Float64Array(U));
  const imps = reuse ? reuse.imps : fresh();
  const clicks = reuse ? reuse.clicks : fresh();
  const convs = reuse ? reuse.convs : fresh();
  if (reuse) for (const a of [imps, clicks, convs]) for (const col of a) col.fill(0);
  const expected = new Float64Array(A * nScopes);
  const trueClicks = new Map<string, Float64Array>();
  const trueConvs = new Map<string, Float64Array>();
  for (const s of ranked.keys()) {
    trueClicks.set(s, new Float64Array(nScopes));
    trueConvs.set(s, new Float64Array(nScopes));
  }
  const rng = stream(cfg.salt, `replay:outcomes:${w.seed}`);
  for (let r = 0; r < rq.n; r++) {
    const u = rq.user[r];
    const d = rq.domain[r];
    const a = assignArm(cfg.salt, u, split);
    const sl = ranked.get(cfg.arms[a].strategy)!;
    const k = sl.start[r + 1] - sl.start[r];
    let c = 0;
    let v = 0;
    for (let j = sl.start[r]; j < sl.start[r + 1]; j++) {
      const cand = sl.cand[j];
      const clicked = rng.next() < truth.click[cand] * bias(j - sl.start[r]);
      const converted = rng.next() < truth.conv[cand];
      if (clicked) {
        c++;
        if (converted) v++;
      }
    }
    for (const s of scopes.of(d, u)) {
      const i = a * nScopes + s;
      imps[i][u] += k;
      clicks[i][u] += c;
      convs[i][u] += v;
      expected[i] += sl.expClicks[r];
      for (const [name, st] of ranked) {
        trueClicks.get(name)![s] += st.expClicks[r];
        trueConvs.get(name)![s] += st.expConvs[r];
      }
    }
  }
  return { imps, clicks, convs, expected, trueClicks, trueConvs };
}

/** Each arm's totals and user-clustered CTR / CTCVR ratios per scope. */
function armResults(
  o: Outcomes,
  scopes: Scopes,
  cfg: ReplayConfig,
  users: number,
): { results: ArmResult[]; ratios: { ctr: ClusteredRatio; ctcvr: ClusteredRatio }[] } {
  const results: ArmResult[] = [];
  const ratios: { ctr: ClusteredRatio; ctcvr: ClusteredRatio }[] = [];
  for (let a = 0; a < cfg.arms.length; a++) {
    for (let s = 0; s < scopes.count; s++) {
      const i = a * scopes.count + s;
      const ctr = emptyRatio();
      const ctcvr = emptyRatio();
      let sumClicks = 0;
      let sumConvs = 0;
      let heaviest = 0;
      for (let u = 0; u < users; u++) {
        const y = o.imps[i][u];
        if (y === 0) continue;
        if (y > heaviest) heaviest = y;
        addUser(ctr, o.clicks[i][u], y);
        addUser(ctcvr, o.convs[i][u], y);
        sumClicks += o.clicks[i][u];
        sumConvs += o.convs[i][u];
      }
      ratios.push({ ctr, ctcvr });
      results.push({
        arm: cfg.arms[a].name,
        strategy: cfg.arms[a].strategy,
        domain: scopes.domain(s),
        segment: scopes.segment(s),
        users: ctr.users,
        impressions: ctr.sumY,
        clicks: sumClicks,
        ctr: ctr.sumY ? sumClicks / ctr.sumY : NaN,
        conversions: sumConvs,
        cvr: sumClicks ? sumConvs / sumClicks : NaN,
        expectedCtr: ctr.sumY ? o.expected[i] / ctr.sumY : NaN,
        maxUserShare: ctr.sumY ? heaviest / ctr.sumY : 0,
      });
    }
  }
  return { results, ratios };
}

/**
 * Each treatment arm's lift over the control per scope and metric on the log scale, with the true
 * lift, whether the interval holds it, and the test's power: its minimum detectable lift, its power
 * at the true lift and the users it would need to detect it. A cell below the small-cell floor in
 * either arm gets its point estimate but no interval and no p-value.
 */
function liftsOf(ratios: { ctr: ClusteredRatio; ctcvr: ClusteredRatio }[], results: ArmResult[], o: Outcomes, scopes: Scopes, cfg: ReplayConfig): LiftResult[] {
  const lifts: LiftResult[] = [];
  const { alpha, power, minUsers, minClicks } = cfg.rules;
  const c0 = cfg.control;
  const n = scopes.count;
  for (let a = 0; a < cfg.arms.length; a++) {
    if (a === c0) continue;
    for (let s = 0; s < n; s++) {
      const rt = results[a * n + s];
      const rc = results[c0 * n + s];
      for (const metric of ['ctr', 'ctcvr'] as const) {
        const events = (r: ArmResult) => (metric === 'ctr' ? r.clicks : r.conversions);
        const tested = rt.users >= minUsers && rc.users >= minUsers && events(rt) >= minClicks && events(rc) >= minClicks;
        const est = logRatioLift(ratios[a * n + s][metric], ratios[c0 * n + s][metric], alpha);
        const tt = (metric === 'ctr' ? o.trueClicks : o.trueConvs).get(cfg.arms[a].strategy)![s];
        const tc = (metric === 'ctr' ? o.trueClicks : o.trueConvs).get(cfg.arms[c0].strategy)![s];
        const trueLift = tc > 0 ? tt / tc - 1 : NaN;
        const ci = tested ? est : { ciLow: NaN, ciHigh: NaN, pValue: NaN };
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
        });
      }
    }
  }
  // Multiplicity: one correction across the primary family (every treatment arm × every domain).
  const family = lifts.filter((l) => l.family === 'primary');
  const p = family.map((l) => l.pValue);
  const adjusted = cfg.rules.correction === 'holm' ? holmAdjust(p) : cfg.rules.correction === 'bh' ? benjaminiHochbergAdjust(p) : p;
  family.forEach((l, k) => {
    l.pAdjusted = adjusted[k];
  });
  return lifts;
}

/** The largest share of each arm's impressions made by one user (scope 0: all domains, all segments). */
function dominantShares(o: Outcomes, scopes: Scopes, arms: number, users: number): number[] {
  return Array.from({ length: arms }, (_, a) => {
    const col = o.imps[a * scopes.count];
    let total = 0;
    let max = 0;
    for (let u = 0; u < users; u++) {
      total += col[u];
      if (col[u] > max) max = col[u];
    }
    return total > 0 ? max / total : 0;
  });
}

/**
 * The A/B test over the replay period: 1. every arm's strategy ranks every request; 2. each user is
 * assigned an arm and their requests' clicks and conversions are drawn from the truth; 3. totals and
 * user-clustered ratios per arm and scope; 4. lifts over the control against the true lifts; 5. the
 * sample-ratio check and the heaviest user's share.
 */
export function replay(w: World, truth: CandidateTruth, scores: Map<string, Float32Array>, cfg: ReplayConfig): ReplayResult {
  return rankedReplay(w, truth, scores, cfg)(cfg.salt);
}

/**
 * Step 1 once, steps 2-5 per salt: the slates do not depend on who is assigned where, so one world's
 * test can be re-randomised many times (to grade the decision procedure) at the cost of the outcomes.
 */
export function rankedReplay(
  w: World,
  truth: CandidateTruth,
  scores: Map<string, Float32Array>,
  cfg: Omit<ReplayConfig, 'salt'>,
): (salt: number) => ReplayResult {
  const bias = (pos: number) => (cfg.positionBias ? cfg.positionBias[Math.min(pos, cfg.positionBias.length - 1)] : 1);
  const scopes = scopesOf(w);
  const ranked = rankArms(w, truth, scores, cfg.arms, bias);
  let previous: Outcomes | undefined;
  return (salt) => {
    const c = { ...cfg, salt };
    const outcomes = simulate(w, truth, ranked, scopes, c, bias, previous);
    previous = outcomes;
    const { results, ratios } = armResults(outcomes, scopes, c, w.users.count);
    const lifts = liftsOf(ratios, results, outcomes, scopes, c);
    const users = results.filter((r) => r.domain === 'all' && r.segment === 'all').map((r) => r.users);
    const srm = sampleRatioMismatch(
      users,
      c.arms.map((a) => a.share),
    );
    const maxUserShare = dominantShares(outcomes, scopes, c.arms.length, w.users.count);
    return { arms: c.arms, control: c.arms[c.control].name, results, lifts, srm: { users, ...srm, maxUserShare } };
  };
}
