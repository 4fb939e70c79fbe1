// One target's terms on the tiny world's logged test period, against their definitions: each logged
// row maps to its own candidate, the truth is the target's slate's, IPW and DR add up from the
// per-row weights, SIPS weighs only requests whose logged slate is the target's, and a random
// logger leaves nothing outside its support. No model: the targets rank by given scores.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { modelInputs, testCandidatesOf } from '../../src/data/inputs.js';
import { candidateTruth } from '../../src/data/candidate-truth.js';
import { positionCurve } from '../../src/data/slates.js';
import { ESTIMATORS } from '../../src/ope/estimators.js';
import { loggedTest, targetTerms } from '../../src/ope/terms.js';
import { scenario } from '../helpers/scenarios.js';

const p = modelInputs(scenario('tiny'), 7);
const tc = testCandidatesOf(p);
const w = p.world;
const t = loggedTest(w, tc);
const truth = candidateTruth(w, tc, tc.requests, tc.experience);
const bias = positionCurve([1, 0.5, 0.25]);
const E = ESTIMATORS.length;
const at = (e: string) => ESTIMATORS.indexOf(e as (typeof ESTIMATORS)[number]);

test("the logged test period: each logged row's candidate is its own item, rows follow their requests", () => {
  const rq = tc.requests;
  assert.equal(t.firstRow[rq.n], t.rows);
  for (let r = 0; r < rq.n; r++) {
    assert.equal(t.firstRow[r + 1] - t.firstRow[r], w.scenario.domains[rq.domain[r]].slate, `request ${r}`);
    for (let a = t.firstRow[r]; a < t.firstRow[r + 1]; a++) {
      const c = t.loggedCandidate[a];
      assert.ok(c >= rq.candStart[r] && c < rq.candStart[r + 1], 'a candidate of the same request');
      assert.equal(rq.candItems[c], w.logged.item[t.row0 + a]);
    }
  }
  assert.equal(t.fullSupport, true, 'the tiny world logs uniformly at random');
});

test('a target ranking by the truth: its true value is the best slate, online the position-weighted one; the weights add up to IPW, DR and SIPS', () => {
  const oracle = Float32Array.from(truth.click);
  const reward = new Float32Array(tc.n).fill(0.1);
  const x = targetTerms(t, oracle, reward, truth, bias);
  const rq = tc.requests;
  let slateMatches = 0;
  for (let r = 0; r < rq.n; r++) {
    const k = w.scenario.domains[rq.domain[r]].slate;
    const pool = Array.from({ length: rq.candStart[r + 1] - rq.candStart[r] }, (_, j) => truth.click[rq.candStart[r] + j]).sort((a, b) => b - a);
    const best = pool.slice(0, k);
    assert.ok(Math.abs(x.truth[r] - best.reduce((a, b) => a + b, 0)) < 1e-6, `request ${r}: the top-${k} true probabilities`);
    assert.ok(Math.abs(x.online[r] - best.reduce((a, b, j) => a + bias(j) * b, 0)) < 1e-6);
    assert.ok(Math.abs(x.dm[r] - 0.1 * k) < 1e-6, 'DM sums q̂ over the target slate');
    let ipw = 0;
    let residual = 0;
    for (let a = t.firstRow[r]; a < t.firstRow[r + 1]; a++) {
      const click = w.logged.click[t.row0 + a];
      ipw += x.itemWeight[a] * click;
      residual += x.residual[a];
      assert.ok(Math.abs(x.residual[a] - x.itemWeight[a] * (click - Math.fround(0.1))) < 1e-9, 'the DR correction is w (c − q̂)');
    }
    assert.ok(Math.abs(x.num[r * E + at('ipw')] - ipw) < 1e-9);
    assert.ok(Math.abs(x.num[r * E + at('dr')] - (x.dm[r] + residual)) < 1e-9);
    assert.equal(x.den[r * E + at('ipw')], k, 'IPW divides by the slate size');
    assert.ok(Math.abs(x.den[r * E + at('snipw')] - x.itemWeight.subarray(t.firstRow[r], t.firstRow[r + 1]).reduce((a, b) => a + b, 0)) < 1e-9);
    if (x.slateWeight[r] > 0) slateMatches++;
    assert.equal(x.missItem[r] + x.missPosition[r], 0, 'a random logger shows every slate');
  }
  // Matching a whole slate of k out of n candidates at random is rare, and not impossible.
  assert.ok(slateMatches < rq.n / 20, `${slateMatches} of ${rq.n} logged slates are the oracle's`);
});

test("a target ranking like the logger on a request shows its logged slate there: SIPS's weight is 1 / P(slate)", () => {
  // Scores that put each request's logged items first, in logged order.
  const scores = new Float32Array(tc.n);
  const rq = tc.requests;
  for (let r = 0; r < rq.n; r++) for (let a = t.firstRow[r]; a < t.firstRow[r + 1]; a++) scores[t.loggedCandidate[a]] = 10 - (a - t.firstRow[r]);
  const x = targetTerms(t, scores, scores, truth, bias);
  for (let r = 0; r < rq.n; r++) {
    const last = t.firstRow[r + 1] - 1;
    assert.ok(Math.abs(x.slateWeight[r] - 1 / t.propensity.cascade[last]) < 1e-9 * x.slateWeight[r], `request ${r}`);
    for (let a = t.firstRow[r]; a <= last; a++) assert.ok(Math.abs(x.posWeight[a] - 1 / t.propensity.itemPosition[a]) < 1e-9 * x.posWeight[a]);
  }
});
