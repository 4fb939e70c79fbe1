// Reading a domain's A/B decisions over seeds beside the offline evidence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readEvidence, type ArmEvidence } from '../../src/check/evidence.js';

const arm = (ships: number, mean: number, ciLow: number, ciHigh: number): ArmEvidence => ({ arm: 'star', deltas: [], mean, ciLow, ciHigh, ships });

test('the A/B majority decides; offline agrees, is neutral, or contradicts and is said to', () => {
  assert.match(readEvidence([arm(3, 0.02, 0.01, 0.03)], 0, 3), /^SHIP star: A\/B in 3 of 3 seeds; offline ΔAUC \+0\.0200 \[\+0\.0100, \+0\.0300\] agrees$/);
  assert.match(readEvidence([arm(2, 0.001, -0.01, 0.012)], 0, 3), /^SHIP star: A\/B in 2 of 3 seeds; offline ΔAUC \+0\.0010/);
  assert.match(readEvidence([arm(2, -0.02, -0.03, -0.01)], 0, 3), /but its offline ΔAUC −?-0\.0200 .* ranks worse: look closer/);
  assert.match(readEvidence([arm(0, 0.02, 0.01, 0.03)], 2, 3), /^KEEP control: A\/B in 2 of 3 seeds; though star's offline .* did not become an online one/);
});

test('undecided A/B: offline evidence that excludes 0 is a reason for a larger test, never a ship', () => {
  const r = readEvidence([arm(1, 0.03, 0.02, 0.04)], 0, 3);
  assert.match(
    r,
    /^A\/B undecided \(2 of 3 seeds without a decision\); star's offline ΔAUC \+0\.0300 .* excludes 0 at 95% CI: a reason to plan a larger test, not to ship$/,
  );
  assert.match(readEvidence([arm(0, 0.001, -0.01, 0.01)], 1, 3), /^A\/B undecided; offline shows no reliable difference either/);
  assert.match(readEvidence([arm(0, 0.001, Number.NaN, Number.NaN)], 0, 1), /no interval from 1 seed\)/);
});
