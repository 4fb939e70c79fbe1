// What every chart of the report shares: its shape, the Vega-Lite header and the page width the
// single-view charts are drawn at.
import type { TopLevelSpec } from 'vega-lite';

export interface Chart {
  id: string;
  title: string;
  spec: TopLevelSpec;
}

export const WIDTH = 520;
export const base = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', config: { font: 'sans-serif', view: { stroke: null } } } as const;
