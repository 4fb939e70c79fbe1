// Sizing a test before running it, as a team would: from logged traffic alone. The last stretch of
// the logs as long as the planned test is split into arms by the assignment hash (an A/A pilot) and
// each domain's CTR is tested as the real test would be — user-clustered, log-ratio, plain and CUPED
// (the history before the pilot as covariate) — which gives the per-user noise at this traffic; the
// minimum detectable lift and the users needed to detect the smallest lift worth shipping follow.
// What it assumes: the arms' rankings change the CTR's level but not its per-user variability, and
// the test's users behave as the pilot's did. Training is not needed, so a plan takes seconds.
//
// A test longer than the logs (a replay of millions of users beside a training log of thousands) is
// not "more of the pilot": its users come back, so its per-user noise grows faster than its users.
// The pilot then gives the noise's two parts — per request (v: clicks around the user's own rate) and
// per user (τ²: how users' rates differ, from the covariance of two requests of the same user) — and
// the traffic model draws how many requests each user makes in the test; a user with N requests
// contributes N·v + N²·τ² to the ratio's variance (Deng et al. 2018's user-level delta method, with
// the user's mean made explicit). CUPED keeps the pilot's share of variance removed.
import { stream } from '../world/rng.js';
import { periodRequests, tailDomains } from '../world/traffic.js';
import type { DecisionRules } from '../scenario/schema.js';
import type { World } from '../world/world.js';
import { assignArm } from '../world/assign.js';
import { addUserWithCovariate, cupedLogRatioLift, emptyCovariateRatio } from './stats/cuped.js';
import { normalQuantile } from './stats/distributions.js';
import { minimumDetectableLift, powerAt, usersToDetect } from './stats/power.js';
import { effectiveUsers } from './stats/ratio.js';
import { confidenceSequenceRadius, mixtureVarianceFor } from './stats/sequential.js';

export interface DomainPlan {
  domain: string;
  tail: boolean;
  /** Users and impressions per arm in the pilot (the planned test's traffic). */
  usersPerArm: number;
  impressionsPerArm: number;
  ctr: number;
  /** The fewest effective users of the two pilot arms. */
  effectiveUsers: number;
  /** Minimum detectable lift at the corrected level, plain and CUPED, and the variance CUPED removes. */
  mde: number;
  cupedMde: number;
  varianceReduction: number;
  /** Power at minLift, plain and CUPED. */
  power: number;
  cupedPower: number;
  /** Users (two arms) to detect minLift: plain, CUPED, and CUPED looked at sequentially. */
  usersNeeded: number;
  cupedUsersNeeded: number;
  sequentialUsersNeeded: number;
  /** CUPED's users needed over the two arms' users of the planned test. */
  trafficMultiple: number;
  /** Projected (a test longer than the logs): the per-request and per-user variance of clicks per request it rests on; NaN otherwise. */
  requestVariance: number;
  userVariance: number;
}

export interface TestPlan {
  arms: number;
  /** Logged requests in the pilot window, the replay's (the planned test's), and the logged ones before the pilot (CUPED's history). */
  pilotRequests: number;
  testRequests: number;
  historyRequests: number;
  /** Whether the test is longer than the pilot and its noise was projected to the test's traffic. */
  projected: boolean;
  /** Tests in the primary family, and the level each is sized at (Holm's first step). */
  family: number;
  alpha: number;
  domains: DomainPlan[];
}

