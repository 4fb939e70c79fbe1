import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addUser, chiSquareSurvival, emptyRatio, normalCdf, ratioWithVariance, relativeLift, sampleRatioMismatch } from '../../src/abtest/stats.js';
import { assignArm } from '../../src/abtest/assign.js';

test('chi-square and normal tails match tabulated values', () => {
  assert.ok(Math.abs(chiSquareSurvival(3.841459, 1) - 0.05) < 1e-5);
  assert.ok(Math.abs(chiSquareSurvival(5.991465, 2) - 0.05) < 1e-5);
  assert.ok(Math.abs(chiSquareSurvival(11.0705, 5) - 0.05) < 1e-4);
  assert.ok(Math.abs(normalCdf(1.959964) - 0.975) < 1e-6);
  assert.ok(Math.abs(normalCdf(-1) - 0.158655) < 1e-5);
});

test('the delta method reduces to p(1-p)/n when every user has one impression', () => {
  const r = emptyRatio();
  for (let u = 0; u < 1000; u++) addUser(r, u % 10 === 0 ? 1 : 0, 1);
  const { ratio, variance } = ratioWithVariance(r);
  assert.equal(ratio, 0.1);
  assert.ok(Math.abs(variance - (0.1 * 0.9 * 1000) / 999 / 1000) < 1e-12);
});

test("clustered variance grows when a user's impressions are correlated", () => {
  // Same CTR, same impressions: 100 users × 10 impressions, clicks all-or-nothing per user vs spread.
  const clustered = emptyRatio();
  const spread = emptyRatio();
  for (let u = 0; u < 100; u++) {
    addUser(clustered, u % 10 === 0 ? 10 : 0, 10);
    addUser(spread, 1, 10);
  }
  assert.ok(ratioWithVariance(clustered).variance > 10 * ratioWithVariance(spread).variance);
});

test('relative lift: estimate, interval and p-value', () => {
  const c = emptyRatio();
  const t = emptyRatio();
  for (let u = 0; u < 20000; u++) {
    addUser(c, u % 10 === 0 ? 1 : 0, 1);
    addUser(t, u % 8 === 0 ? 1 : 0, 1);
  }
  const l = relativeLift(t, c);
  assert.ok(Math.abs(l.lift - 0.25) < 1e-9);
  assert.ok(l.ciLow < 0.25 && l.ciHigh > 0.25 && l.ciLow > 0.15);
  assert.ok(l.pValue < 1e-6);
});

test('sample-ratio mismatch: a fair split passes, a skewed one is flagged', () => {
  assert.ok(sampleRatioMismatch([5000, 5050], [0.5, 0.5]).pValue > 0.5);
  assert.ok(sampleRatioMismatch([5000, 5600], [0.5, 0.5]).pValue < 1e-6);
  const counts = [0, 0, 0];
  for (let u = 0; u < 30000; u++) counts[assignArm(17, u, [0.5, 0.3, 0.2])]++;
  assert.ok(sampleRatioMismatch(counts, [0.5, 0.3, 0.2]).pValue > 0.001, `hash split ${counts}`);
  assert.ok(sampleRatioMismatch(counts, [1 / 3, 1 / 3, 1 / 3]).pValue < 1e-6);
});
