// The estimators on a world small enough to know exactly: one context, a pool of items with fixed
// click probabilities, a logger drawn by the real logging policies, and a fixed target slate. Over
// many independent logs the estimates must centre on the target's true CTR (unbiased ones within
// their standard error of the mean), their intervals must cover it at about their level, and the
// weights must say what the logger's peakedness does to them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ESTIMATORS, logRatioVariance, ratioEstimate, requestTerms, weightDiagnostics, type ClusteredSums } from '../../src/ope/estimators.js';
import { logSlate, propensityBuffers, slatePropensities, type LoggingPolicy } from '../../src/world/logging.js';
import { stream } from '../../src/world/rng.js';

const n = 8;
const k = 3;
const pool = Int32Array.from({ length: n }, (_, i) => i);
const popularity = Float64Array.from({ length: n }, (_, i) => 1 / (i + 1));
// Click probabilities unrelated to popularity: the target's slate is not the logger's favourite.
const pClick = Float64Array.from([0.05, 0.1, 0.02, 0.3, 0.08, 0.25, 0.04, 0.15]);
const target = Int32Array.from([3, 5, 7]);
const truth = (pClick[3] + pClick[5] + pClick[7]) / k;
// A reward model that is wrong by a constant factor: DM is biased by it, DR is not.
const qHat = Float64Array.from(pClick, (p) => 0.7 * p);

/** One log of `requests` requests (each its own user) and every estimator's estimate and variance. */
function simulate(policy: LoggingPolicy, requests: number, seed: number) {
  const rng = stream(seed, 'ope-test');
  const E = ESTIMATORS.length;
  const sums = ESTIMATORS.map(() => ({ num: new Float64Array(requests), den: new Float64Array(requests), clusters: requests }) as ClusteredSums);
  const shown = new Int32Array(k);
  const prop = propensityBuffers(k);
  const buf = {
    click: new Float64Array(k),
    pItemPosition: prop.itemPosition,
    pItem: prop.item,
    pCascade: prop.cascade,
    logged: shown,
    target,
    qLogged: new Float64Array(k),
    qTarget: Float64Array.from(target, (i) => qHat[i]),
  };
  const out = { num: new Float64Array(E), den: new Float64Array(E) };
  const w = new Float64Array(k);
  const res = new Float64Array(k);
  const v = new Float64Array(k);
  const weights = new Float64Array(requests * k);
  for (let r = 0; r < requests; r++) {
    logSlate(policy, pool, 0, n, k, popularity, rng, shown);
    slatePropensities(policy, pool, 0, n, k, popularity, shown, prop);
    for (let j = 0; j < k; j++) {
      buf.click[j] = rng.next() < pClick[shown[j]] ? 1 : 0;
      buf.qLogged[j] = qHat[shown[j]];
    }
    requestTerms(buf, k, out, w, res, v);
    weights.set(w, r * k);
    ESTIMATORS.forEach((_, e) => {
      sums[e].num[r] = out.num[e];
      sums[e].den[r] = out.den[e];
    });
  }
  return { est: sums.map(ratioEstimate), sums, weights };
}

const random: LoggingPolicy = { name: 'random', temperature: 1, epsilon: 0 };
const peaked: LoggingPolicy = { name: 'softmax', temperature: 0.4, epsilon: 0 };

test('on uniform random logs IPW, SNIPW, DR, IIPS and RIPS centre on the true CTR; DM carries its model’s bias; 95% intervals cover about 95% (not RIPS’s)', () => {
  const reps = 300;
  const requests = 400;
  const mean = new Float64Array(ESTIMATORS.length);
  const sq = new Float64Array(ESTIMATORS.length);
  const covered = new Float64Array(ESTIMATORS.length);
  for (let s = 0; s < reps; s++) {
    const { est } = simulate(random, requests, s);
    est.forEach((x, e) => {
      mean[e] += x.value / reps;
      sq[e] += (x.value * x.value) / reps;
      if (Math.abs(x.value - truth) <= 1.96 * Math.sqrt(x.variance)) covered[e] += 1 / reps;
    });
  }
  const at = (name: string) => ESTIMATORS.indexOf(name as never);
  for (const e of ['ipw', 'snipw', 'dr', 'switch-dr', 'iips', 'sniips', 'rips']) {
    const i = at(e);
    const se = Math.sqrt((sq[i] - mean[i] * mean[i]) / reps);
    // Unbiased (the self-normalised ones to O(1/n)): within 3.5 standard errors of the mean estimate.
    assert.ok(Math.abs(mean[i] - truth) < 3.5 * se + 1e-4, `${e}: mean ${mean[i].toFixed(5)} vs true ${truth.toFixed(5)} (se ${se.toExponential(2)})`);
    // RIPS's prefix weights (up to 8·7·6 here) are too heavy-tailed for a normal interval at this size.
    if (e !== 'rips') assert.ok(covered[i] > 0.9 && covered[i] < 0.99, `${e}: coverage ${covered[i]}`);
  }
  // DM is 0.7× the truth: its interval (the model's noise only) almost never covers.
  assert.ok(Math.abs(mean[at('dm')] - 0.7 * truth) < 1e-9, `dm ${mean[at('dm')]}`);
  assert.ok(covered[at('dm')] < 0.05);
});

