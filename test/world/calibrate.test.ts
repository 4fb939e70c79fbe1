// The domain biases' root-finder: the mean probability it aims at is hit, with and without weights.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calibrateBias, calibrateBiasScaled, sigmoid } from '../../src/world/calibrate.js';

test('bias calibration hits the target mean probability to 1e-9, with and without weights', () => {
  const raw = Float64Array.from({ length: 5000 }, (_, j) => 3 * Math.sin(j * 12.9898) * Math.cos(j * 0.77));
  const weights = Float64Array.from({ length: 5000 }, (_, j) => (j % 7) / 7);
  for (const target of [0.001, 0.05, 0.3, 0.9]) {
    for (const w of [undefined, weights]) {
      const b = calibrateBias(raw, target, w);
      let acc = 0;
      let ws = 0;
      raw.forEach((x, j) => {
        const wj = w ? w[j] : 1;
        acc += wj / (1 + Math.exp(-(b + x)));
        ws += wj;
      });
      assert.ok(Math.abs(acc / ws - target) < 1e-9, `target ${target}: ${acc / ws}`);
    }
  }
});

test('the scaled form takes exp(−raw) and gives the same bias; sigmoid is the logistic function', () => {
  const raw = Float64Array.from({ length: 1000 }, (_, j) => Math.cos(j));
  assert.equal(
    calibrateBiasScaled(
      raw.map((x) => Math.exp(-x)),
      0.1,
    ),
    calibrateBias(raw, 0.1),
  );
  assert.equal(sigmoid(0), 0.5);
  assert.ok(Math.abs(sigmoid(Math.log(3)) - 0.75) < 1e-15);
  assert.equal(calibrateBias(new Float64Array(3), 0.2, [0, 0, 0]), 0, 'no weight: nothing to calibrate');
});
