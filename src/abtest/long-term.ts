// The long-term readout of a test that moves (scenario.dynamics): per arm and domain, clicks and
// visits per user over the whole test, against the control. The users counted are everyone who had
// a visit to the domain planned in the test, whether or not they stayed for it (intent to treat):
// a user who left counts with what they did before leaving, so an arm that drives users away pays
// for it here while its CTR per served impression may still look better. Users are independent
// units, so each arm's mean per user is a ratio with one unit of denominator per user and the lift
// takes the same log-scale delta-method interval as the short-term one.
import { heldReplay, type World } from '../world/world.js';
import { armsOf } from '../world/assign.js';
import { logRatioLift, type Lift } from './stats/ratio.js';
import { addUser, emptyRatio } from '../util/ratio-sums.js';

export type LongTermMetric = 'clicks' | 'visits';

export interface LongTermLift extends Lift {
  arm: string;
  control: string;
  domain: string;
  /** Clicks per user, or visits (requests served) per user, over the whole test. */
  metric: LongTermMetric;
  users: number;
  controlUsers: number;
  perUser: number;
  controlPerUser: number;
  /** The lift had every user been served each arm for the whole test, from the truth's paths. */
  trueLift: number;
  covered: boolean | null;
}

/** Per domain key (0: any domain, 1 + d: domain d) × user: whether the user has a visit planned in the test. */
export function scheduledUsers(w: World): Uint8Array {
  const U = w.users.count;
  const out = new Uint8Array((w.layout.domains.length + 1) * U);
  const { rq } = heldReplay(w, 'dynamics');
  for (let r = 0; r < rq.n; r++) {
    out[rq.user[r]] = 1;
    out[(1 + rq.domain[r]) * U + rq.user[r]] = 1;
  }
  return out;
}

/** Per domain key (0 any, 1 + d): a strategy's expected clicks and visits over all users, each visit weighted by the chance its user is still there. */
export function longTermTruth(w: World, path: { alive: Float64Array; expClicks: Float64Array }): { clicks: Float64Array; visits: Float64Array } {
  const K = w.layout.domains.length + 1;
  const clicks = new Float64Array(K);
  const visits = new Float64Array(K);
  const { rq } = heldReplay(w, 'dynamics');
  for (let r = 0; r < rq.n; r++) {
    const a = path.alive[r];
    for (const k of [0, 1 + rq.domain[r]]) {
      clicks[k] += a * path.expClicks[r];
      visits[k] += a;
    }
  }
  return { clicks, visits };
}

/**
 * Per treatment arm × domain key × metric: the lift of the mean per planned user over the control's.
 * `served` holds each user's clicks and visits per domain key of the replay's accounting (0 all,
 * 1 + d); in a lean readout only the domains' keys were kept, and 'all' is left out.
 */
export function longTermLifts(
  w: World,
  served: { clicks: Float64Array; visits: Float64Array },
  scheduled: Uint8Array,
  truth: Map<string, { clicks: Float64Array; visits: Float64Array }>,
  cfg: { arms: { name: string; strategy: string; share: number }[]; control: number; salt: number; rules: { alpha: number } },
  lean: boolean,
): LongTermLift[] {
  const U = w.users.count;
  const domains = ['all', ...w.layout.domains];
  const armOf = armsOf(
    cfg.salt,
    U,
    cfg.arms.map((a) => a.share),
  );
  const out: LongTermLift[] = [];
  for (let k = lean ? 1 : 0; k < domains.length; k++) {
    for (const metric of ['clicks', 'visits'] as const) {
      const values = metric === 'clicks' ? served.clicks : served.visits;
      const cells = cfg.arms.map(() => emptyRatio());
      for (let u = 0; u < U; u++) if (scheduled[k * U + u]) addUser(cells[armOf[u]], values[k * U + u], 1);
      const c0 = cfg.control;
      for (let a = 0; a < cfg.arms.length; a++) {
        if (a === c0) continue;
        const est = logRatioLift(cells[a], cells[c0], cfg.rules.alpha);
        const tt = truth.get(cfg.arms[a].strategy)![metric][k];
        const tc = truth.get(cfg.arms[c0].strategy)![metric][k];
        const trueLift = tc > 0 ? tt / tc - 1 : NaN;
        out.push({
          arm: cfg.arms[a].name,
          control: cfg.arms[c0].name,
          domain: domains[k],
          metric,
          users: cells[a].users,
          controlUsers: cells[c0].users,
          perUser: cells[a].users ? cells[a].sumX / cells[a].users : NaN,
          controlPerUser: cells[c0].users ? cells[c0].sumX / cells[c0].users : NaN,
          lift: est.lift,
          ciLow: est.ciLow,
          ciHigh: est.ciHigh,
          pValue: est.pValue,
          trueLift,
          covered: Number.isFinite(est.ciLow) && Number.isFinite(trueLift) ? est.ciLow <= trueLift && trueLift <= est.ciHigh : null,
        });
      }
    }
  }
  return out;
}
