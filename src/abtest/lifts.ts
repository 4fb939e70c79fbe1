// Step 4 of the readout: each treatment's lift over the control per scope and metric (plain, CUPED,
// and Welch's linear and absolute tests in GrowthBook's convention) against the true lift, with the
// test's power, and the multiplicity correction over the primary family.
import type { CovariateRatio } from './stats/cuped.js';
import { cupedLogRatioLift } from './stats/cuped.js';
import { adjustedInterval } from './stats/multiplicity.js';
import { minimumDetectableLift, powerAt, usersToDetect } from './stats/power.js';
import { logRatioLift } from './stats/ratio.js';
import { sequentialInflation } from './stats/sequential.js';
import { effect, ratioMoments, twoSided } from './welch.js';
import {
  correctFamilies,
  floorMet,
  NO_JACKKNIFE,
  type ArmResult,
  type Cell,
  type LiftResult,
  type ReplayConfig,
  type Scopes,
  type TrueSums,
} from './readout.js';

/** Welch's tests of a cell in GrowthBook's convention: the linear relative lift and the absolute difference. */
function welchOf(t: CovariateRatio, c: CovariateRatio, alpha: number) {
  const mt = ratioMoments(t);
  const mc = ratioMoments(c);
  const rel = effect(mc, mt, 'relative');
  const abs = effect(mc, mt, 'absolute');
  const r = rel ? twoSided(rel, alpha) : { ciLow: NaN, ciHigh: NaN, pValue: NaN };
  const a = abs ? twoSided(abs, alpha) : { ciLow: NaN, ciHigh: NaN };
  return {
    dof: rel?.dof ?? NaN,
    linearCiLow: r.ciLow,
    linearCiHigh: r.ciHigh,
    linearPValue: r.pValue,
    absDiff: mt.mean - mc.mean,
    absCiLow: a.ciLow,
    absCiHigh: a.ciHigh,
  };
}

/**
 * Step 4: each treatment arm's lift over the control per scope and metric on the log scale (plain
 * and CUPED), with the true lift, whether the interval holds it, and the test's power: its minimum
 * detectable lift, its power at the true lift and the users it would need to detect it. A cell
 * below the small-cell floor in either arm gets its point estimate but no interval and no p-value.
 */
export function liftsOf(
  cells: Cell[],
  results: ArmResult[],
  truths: Pick<TrueSums, 'clicks' | 'convs'> & { imps?: TrueSums['imps'] },
  scopes: Scopes,
  cfg: ReplayConfig,
): LiftResult[] {
  const lifts: LiftResult[] = [];
  const { alpha, power } = cfg.rules;
  const c0 = cfg.control;
  const n = scopes.count;
  const none = { ciLow: NaN, ciHigh: NaN, pValue: NaN };
  const untested = { dof: NaN, linearCiLow: NaN, linearCiHigh: NaN, linearPValue: NaN, absCiLow: NaN, absCiHigh: NaN };
  const inflation = sequentialInflation(alpha);
  for (let a = 0; a < cfg.arms.length; a++) {
    if (a === c0) continue;
    for (let s = 0; s < n; s++) {
      const rt = results[a * n + s];
      const rc = results[c0 * n + s];
      for (const metric of ['ctr', 'ctcvr'] as const) {
        const tested = floorMet(cells[a * n + s], cells[c0 * n + s], metric, cfg.rules);
        const est = logRatioLift(cells[a * n + s][metric], cells[c0 * n + s][metric], alpha);
        const cuped = cupedLogRatioLift(cells[a * n + s][metric], cells[c0 * n + s][metric], alpha);
        const welch = welchOf(cells[a * n + s][metric], cells[c0 * n + s][metric], alpha);
        const tt = (metric === 'ctr' ? truths.clicks : truths.convs).get(cfg.arms[a].strategy)![s];
        const tc = (metric === 'ctr' ? truths.clicks : truths.convs).get(cfg.arms[c0].strategy)![s];
        const it = truths.imps?.get(cfg.arms[a].strategy)?.[s];
        const ic = truths.imps?.get(cfg.arms[c0].strategy)?.[s];
        const trueLift = !(tc > 0) ? NaN : it !== undefined && ic !== undefined ? tt / it / (tc / ic) - 1 : tt / tc - 1;
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
          seqMde: minimumDetectableLift(cuped.seLog * inflation, alpha, power),
          ciLowAdjusted: NaN,
          ciHighAdjusted: NaN,
          cupedCiLowAdjusted: NaN,
          cupedCiHighAdjusted: NaN,
          ...(tested ? welch : { ...untested, absDiff: welch.absDiff }),
          ...NO_JACKKNIFE,
        });
      }
    }
  }
  // Multiplicity: the correction across the primary family (every treatment arm × every domain, or
  // each domain's arms), and the intervals that agree with the adjusted p-values.
  const family = lifts.filter((l) => l.family === 'primary');
  const plain = correctFamilies(family, (l) => l.pValue, cfg.rules);
  const cuped = correctFamilies(family, (l) => l.cupedPValue, cfg.rules);
  family.forEach((l, k) => {
    l.pAdjusted = plain[k];
    l.cupedPAdjusted = cuped[k];
    if (!l.tested) return;
    const p = adjustedInterval(l.lift, l.seLog, l.pAdjusted, alpha);
    const c = Number.isFinite(l.cupedCiLow) ? adjustedInterval(l.cupedLift, l.cupedSeLog, l.cupedPAdjusted, alpha) : { ciLow: NaN, ciHigh: NaN };
    l.ciLowAdjusted = p.ciLow;
    l.ciHighAdjusted = p.ciHigh;
    l.cupedCiLowAdjusted = c.ciLow;
    l.cupedCiHighAdjusted = c.ciHigh;
  });
  return lifts;
}
