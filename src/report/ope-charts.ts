// The off-policy charts: each estimator's estimate against the true CTR, and whether an offline
// signal's difference between two strategies pointed the way the online lift went.
import type { TopLevelSpec } from 'vega-lite';
import type { RunData } from '../store/run-data.js';
import { base, wrapped, type Chart } from './chart-base.js';

/** Each estimator's estimate and interval per strategy and domain, with the true CTR as a black diamond. */
export function opeChart(d: RunData): Chart {
  const values = d.ope
    .filter((r) => r.segment === 'all' && r.value !== null && r.estimator !== 'sips' && r.estimator !== 'rips')
    .map((r) => ({ domain: r.domain, strategy: r.strategy, estimator: r.estimator, value: r.value, lo: r.ci_low, hi: r.ci_high, truth: r.true_value }));
  return {
    id: 'ope-estimates',
    title: 'Off-policy estimates of CTR from the logged test period, with 95% intervals (black diamonds: the true CTR)',
    spec: {
      ...base,
      data: { values },
      ...wrapped('domain', 200),
      resolve: { scale: { x: 'independent' } },
      spec: {
        width: 200,
        height: { step: 16 },
        encoding: { y: { field: 'strategy', type: 'nominal', title: null }, yOffset: { field: 'estimator' }, color: { field: 'estimator', type: 'nominal' } },
        layer: [
          {
            mark: 'rule',
            encoding: { x: { field: 'lo', type: 'quantitative', axis: { format: '%' }, title: 'CTR', scale: { zero: false } }, x2: { field: 'hi' } },
          },
          { mark: { type: 'point', filled: true, tooltip: true }, encoding: { x: { field: 'value', type: 'quantitative' } } },
          {
            mark: { type: 'point', shape: 'diamond', color: 'black', size: 40 },
            encoding: { x: { field: 'truth', type: 'quantitative' }, yOffset: { value: 0 } },
          },
        ],
      },
    } as unknown as TopLevelSpec,
  };
}

/** Every strategy pair on every domain: the offline signal's difference against the true online lift, one panel per signal. */
export function consistencyChart(d: RunData): Chart {
  const values = d.pairs
    .filter((r) => r.domain !== 'all' && r.delta !== null && r.true_lift !== null)
    .map((r) => ({ signal: r.signal, domain: r.domain, pair: `${r.a} vs ${r.b}`, delta: r.delta, trueLift: r.true_lift, agrees: r.agrees }));
  return {
    id: 'offline-vs-online',
    title: 'Offline signal difference vs true online lift, one point per domain × strategy pair (upper right and lower left: the signal was right)',
    spec: {
      ...base,
      data: { values },
      ...wrapped('signal', 150),
      resolve: { scale: { x: 'independent' } },
      spec: {
        width: 150,
        height: 180,
        layer: [
          { mark: { type: 'rule', color: '#aaa' }, encoding: { y: { datum: 0 } } },
          { mark: { type: 'rule', color: '#aaa' }, encoding: { x: { datum: 0 } } },
          {
            mark: { type: 'point', filled: true, tooltip: true },
            encoding: {
              x: { field: 'delta', type: 'quantitative', title: 'offline difference' },
              y: { field: 'trueLift', type: 'quantitative', axis: { format: '%' }, title: 'true online lift' },
              color: { field: 'domain', type: 'nominal' },
              shape: { field: 'agrees', type: 'nominal' },
            },
          },
        ],
      },
    } as unknown as TopLevelSpec,
  };
}
