// Charts rendered to SVG in Node (no browser): vega-lite compiles, vega renders headless. A seeded
// random source keeps the output reproducible.
import * as vega from 'vega';
import { compile } from 'vega-lite';
import type { Chart } from './charts.js';

// Exported by vega at run time (from vega-statistics) but missing from its type declarations.
const seeded = vega as unknown as { setRandom(r: () => number): void; randomLCG(seed: number): () => number };

export async function chartSvg(chart: Chart, seed = 1): Promise<string> {
  seeded.setRandom(seeded.randomLCG(seed));
  const view = new vega.View(vega.parse(compile(chart.spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
