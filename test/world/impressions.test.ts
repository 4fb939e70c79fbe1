// Rows by period and users by segment, on impressions built by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { periodRows, segmentUsers, type Impressions } from '../../src/world/impressions.js';

// Eight impressions of users 0–4: periods train (0), valid (1), test (2).
const imp = {
  n: 8,
  period: Uint8Array.from([0, 0, 0, 1, 0, 2, 0, 2]),
  user: Int32Array.from([0, 0, 0, 1, 1, 2, 3, 4]),
} as unknown as Impressions;

test('periodRows: the rows of a period, in row order', () => {
  assert.deepEqual(Array.from(periodRows(imp, 'train')), [0, 1, 2, 4, 6]);
  assert.deepEqual(Array.from(periodRows(imp, 'valid')), [3]);
  assert.deepEqual(Array.from(periodRows(imp, 'test')), [5, 7]);
});

test('segmentUsers: training impressions per user; heavy the most active share of users with any, cold those with none, tail the rest', () => {
  const { userSegment, userTrainCount } = segmentUsers(imp, 6, 0.34);
  assert.deepEqual(Array.from(userTrainCount), [3, 1, 0, 1, 0, 0]);
  // Three users trained (3, 1, 1 impressions): round(0.34 × 3) = 1 heavy, at or above the top count.
  assert.deepEqual(Array.from(userSegment), [0, 1, 2, 1, 2, 2]);
  // Ties at the threshold are all heavy: 0.67 × 3 rounds to 2, and the second count (1) is shared.
  assert.deepEqual(Array.from(segmentUsers(imp, 6, 0.67).userSegment), [0, 0, 2, 0, 2, 2]);
});
