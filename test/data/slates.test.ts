import { test } from 'node:test';
import assert from 'node:assert/strict';
import { positionCurve, rankSlates } from '../../src/data/slates.js';
import type { Requests } from '../../src/world/traffic.js';

test('rankSlates: each request shows its domain-sized top by score, ties in candidate order; positionCurve holds its last value', () => {
  // Two requests: domain 0 (slate 2) over candidates 0–3, domain 1 (slate 1) over candidates 4–6.
  const rq = { n: 2, domain: Uint8Array.from([0, 1]), candStart: Int32Array.from([0, 4, 7]) } as unknown as Requests;
  const sl = rankSlates(rq, [2, 1], Float32Array.from([0.1, 0.5, 0.5, 0.9, 0.3, 0.2, 0.3]));
  assert.deepEqual(Array.from(sl.start), [0, 2, 3]);
  assert.deepEqual(Array.from(sl.cand), [3, 1, 4]);
  const curve = positionCurve([1, 0.5, 0.25]);
  assert.deepEqual([0, 1, 2, 5].map(curve), [1, 0.5, 0.25, 0.25]);
  assert.equal(positionCurve(null)(3), 1);
});
