// Suggestions for mistyped names: the closest by edit distance, only when close enough to be a typo.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closest, didYouMean, editDistance } from '../../src/util/did-you-mean.js';

test('edit distance counts insertions, deletions, substitutions and adjacent swaps', () => {
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(editDistance('seed', 'seed'), 0);
  assert.equal(editDistance('sed', 'seed'), 1);
  assert.equal(editDistance('stra', 'star'), 1);
});

test('the closest name is offered only when it could be a typo (a third of the letters, at least one)', () => {
  assert.equal(closest('sed', ['seed', 'salt', 'db']), 'seed');
  assert.equal(closest('mmoee', ['mmoe', 'omoe', 'ple']), 'mmoe');
  assert.equal(closest('SEPARATE', ['separate']), 'separate');
  assert.equal(closest('xgboost', ['mmoe', 'ple', 'star']), null);
  assert.equal(closest('x', ['db']), null);
  assert.equal(didYouMean('sed', ['seed'], '--'), " (did you mean '--seed'?)");
  assert.equal(didYouMean('zzz', ['seed']), '');
});
