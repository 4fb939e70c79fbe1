// Per-user capping: the cap is R's type-7 quantile of the users' positive impressions, and a user
// above it keeps their own CTR at a bounded weight.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cappedWeight, positiveQuantile } from '../../src/abtest/capping.js';

test("the cap is R's quantile(x, q) (type 7) over the users who were there; zeros are users who were not", () => {
  // R: quantile(c(1, 2, 3, 4, 100), 0.9) = 61.6; quantile(1:10, 0.99) = 9.91; quantile(c(5), 0.99) = 5.
  assert.ok(Math.abs(positiveQuantile([1, 2, 0, 3, 4, 100, 0], 0.9) - 61.6) < 1e-12);
  assert.ok(
    Math.abs(
      positiveQuantile(
        Float64Array.from({ length: 10 }, (_, k) => k + 1),
        0.99,
      ) - 9.91,
    ) < 1e-12,
  );
  assert.equal(positiveQuantile([0, 5, 0], 0.99), 5);
  assert.equal(positiveQuantile([0, 0], 0.99), 0);
  assert.equal(positiveQuantile([3, 1, 2], 1), 3);
});

test('a user above the cap counts at the cap, their clicks scaled alike (their CTR kept); below it, unchanged', () => {
  assert.equal(cappedWeight(400, 50), 0.125);
  assert.equal(400 * cappedWeight(400, 50), 50);
  assert.equal(cappedWeight(30, 50), 1);
  assert.equal(cappedWeight(50, 50), 1);
  assert.equal(cappedWeight(10, 0), 1, 'no cap where no one was');
});
