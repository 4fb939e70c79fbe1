// The always-valid test: the confidence sequence's edge is where the mixture likelihood ratio reaches
// 1/α, it is wider than the fixed-horizon interval everywhere, and by Ville's inequality a true null
// crosses it at any of many looks at most α of the time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import seedrandom from 'seedrandom';
import { confidenceSequenceRadius, mixtureLikelihoodRatio, mixtureVarianceFor, sequentialInflation } from '../../../src/abtest/stats/sequential.js';
import { normalQuantile } from '../../../src/abtest/stats/distributions.js';

test('the radius is where the likelihood ratio reaches 1/α; wider than z·√V; tightest at the planned variance', () => {
  for (const [V, tau2, alpha] of [
    [0.01, 0.02, 0.05],
    [1, 3, 0.01],
    [4e-4, 1e-3, 0.1],
  ]) {
    const r = confidenceSequenceRadius(V, tau2, alpha);
    assert.ok(Math.abs(mixtureLikelihoodRatio(r, V, tau2) - 1 / alpha) < 1e-9 / alpha, `V ${V}`);
    assert.ok(r > normalQuantile(1 - alpha / 2) * Math.sqrt(V));
  }
  const tau2 = mixtureVarianceFor(0.01, 0.05);
  for (const other of [tau2 / 2, tau2 * 2]) assert.ok(confidenceSequenceRadius(0.01, tau2, 0.05) <= confidenceSequenceRadius(0.01, other, 0.05));
  assert.ok(sequentialInflation(0.05) > 1 && sequentialInflation(0.05) < 2);
  assert.ok(Number.isNaN(mixtureLikelihoodRatio(1, 0, 1)));
});

test('under the null, stopping at the first of 20 looks that crosses the sequence rejects at most α (2,000 simulated tests)', () => {
  const rng = seedrandom('sequential');
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const alpha = 0.05;
  const looks = 20;
  const tau2 = mixtureVarianceFor(1 / looks, alpha);
  let rejected = 0;
  let naive = 0;
  for (let sim = 0; sim < 2000; sim++) {
    let sum = 0;
    let crossed = false;
    let peeked = false;
    for (let k = 1; k <= looks; k++) {
      sum += normal();
      // The mean of k unit draws scaled so the last look has variance 1/looks.
      const V = 1 / (k * looks);
      const estimate = (sum / k) * Math.sqrt(1 / looks);
      if (Math.abs(estimate) > confidenceSequenceRadius(V, tau2, alpha)) crossed = true;
      if (Math.abs(estimate) > normalQuantile(1 - alpha / 2) * Math.sqrt(V)) peeked = true;
    }
    if (crossed) rejected++;
    if (peeked) naive++;
  }
  assert.ok(rejected / 2000 <= alpha, `always-valid: ${rejected / 2000}`);
  assert.ok(naive / 2000 > 2 * alpha, `peeking at a fixed-horizon interval inflates it: ${naive / 2000}`);
});
