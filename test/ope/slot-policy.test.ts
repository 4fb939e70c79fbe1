// Target policies from a log or a prior: Thompson sampling's Monte Carlo against the exact
// probability, and the two empirical readings of a policy that changed over time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DisplayLog } from '../../src/ope/logged.js';
import { frequencyPolicy, meanPropensityPolicy, thompsonPolicy } from '../../src/ope/slot-policy.js';
import { stream } from '../../src/world/rng.js';

test("Thompson sampling's slate probabilities match P(θ₁ > θ₂) for Beta(3, 7) vs Beta(2, 8), by numeric integration", () => {
  // Exact: ∫ f₁(x) F₂(x) dx on a fine grid (Beta densities by their normalising constants).
  const B = (a: number, b: number) => {
    const g = (z: number) => (z === 1 || z === 2 ? 1 : [1, 1, 2, 6, 24, 120, 720, 5040, 40320, 362880][z - 1]);
    return (g(a) * g(b)) / g(a + b);
  };
  const f = (x: number, a: number, b: number) => (x ** (a - 1) * (1 - x) ** (b - 1)) / B(a, b);
  const h = 1e-4;
  let F2 = 0;
  let exact = 0;
  for (let x = h / 2; x < 1; x += h) {
    F2 += f(x, 2, 8) * h;
    exact += f(x, 3, 7) * (F2 - (f(x, 2, 8) * h) / 2) * h;
  }
  const p = thompsonPolicy([3, 2], [7, 8], 1, 200_000, stream(1, 'bts-test'));
  assert.ok(Math.abs(p.p[0] - exact) < 0.005, `${p.p[0]} vs ${exact}`);
  assert.ok(Math.abs(p.p[0] + p.p[1] - 1) < 1e-9);
  // With two positions each column sums to 1 and the less likely item leads less often.
  const q = thompsonPolicy([3, 2, 1], [7, 8, 9], 2, 50_000, stream(2, 'bts-test'));
  for (let k = 0; k < 2; k++) assert.ok(Math.abs(q.p[k] + q.p[2 + k] + q.p[4 + k] - 1) < 1e-9);
  assert.ok(q.p[0] > q.p[2] && q.p[2] > q.p[4]);
});

test("a policy that changed over time: its log's frequencies recover its average probability; the mean of its logged propensities is E[π²]/E[π] per item instead", () => {
  // Two items, one position; item 0 is played with 0.9 in the first half of the log and 0.5 in the second: 0.7 on average.
  const n = 200_000;
  const rng = stream(3, 'drift');
  const log: DisplayLog = { item: new Int32Array(n), position: new Int32Array(n), click: new Uint8Array(n), propensity: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    const p0 = i < n / 2 ? 0.9 : 0.5;
    log.item[i] = rng.next() < p0 ? 0 : 1;
    log.propensity[i] = log.item[i] === 0 ? p0 : 1 - p0;
  }
  const freq = frequencyPolicy(log, 2, 1);
  assert.ok(Math.abs(freq.p[0] - 0.7) < 0.005, `${freq.p[0]}`);
  // Item 0: (0.81 + 0.25)/(0.9 + 0.5) = 0.757; item 1: (0.01 + 0.25)/(0.1 + 0.5) = 0.433; normalised 0.636.
  const mean = meanPropensityPolicy(log, 2, 1);
  const expected = 0.53 / 0.7 / (0.53 / 0.7 + 0.13 / 0.3);
  assert.ok(Math.abs(mean.p[0] - expected) < 0.005, `${mean.p[0]} vs ${expected}`);
});
