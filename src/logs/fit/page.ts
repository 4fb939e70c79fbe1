// The fit as its report page shows it (report/fit.ts draws it).
import type { FitPage } from '../../report/fit.js';
import type { FitOutcome } from '../fit.js';
import { signedPercent as pctOf } from '../../util/format.js';

/** The fit as its report page shows it. */
export function fitPage(r: FitOutcome): FitPage {
  const f = r.fitted;
  return {
    title: `crossab fit: ${r.scenario.name} from dataset ${f.dataset}`,
    dataset: f.dataset,
    holdoutRows: r.holdoutRows,
    domains: f.domains.map((d) => {
      const top = Math.max(...d.clickModel.positions);
      return {
        name: d.source,
        share: d.share,
        items: d.items,
        baseCtr: d.baseCtr.value,
        baseLow: d.baseCtr.low,
        baseHigh: d.baseCtr.high,
        positions: d.clickModel.positions.map((x) => Math.exp(x - top)),
      };
    }),
    diagnostics: r.diagnostics,
    ab: r.ab.map((a) => ({
      domain: a.domain,
      arm: a.arm,
      real: `${pctOf(a.real.lift)} [${pctOf(a.real.ciLow)}, ${pctOf(a.real.ciHigh)}]`,
      realDecision: a.real.decision,
      trueLift: a.trueLift,
      range: a.liftRange,
      rank: a.realLiftRank,
      decisions: Object.entries(a.decisionShares)
        .sort((x, y) => y[1] - x[1])
        .map(([k, v]) => `${k} ${(100 * v).toFixed(0)}%`)
        .join(', '),
    })),
    logLoss: r.heldOutLogLoss,
    assumptions: f.assumptions,
  };
}
