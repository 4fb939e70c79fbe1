// `crossab fit`'s chart: a measure per row, the fitted world coloured by whether it falls inside the held-out log's interval.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compile } from 'vega-lite';
import { fitDiagnosticsChart } from '../../src/report/fit-chart.js';

test('each diagnostic keeps its numbers and is labelled inside or outside the interval; the spec compiles', () => {
  const c = fitDiagnosticsChart([
    { measure: 'CTR', domain: 'all', real: 0.05, simulated: 0.051, low: 0.049, high: 0.052, inside: true },
    { measure: 'CTR', domain: 'men', real: 0.04, simulated: 0.06, low: 0.038, high: 0.042, inside: false },
  ]);
  const values = (c.spec as unknown as { data: { values: Record<string, unknown>[] } }).data.values;
  assert.deepEqual(
    values.map((v) => [v.domain, v.simulated, v.faithful]),
    [
      ['all', 0.051, 'inside the interval'],
      ['men', 0.06, 'outside'],
    ],
  );
  assert.doesNotThrow(() => compile(c.spec));
});
