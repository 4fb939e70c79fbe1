// The truth against its configuration: the domains' click functions correlate as truth.correlation says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateWorld } from '../../src/world/world.js';
import { domainCorrelation } from '../../src/world/truth-check.js';
import { scenario } from '../helpers/scenarios.js';

test("the empirical correlation of domains' true logits follows the configured correlation", () => {
  const measured: number[] = [];
  for (const p of [0, 0.5, 0.9, 1]) {
    const w = generateWorld(
      scenario('tiny', (r) => {
        r.truth.correlation = p;
        r.truth.latentDim = 16;
      }),
      9,
    );
    const c = domainCorrelation(w.truth, w.layout, w.users, w.items, 9);
    const off = [c[0][1], c[0][2], c[1][2]];
    const mean = off.reduce((a, b) => a + b, 0) / off.length;
    measured.push(mean);
    // Nonlinear sines and random directions in 16 dimensions: within 0.15 of the configured value.
    assert.ok(Math.abs(mean - p) < 0.15, `configured ${p}, measured ${mean.toFixed(3)}`);
  }
  for (let k = 1; k < measured.length; k++) assert.ok(measured[k] > measured[k - 1], `not increasing: ${measured}`);
  assert.ok(measured[3] > 0.99);
});
