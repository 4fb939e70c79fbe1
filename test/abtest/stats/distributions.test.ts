import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalCdf, chiSquareSurvival, normalQuantile } from '../../../src/abtest/stats/distributions.js';

test('chi-square and normal tails match tabulated values', () => {
  assert.ok(Math.abs(chiSquareSurvival(3.841459, 1) - 0.05) < 1e-5);
  assert.ok(Math.abs(chiSquareSurvival(5.991465, 2) - 0.05) < 1e-5);
  assert.ok(Math.abs(chiSquareSurvival(11.0705, 5) - 0.05) < 1e-4);
  assert.ok(Math.abs(normalCdf(1.959964) - 0.975) < 1e-6);
  assert.ok(Math.abs(normalCdf(-1) - 0.158655) < 1e-5);
});

test('normal quantiles match published tables', () => {
  // Abramowitz & Stegun table 26.5 / any z table.
  for (const [p, z] of [
    [0.975, 1.959963985],
    [0.8, 0.8416212336],
    [0.995, 2.575829304],
    [0.5, 0],
    [0.001, -3.090232306],
    [0.9999, 3.719016485],
  ]) {
    assert.ok(Math.abs(normalQuantile(p) - z) < 1e-8, `Φ⁻¹(${p}) = ${normalQuantile(p)}, table ${z}`);
  }
  assert.equal(normalQuantile(0), -Infinity);
  assert.ok(Number.isNaN(normalQuantile(1.5)));
});

test('the normal CDF is exact to ~1e-14 relative in both tails (reference values: R pnorm, 17 digits)', () => {
  for (const [z, p] of [
    [-8, 6.22096057427178e-16],
    [-5, 2.866515718791939e-7],
    [-10, 7.619853024160527e-24],
    [-3, 0.0013498980316301035],
    [-1.959963984540054, 0.025],
    [1, 0.8413447460685429],
    [-0.1, 0.460172162722971],
  ])
    assert.ok(Math.abs(normalCdf(z) / p - 1) < 2e-14, `Φ(${z}) = ${normalCdf(z)}, R says ${p}`);
  for (const p of [0.025, 0.8, 1e-10, 0.999]) assert.ok(Math.abs(normalCdf(normalQuantile(p)) / p - 1) < 1e-13, `Φ(Φ⁻¹(${p}))`);
});
