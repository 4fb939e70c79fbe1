// Kendall's τ-b, the rank agreement the offline ↔ online consistency reports (its use on trained
// strategies is in evaluate.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kendallTauB } from '../../src/ope/consistency.js';

test('Kendall τ-b: 1 for the same order, −1 for the reverse, ties neither', () => {
  assert.equal(kendallTauB([1, 2, 3, 4], [10, 20, 30, 40]), 1);
  assert.equal(kendallTauB([1, 2, 3, 4], [4, 3, 2, 1]), -1);
  assert.ok(Math.abs(kendallTauB([1, 2, 2, 3], [1, 2, 3, 4]) - 5 / Math.sqrt(30)) < 1e-12);
});
