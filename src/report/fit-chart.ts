// The chart of `crossab fit`'s page: where the fitted world is faithful to the held-out log.
import type { TopLevelSpec } from 'vega-lite';
import { base, WIDTH, type Chart } from './chart-base.js';

/** A fit's diagnostics as a chart: the held-out log's value (dot), the interval it is judged by (bar) and the fitted world's (diamond). */
export interface FitDiagnosticRow {
  measure: string;
  domain: string;
  real: number;
  simulated: number;
  low: number;
  high: number;
  inside: boolean;
}

export function fitDiagnosticsChart(rows: readonly FitDiagnosticRow[]): Chart {
  // Rates and shares live on different scales: each measure gets its own panel row, independent x.
  const values = rows.map((r) => ({ ...r, faithful: r.inside ? 'inside the interval' : 'outside' }));
  return {
    id: 'fit-diagnostics',
    title: 'Held-out log (dot, with the 95% interval it is judged by) against the fitted world (diamond)',
    spec: {
      ...base,
      data: { values },
      facet: { row: { field: 'measure', type: 'nominal', title: null, header: { labelAngle: 0, labelAlign: 'left', labelLimit: 260 } } },
      resolve: { scale: { x: 'independent' } },
      spec: {
        width: WIDTH - 160,
        height: 40,
        layer: [
          {
            mark: { type: 'rule', strokeWidth: 2, color: '#999' },
            encoding: { y: { field: 'domain', type: 'nominal', title: null }, x: { field: 'low', type: 'quantitative', title: null }, x2: { field: 'high' } },
          },
          {
            mark: { type: 'point', filled: true, size: 50, color: '#222' },
            encoding: { y: { field: 'domain', type: 'nominal' }, x: { field: 'real', type: 'quantitative' } },
          },
          {
            mark: { type: 'point', shape: 'diamond', filled: true, size: 80 },
            encoding: {
              y: { field: 'domain', type: 'nominal' },
              x: { field: 'simulated', type: 'quantitative' },
              color: {
                field: 'faithful',
                type: 'nominal',
                title: 'fitted world',
                scale: { domain: ['inside the interval', 'outside'], range: ['#2a7', '#d33'] },
              },
            },
          },
        ],
      },
    } as TopLevelSpec,
  };
}