// DR's edge over IPW is small at click rates like these: the correction w(c − q̂) removes only the
// q̂-explained part of a Bernoulli click's second moment, about q of it (~10% at CTR 0.1).
test('a peaked softmax logger shrinks the effective sample size and inflates IPW’s error; DR’s error stays below IPW’s with the same weights', () => {
  const reps = 120;
  const requests = 400;
  const err = (policy: LoggingPolicy) => {
    let ipw = 0;
    let dr = 0;
    let ess = 0;
    for (let s = 0; s < reps; s++) {
      const { est, weights } = simulate(policy, requests, 10_000 + s);
      ipw += (est[ESTIMATORS.indexOf('ipw')].value - truth) ** 2 / reps;
      dr += (est[ESTIMATORS.indexOf('dr')].value - truth) ** 2 / reps;
      ess += weightDiagnostics(weights).ess / weights.length / reps;
    }
    return { ipw: Math.sqrt(ipw), dr: Math.sqrt(dr), ess };
  };
  const flat = err(random);
  const sharp = err(peaked);
  assert.ok(sharp.ess < 0.5 * flat.ess, `ESS share: random ${flat.ess.toFixed(3)}, peaked ${sharp.ess.toFixed(3)}`);
  assert.ok(sharp.ipw > 1.5 * flat.ipw, `IPW RMSE: random ${flat.ipw.toExponential(2)}, peaked ${sharp.ipw.toExponential(2)}`);
  assert.ok(sharp.dr < sharp.ipw && flat.dr < flat.ipw, `peaked: DR RMSE ${sharp.dr.toExponential(2)} vs IPW ${sharp.ipw.toExponential(2)}`);
});

test('the paired lift variance: an estimator against itself on the same logs has none; against another it matches the clusters’ spread', () => {
  const { sums } = simulate(random, 500, 1);
  const dr = sums[ESTIMATORS.indexOf('dr')];
  assert.ok(logRatioVariance(dr, dr) < 1e-20);
  const ipw = sums[ESTIMATORS.indexOf('ipw')];
  const v = logRatioVariance(dr, ipw);
  assert.ok(v > 0 && v < ratioEstimate(ipw).variance / ratioEstimate(ipw).value ** 2, `var ${v}`);
});

test("a ratio of clustered sums: Σ num / Σ den with the cluster-robust sandwich Σ(num − R·den)² / (Σ den)² · G/(G − 1), the A/B readout's delta method", () => {
  const num = Float64Array.from([1, 0, 3, 2, 0.5]);
  const den = Float64Array.from([4, 2, 9, 5, 3]);
  const R = 6.5 / 23;
  const e2 = Array.from(num).reduce((a, x, g) => a + (x - R * den[g]) ** 2, 0);
  const r = ratioEstimate({ num, den, clusters: 5 });
  assert.equal(r.value, 6.5 / 23);
  assert.ok(Math.abs(r.variance / ((e2 / 23 ** 2) * (5 / 4)) - 1) < 1e-12, `${r.variance}`);
  assert.ok(Number.isNaN(ratioEstimate({ num, den: new Float64Array(5), clusters: 5 }).value), 'no denominator, no estimate');
  const one = ratioEstimate({ num, den, clusters: 1 });
  assert.ok(one.value === 0.25 && Number.isNaN(one.variance), 'one cluster: an estimate without a variance');
  assert.equal(ratioEstimate({ num: Float64Array.from([1, 2, 3]), den: Float64Array.from([2, 4, 6]), clusters: 3 }).variance, 0, 'no spread around the ratio');
});
