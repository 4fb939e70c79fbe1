import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addUser, emptyRatio } from '../../src/util/ratio-sums.js';

test('ratio sums: one unit per addUser, with the sums, squares and cross-products the delta method reads', () => {
  const r = emptyRatio();
  assert.deepEqual(r, { users: 0, sumX: 0, sumY: 0, sumXX: 0, sumYY: 0, sumXY: 0 });
  addUser(r, 2, 5);
  addUser(r, 0, 3);
  addUser(r, 1, 1);
  assert.deepEqual(r, { users: 3, sumX: 3, sumY: 9, sumXX: 5, sumYY: 35, sumXY: 11 });
  assert.notEqual(emptyRatio(), emptyRatio(), 'a fresh object each time');
});
