// Sizing a test before running it, as a team would: from logged traffic alone. The last stretch of
// the logs as long as the planned test is split into arms by the assignment hash (an A/A pilot) and
// each domain's CTR is tested as the real test would be — user-clustered, log-ratio, plain and CUPED
// (the history before the pilot as covariate) — which gives the per-user noise at this traffic; the
// minimum detectable lift and the users needed to detect the smallest lift worth shipping follow.
// What it assumes: the arms' rankings change the CTR's level but not its per-user variability, and
// the test's users behave as the pilot's did. Training is not needed, so a plan takes seconds.
import type { DecisionRules } from '../scenario/schema.js';
import { tailDomains } from '../world/traffic.js';
import type { World } from '../world/world.js';
import { assignArm } from './assign.js';
import {
  addUserWithCovariate,
  confidenceSequenceRadius,
  cupedLogRatioLift,
  effectiveUsers,
  emptyCovariateRatio,
  minimumDetectableLift,
  mixtureVarianceFor,
  normalQuantile,
  powerAt,
  usersToDetect,
} from './stats.js';

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
}

export interface TestPlan {
  arms: number;
  /** Logged requests in the pilot window, the replay's (the planned test's), and the logged ones before the pilot (CUPED's history). */
  pilotRequests: number;
  testRequests: number;
  historyRequests: number;
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
  const requests = new Set<number>();
  for (let i = 0; i < lg.n; i++) {
    const at = lg.domain[i] * U + lg.user[i];
    if (lg.time[i] >= windowStart) {
      x[at] += lg.click[i];
      y[at] += 1;
      requests.add(lg.request[i]);
    } else {
      p[at] += lg.click[i];
      q[at] += 1;
    }
  }
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
    const plainSe = est.varianceReduction < 1 ? est.seLog / Math.sqrt(1 - est.varianceReduction) : Number.NaN;
    const users = t.users + c.users;
    const cupedUsersNeeded = usersToDetect(users, est.seLog, rules.minLift, alpha, rules.power);
    return {
      domain,
      tail: tail[d],
      usersPerArm: users / 2,
      impressionsPerArm: (t.sumY + c.sumY) / 2,
      ctr: (t.sumX + c.sumX) / (t.sumY + c.sumY),
      effectiveUsers: Math.min(effectiveUsers(t), effectiveUsers(c)),
      mde: minimumDetectableLift(plainSe, alpha, rules.power),
      cupedMde: minimumDetectableLift(est.seLog, alpha, rules.power),
      varianceReduction: est.varianceReduction,
      power: powerAt(rules.minLift, plainSe, alpha),
      cupedPower: powerAt(rules.minLift, est.seLog, alpha),
      usersNeeded: usersToDetect(users, plainSe, rules.minLift, alpha, rules.power),
      cupedUsersNeeded,
      sequentialUsersNeeded: Math.ceil(cupedUsersNeeded * inflation * inflation),
      trafficMultiple: cupedUsersNeeded / users,
    };
  });
  return { arms, pilotRequests: requests.size, testRequests, historyRequests: windowStart, family, alpha, domains };
}