export function planTest(w: World, arms: number, rules: DecisionRules, salt: number): TestPlan {
  const D = w.layout.domains.length;
  const U = w.users.count;
  const lg = w.logged;
  const testRequests = w.timeline.total - w.timeline.testEnd;
  const windowStart = Math.max(0, w.timeline.testEnd - testRequests);
  const family = Math.max(1, (arms - 1) * D);
  const alpha = rules.correction === 'holm' ? rules.alpha / family : rules.alpha;
  // Per domain × user: pilot clicks and impressions, and the history before the pilot.
  const x = new Float64Array(D * U);
  const y = new Float64Array(D * U);
  const p = new Float64Array(D * U);
  const q = new Float64Array(D * U);
  // Per logged request in the pilot: its domain, user and clicks (for the projection's two variances).
  const reqClicks = new Float64Array(w.timeline.testEnd);
  const reqAt = new Int32Array(w.timeline.testEnd).fill(-1);
  let pilotRequests = 0;
  for (let i = 0; i < lg.n; i++) {
    const at = lg.domain[i] * U + lg.user[i];
    if (lg.time[i] >= windowStart) {
      x[at] += lg.click[i];
      y[at] += 1;
      const r = lg.request[i];
      if (reqAt[r] < 0) pilotRequests++;
      reqAt[r] = at;
      reqClicks[r] += lg.click[i];
    } else {
      p[at] += lg.click[i];
      q[at] += 1;
    }
  }
  const projected = pilotRequests < testRequests;
  const noise = projected ? pilotNoise(D, U, reqAt, reqClicks) : null;
  const testCounts = projected
    ? periodRequests(w.scenario, w.users, w.timeline.testEnd, w.timeline.total, w.timeline.total, stream(salt, `plan:test:${w.seed}`))
    : null;
  const split = Array.from({ length: arms }, () => 1 / arms);
  const tail = tailDomains(w);
  const inflation = confidenceSequenceRadius(1, mixtureVarianceFor(1, alpha), alpha) / normalQuantile(1 - alpha / 2);
  const domains = w.layout.domains.map((domain, d) => {
    const cells = [emptyCovariateRatio(), emptyCovariateRatio()];
    for (let u = 0; u < U; u++) {
      const at = d * U + u;
      if (y[at] === 0) continue;
      const a = assignArm(salt, u, split);
      if (a < 2) addUserWithCovariate(cells[a], x[at], y[at], p[at], q[at]);
    }
    const [t, c] = cells;
    const est = cupedLogRatioLift(t, c, alpha);
    const vr = est.varianceReduction;
    const pilot = {
      users: t.users + c.users,
      impressions: t.sumY + c.sumY,
      effective: Math.min(effectiveUsers(t), effectiveUsers(c)),
      plainSe: vr < 1 ? est.seLog / Math.sqrt(1 - vr) : Number.NaN,
      cupedSe: est.seLog,
    };
    const at = noise && testCounts ? projectTest(noise[d], testCounts.subarray(d * U, (d + 1) * U), w.scenario.domains[d].slate, arms, vr) : null;
    const { users, impressions, effective, plainSe, cupedSe } = at ?? pilot;
    const cupedUsersNeeded = usersToDetect(users, cupedSe, rules.minLift, alpha, rules.power);
    return {
      domain,
      tail: tail[d],
      usersPerArm: users / 2,
      impressionsPerArm: impressions / 2,
      ctr: (t.sumX + c.sumX) / (t.sumY + c.sumY),
      effectiveUsers: effective,
      mde: minimumDetectableLift(plainSe, alpha, rules.power),
      cupedMde: minimumDetectableLift(cupedSe, alpha, rules.power),
      varianceReduction: vr,
      power: powerAt(rules.minLift, plainSe, alpha),
      cupedPower: powerAt(rules.minLift, cupedSe, alpha),
      usersNeeded: usersToDetect(users, plainSe, rules.minLift, alpha, rules.power),
      cupedUsersNeeded,
      sequentialUsersNeeded: Math.ceil(cupedUsersNeeded * inflation * inflation),
      trafficMultiple: cupedUsersNeeded / users,
      requestVariance: noise ? noise[d].v : Number.NaN,
      userVariance: noise ? noise[d].tau2 : Number.NaN,
    };
  });
  return { arms, pilotRequests, testRequests, historyRequests: windowStart, projected, family, alpha, domains };
}

/** A domain's clicks per request: their mean m, the variance around a user's own rate (v) and between users' rates (τ²). */
export interface Noise {
  m: number;
  v: number;
  tau2: number;
}

/**
 * Per domain, from the pilot's requests: m, τ² as the covariance of two different requests of the
 * same user (Σ_u [(S_u − N_u·m)² − Σ_r (c_r − m)²] / Σ_u N_u(N_u − 1)), and v as the requests' total
 * variance less τ². Without a user seen twice there is no evidence of τ², and it is taken as 0.
 */
export function pilotNoise(D: number, U: number, reqAt: Int32Array, reqClicks: Float64Array): Noise[] {
  const n = new Float64Array(D * U);
  const sum = new Float64Array(D * U);
  const requests = new Float64Array(D);
  const clicks = new Float64Array(D);
  for (let r = 0; r < reqAt.length; r++) {
    const at = reqAt[r];
    if (at < 0) continue;
    n[at]++;
    sum[at] += reqClicks[r];
    requests[Math.floor(at / U)]++;
    clicks[Math.floor(at / U)] += reqClicks[r];
  }
  const m = Float64Array.from(requests, (k, d) => (k ? clicks[d] / k : Number.NaN));
  const within = new Float64Array(D);
  for (let r = 0; r < reqAt.length; r++) {
    const at = reqAt[r];
    if (at >= 0) within[Math.floor(at / U)] += (reqClicks[r] - m[Math.floor(at / U)]) ** 2;
  }
  const between = new Float64Array(D);
  const pairs = new Float64Array(D);
  for (let at = 0; at < n.length; at++) {
    if (!n[at]) continue;
    const d = Math.floor(at / U);
    between[d] += (sum[at] - n[at] * m[d]) ** 2;
    pairs[d] += n[at] * (n[at] - 1);
  }
  return Array.from({ length: D }, (_, d) => {
    const tau2 = pairs[d] ? Math.max(0, (between[d] - within[d]) / pairs[d]) : 0;
    return { m: m[d], v: Math.max(0, within[d] / requests[d] - tau2), tau2 };
  });
}

/**
 * The test's noise from the pilot's and the test's requests per user (`counts`, one domain): each arm
 * of an `arms`-way split holds 1/arms of the users, so two arms' log-ratio variance is
 * 2·arms·Σ(N·v + N²·τ²) / (m·ΣN)²; CUPED removes the pilot's share `vr` of it.
 */
function projectTest(
  noise: Noise,
  counts: Int32Array,
  slate: number,
  arms: number,
  vr: number,
): { users: number; impressions: number; effective: number; plainSe: number; cupedSe: number } {
  let users = 0;
  let sumN = 0;
  let sumN2 = 0;
  for (let u = 0; u < counts.length; u++) {
    const k = counts[u];
    if (!k) continue;
    users++;
    sumN += k;
    sumN2 += k * k;
  }
  const plainSe = Math.sqrt((2 * arms * (noise.v * sumN + noise.tau2 * sumN2)) / (noise.m * sumN) ** 2);
  return {
    users: (2 * users) / arms,
    impressions: (2 * slate * sumN) / arms,
    effective: (sumN * sumN) / sumN2 / arms,
    plainSe,
    cupedSe: Number.isFinite(vr) && vr < 1 ? plainSe * Math.sqrt(1 - vr) : plainSe,
  };
}
