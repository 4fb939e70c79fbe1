import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compile } from 'vega-lite';
import { gateChart } from '../../src/report/expert-charts.js';
import type { RunData } from '../../src/store/run-data.js';

test("the gate chart: one panel per domain, a row per strategy and gate, each expert's weight as colour, idle experts marked; the spec compiles", () => {
  const row = (domain: string, gate: string, expert: number, weight: number) => ({
    run_id: 'r',
    strategy: 'mmoe',
    domain,
    gate,
    expert,
    weight,
    entropy: 0.4,
    dead_share: 0.25,
  });
  const d = {
    experts: [row('head', 'gate0', 0, 0.97), row('head', 'gate0', 1, 0.03), row('tail', 'gate1', 0, 0.5), row('tail', 'gate1', 1, 0.5)],
  } as unknown as RunData;
  const c = gateChart(d);
  assert.equal(c.id, 'expert-gates');
  assert.match(c.title, /under 0\.05 is idle/);
  const values = (c.spec as unknown as { data: { values: Record<string, unknown>[] } }).data.values;
  assert.deepEqual(values[1], { domain: 'head', gate: 'mmoe · gate0', expert: 1, weight: 0.03, entropy: 0.4, dead: 0.25, idle: 'idle' });
  assert.equal(values[2].idle, '');
  assert.doesNotThrow(() => compile(c.spec));
});
