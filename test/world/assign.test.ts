// Arm assignment: a pure hash of (salt, user), stable per user and independent across salts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assignArm } from '../../src/world/assign.js';

test('assignment is stable per user and differs across salts', () => {
  const a = Array.from({ length: 1000 }, (_, u) => assignArm(1, u, [0.5, 0.5]));
  assert.deepEqual(
    a,
    Array.from({ length: 1000 }, (_, u) => assignArm(1, u, [0.5, 0.5])),
  );
  const b = Array.from({ length: 1000 }, (_, u) => assignArm(2, u, [0.5, 0.5]));
  const agree = a.filter((x, k) => x === b[k]).length;
  assert.ok(agree > 400 && agree < 600, `salts agree on ${agree}/1000`);
});
