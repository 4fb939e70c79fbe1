// The one formula every served candidate is scored by agrees with the one the logs were drawn from:
// on the logged test requests, a candidate that the logger showed has the click and conversion
// probabilities its logged row carries (calibrated bias + raw logits, through the sigmoid).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { modelInputs, testCandidatesOf } from '../../src/data/inputs.js';
import { candidateTruth, trueProbabilities } from '../../src/data/candidate-truth.js';
import { scenario } from '../helpers/scenarios.js';

test("a shown candidate's true probabilities are its logged row's; one candidate alone gives the same as the whole pass", () => {
  const p = modelInputs(scenario('tiny'), 7);
  const w = p.world;
  const tc = testCandidatesOf(p);
  const truth = candidateTruth(w, tc, tc.requests, tc.experience);
  const rq = tc.requests;
  let checked = 0;
  for (let r = 0; r < rq.n; r++) {
    for (let a = w.loggedRow[tc.from + r]; a < w.loggedRow[tc.from + r + 1]; a++) {
      const item = w.logged.item[a];
      let c = rq.candStart[r];
      while (rq.candItems[c] !== item) c++;
      // The test candidates are laid out request by request, candidate by candidate.
      assert.equal(tc.item[c], item);
      assert.ok(Math.abs(truth.click[c] - w.logged.pClick[a]) <= 1e-6 * w.logged.pClick[a], `row ${a}: ${truth.click[c]} vs ${w.logged.pClick[a]}`);
      assert.ok(Math.abs(truth.conv[c] - w.logged.pConv[a]) <= 1e-6 * w.logged.pConv[a]);
      checked++;
    }
  }
  assert.ok(checked > 500, `${checked} logged rows checked`);
  const out = new Float32Array(2);
  trueProbabilities(w, rq, tc.experience, 3, tc.item[rq.candStart[3] + 1], out, 0);
  assert.deepEqual([out[0], out[1]], [truth.click[rq.candStart[3] + 1], truth.conv[rq.candStart[3] + 1]]);
});
