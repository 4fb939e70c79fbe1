// A world's model inputs: every logged impression in exactly one period, candidates built once and
// kept, the test period's candidate pools lined up with its requests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { candidatesOf, modelInputs, testCandidatesOf } from '../../src/data/inputs.js';
import { scenario } from '../helpers/scenarios.js';

test('the train, valid and test rows partition the logged impressions in time order, and candidates are built once', () => {
  const p = modelInputs(scenario('tiny'), 4);
  const { train, valid, test: held } = p.split;
  assert.ok(train.length > 0 && valid.length > 0 && held.length > 0);
  const all = [...train, ...valid, ...held].sort((a, b) => a - b);
  assert.deepEqual(
    all,
    Array.from({ length: p.ds.n }, (_, i) => i),
    'each logged row in exactly one period',
  );
  assert.ok(Math.max(...train) < Math.min(...valid) && Math.max(...valid) < Math.min(...held), 'periods follow each other in time');
  assert.equal(candidatesOf(p), candidatesOf(p), 'built on first use and kept');
  const t = testCandidatesOf(p);
  assert.equal(testCandidatesOf(p), t);
  assert.equal(t.from, p.world.timeline.validEnd);
  assert.equal(t.experience.length, p.world.timeline.testEnd - p.world.timeline.validEnd);
  assert.ok(t.n > held.length, 'every candidate of the test requests, more than the slates that were shown');
});
