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

test('rankSlates picks the top k a stable sort by score would, over 2,000 pools with many ties', () => {
  let seed = 1;
  const next = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  const n = 2000;
  const candStart = Int32Array.from({ length: n + 1 }, (_, r) => r * 9);
  const domain = Uint8Array.from({ length: n }, (_, r) => r % 3);
  // Scores from 6 levels, so most pools hold ties.
  const scores = Float32Array.from({ length: n * 9 }, () => Math.floor(next() * 6) / 6);
  const slateOf = [1, 4, 9];
  const sl = rankSlates({ n, domain, candStart } as unknown as Requests, slateOf, scores);
  for (let r = 0; r < n; r++) {
    const idx = Array.from({ length: 9 }, (_, j) => candStart[r] + j).sort((a, b) => scores[b] - scores[a] || a - b);
    assert.deepEqual(Array.from(sl.cand.subarray(sl.start[r], sl.start[r + 1])), idx.slice(0, slateOf[domain[r]]));
  }
});
