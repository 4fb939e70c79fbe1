// Step 5 of the readout: the sequential test over the looks, each primary cell's CUPED log-lift
// watched through a normal-mixture confidence sequence (Howard et al. 2021) with an always-valid
// p-value, corrected across the primary family at every look.
import { cupedLogRatioLift } from './stats/cuped.js';
import { logRatioLift } from './stats/ratio.js';
import { confidenceSequenceRadius, mixtureLikelihoodRatio, mixtureVarianceFor } from './stats/sequential.js';
import { correctFamilies, floorMet, type Cell, type LiftResult, type Look, type LookCell, type ReplayConfig } from './readout.js';

/**
 * Step 5: the sequential test over the looks. Each primary cell's CUPED log-lift is watched through
 * a normal-mixture confidence sequence whose mixing variance is tuned to the test's planned end (the
 * last look); the always-valid p-value is the running minimum of 1 / likelihood ratio, corrected
 * across the primary family at each look. The final look's values are copied onto the lifts.
 */
export type Snapshot = { time: number; users: number; cells: Cell[] };

export function sequential(snapshots: Snapshot[], lifts: LiftResult[], domains: readonly string[], cfg: ReplayConfig): Look[] {
  const D = domains.length;
  const { alpha } = cfg.rules;
  const c0 = cfg.control;
  const treatments = cfg.arms.map((_, a) => a).filter((a) => a !== c0);
  const tracks = treatments.flatMap((a) =>
    domains.flatMap((domain, d) =>
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
    const adjusted = correctFamilies(family, (c) => c.seqPValue, cfg.rules);
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
