// The charts of `crossab compare`: several stored runs side by side.
import type { TopLevelSpec } from 'vega-lite';
import type { RunData } from '../store/run-data.js';
import { base, WIDTH, type Chart } from './chart-base.js';

/** Several runs side by side: overall and per-domain AUC, and the A/B lifts, by run. */
export function compareCharts(runs: RunData[]): Chart[] {
  const auc = runs.flatMap((d) =>
    d.offline
      .filter((r) => r.target === 'click' && (r.scope === 'overall' || r.scope === 'domain') && r.strategy !== 'constant')
      .map((r) => ({ run: `${d.run.run_id}`, seed: d.run.seed, strategy: r.strategy, domain: r.scope === 'overall' ? 'all' : r.key, auc: r.auc })),
  );
  const lifts = runs.flatMap((d) =>
    d.abLifts
      .filter((r) => r.metric === 'ctr' && r.segment === 'all')
      .map((r) => ({ run: `${d.run.run_id}`, arm: r.arm, domain: r.domain, lift: r.lift, lo: r.ci_low, hi: r.ci_high, truth: r.true_lift })),
  );
  return [
    {
      id: 'compare-auc',
      title: 'AUC by strategy and domain across runs',
      spec: {
        ...base,
        data: { values: auc },
        facet: { column: { field: 'domain', type: 'nominal' } },
        spec: {
          width: 160,
          height: 220,
          mark: { type: 'point', filled: true, tooltip: true },
          encoding: {
            x: { field: 'strategy', type: 'nominal', title: null },
            y: { field: 'auc', type: 'quantitative', scale: { zero: false } },
            color: { field: 'run', type: 'nominal' },
          },
        },
      } as TopLevelSpec,
    },
    {
      id: 'compare-lifts',
      title: 'A/B CTR lift across runs (diamonds: true lift)',
      spec: {
        ...base,
        data: { values: lifts },
        width: WIDTH,
        height: { step: 14 },
        encoding: { y: { field: 'domain', type: 'nominal' }, yOffset: { field: 'run' }, color: { field: 'run', type: 'nominal' } },
        layer: [
          { mark: 'rule', encoding: { x: { field: 'lo', type: 'quantitative', axis: { format: '%' }, title: 'relative lift' }, x2: { field: 'hi' } } },
          {
            mark: { type: 'point', filled: true, tooltip: true },
            encoding: { x: { field: 'lift', type: 'quantitative' }, shape: { field: 'arm', type: 'nominal' } },
          },
          { mark: { type: 'point', shape: 'diamond', color: 'black' }, encoding: { x: { field: 'truth', type: 'quantitative' } } },
        ],
      } as unknown as TopLevelSpec,
    },
  ];
}
