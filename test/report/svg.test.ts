// A chart rendered to SVG in Node, with no browser: the same chart and seed give the same bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chartSvg } from '../../src/report/svg.js';
import type { Chart } from '../../src/report/charts.js';

test('a chart renders to an SVG holding its data, reproducibly', async () => {
  const chart = {
    id: 'bars',
    title: 'bars',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      data: {
        values: [
          { arm: 'mmoe', lift: 0.03 },
          { arm: 'star', lift: 0.05 },
        ],
      },
      mark: 'bar',
      encoding: { x: { field: 'arm', type: 'nominal' }, y: { field: 'lift', type: 'quantitative' } },
    },
  } as unknown as Chart;
  const a = await chartSvg(chart);
  assert.match(a, /^<svg/);
  assert.match(a, /mmoe/);
  assert.match(a, /star/);
  assert.equal(await chartSvg(chart), a);
});
