// Per-user capping (GrowthBook's percentile capping, in the form a ratio metric allows): a user whose
// impressions in a domain exceed the domain's q-quantile of users' impressions counts as if they had
// exactly that many, their clicks and conversions scaled with them, so their own CTR is kept and only
// their weight is bounded. It trades the population-weighted CTR for a capped-weight one: unbiased
// for the lift when heavy users respond like the rest, biased when they do not (the replay's truth
// is the uncapped lift, so grading shows which).
import { SEGMENTS } from '../world/impressions.js';
import type { World } from '../world/world.js';
import { addUserWithCovariate, emptyCovariateRatio } from './stats/cuped.js';
import { effectiveUsers } from './stats/ratio.js';
import type { ArmResult, Cell, ReplayConfig } from './readout.js';
import { userSums, type UserSums } from './user-sums.js';

/** The q-quantile (linear interpolation between order statistics, R's type 7) of the positive values. */
export function positiveQuantile(values: ArrayLike<number>, q: number): number {
  const xs: number[] = [];
  for (let i = 0; i < values.length; i++) if (values[i] > 0) xs.push(values[i]);
  if (!xs.length) return 0;
  xs.sort((a, b) => a - b);
  const h = (xs.length - 1) * q;
  const lo = Math.floor(h);
  return xs[lo] + (h - lo) * ((xs[Math.min(lo + 1, xs.length - 1)] ?? xs[lo]) - xs[lo]);
}

/** A user's weight under a cap: 1 below it, cap / impressions above. */
export const cappedWeight = (impressions: number, cap: number): number => (impressions > cap && cap > 0 ? cap / impressions : 1);

/**
 * rules.capping: each domain's per-user sums with every user's impressions capped at the domain's
 * `quantile` of users' impressions (their clicks and conversions scaled alike; the pre-period's the
 * same way at its own quantile), and the primary cells (each domain, all users) rebuilt from them.
 * The arms' reported totals stay uncapped; their effective users and heaviest share are the capped
 * cells', which is what the estimate now rests on. Segments, domain groups and the sequential looks
 * read the uncapped cells.
 */
export function capPrimaryCells(
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
