// What every chart of the report shares: its shape, the Vega-Lite header, the page width the
// single-view charts are drawn at, the wrapping facet and the run's one colour per strategy.
import type { TopLevelSpec } from 'vega-lite';
import type { RunData } from '../store/run-data.js';

export interface Chart {
  id: string;
  title: string;
  spec: TopLevelSpec;
}

export const WIDTH = 520;
export const base = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', config: { font: 'sans-serif', view: { stroke: null } } } as const;

/**
 * A facet that wraps onto more rows instead of running past the page: as many panels of `width` per
 * row as fit the report's 1,100 px (a 7-panel chart at 150 px was 1,400 px wide and clipped).
 */
export const wrapped = (field: string, width: number) => ({
  facet: { field, type: 'nominal', title: null },
  columns: Math.max(1, Math.floor(1100 / (width + 40))),
});

/**
 * One colour per strategy across every chart of a run: the scale's domain is the run's own list
 * (its strategies, then its arms, then the constant and oracle references), so a chart that shows
 * fewer of them (or the oracle first) does not shift the others' colours.
 */
export function namedColor(field: 'strategy' | 'arm', d: RunData) {
  const names = [
    ...new Set([
      ...d.training.map((t) => String(t.strategy)),
      ...d.assignment.map((a) => String(a.arm)),
      ...d.offline.map((o) => String(o.strategy)).filter((x) => x !== 'constant' && x !== 'oracle'),
      'constant',
      'oracle',
    ]),
  ];
  return { field, type: 'nominal', scale: { domain: names, scheme: names.length > 10 ? 'tableau20' : 'tableau10' } };
}
