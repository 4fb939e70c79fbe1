import { test } from 'node:test';
import assert from 'node:assert/strict';
import seedrandom from 'seedrandom';
import { Discrete, stream, zipfWeights } from '../../src/world/rng.js';

test("a stream's uniforms are exactly seedrandom's Alea for the same key", () => {
  const ours = stream(7, 'abc');
  const theirs = seedrandom.alea('crossab:7:abc');
  for (let i = 0; i < 5000; i++) assert.equal(ours.next(), theirs());
});

test('normals() in bulk gives exactly what as many normal() calls give, whatever the offsets and a pending spare', () => {
  for (const [skip, from, to] of [
    [0, 0, 1000],
    [1, 0, 999],
    [3, 5, 6],
    [0, 2, 2],
    [2, 1, 2],
  ]) {
    const a = stream(3, 'normals');
    const b = stream(3, 'normals');
    for (let k = 0; k < skip; k++) assert.equal(a.normal(), b.normal());
    const out = new Float64Array(to + 1).fill(-99);
    a.normals(out, from, to);
    for (let j = from; j < to; j++) assert.equal(out[j], b.normal(), `skip ${skip}, index ${j}`);
    assert.equal(out[to], -99);
    if (from > 0) assert.equal(out[from - 1], -99);
    // The streams stay in step afterwards (spare and uniforms alike).
    for (let k = 0; k < 5; k++) assert.equal(a.normal(), b.normal());
    assert.equal(a.next(), b.next());
  }
});

/** The reference: the smallest index whose normalised cumulative weight exceeds u (binary search). */
function inverseCdf(weights: ArrayLike<number>, u: number): number {
  const cdf = new Float64Array(weights.length);
  let acc = 0;
  for (let i = 0; i < weights.length; i++) cdf[i] = acc += weights[i];
  for (let i = 0; i < cdf.length; i++) cdf[i] /= acc;
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cdf[mid] > u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

test("Discrete's guide table returns exactly the binary search's inverse-CDF index, at every bucket edge too", () => {
  const cases: [string, ArrayLike<number>][] = [
    ['zipf 2400', zipfWeights(2400, 0.9, stream(1, 'z'))],
    ['zipf 40000 (coarser table)', zipfWeights(40_000, 0.7, stream(2, 'z'))],
    ['with zeros', [0, 3, 0, 0, 1, 0, 2, 0]],
    ['one outcome', [5]],
    ['uniform', new Array(37).fill(1)],
    ['one heavy', [1e-9, 1, 1e-9, 1e-12]],
  ];
  for (const [name, w] of cases) {
    const d = new Discrete(w);
    const cdfs: number[] = [];
    let acc = 0;
    for (let i = 0; i < w.length; i++) cdfs.push((acc += w[i]));
    const us: number[] = [0, 1 - 2 ** -32];
    // Uniforms on and next to every CDF value and every bucket edge (4 or 16 buckets per outcome).
    for (const c of cdfs) for (const e of [-1e-15, 0, 1e-15]) us.push(Math.min(Math.max(c / acc + e, 0), 1 - 2 ** -32));
    const G = (w.length <= 8192 ? 16 : 4) * w.length;
    for (let j = 0; j < Math.min(G, 20_000); j++) for (const e of [-1e-15, 0, 1e-15]) us.push(Math.min(Math.max(j / G + e, 0), 1 - 2 ** -32));
    const rng = stream(9, name);
    for (let k = 0; k < 20_000; k++) us.push(rng.next());
    for (const u of us) {
      const fixed = { next: () => u, normal: () => 0, int: () => 0, normals: () => {} };
      assert.equal(d.sample(fixed), inverseCdf(w, u), `${name}: u = ${u}`);
    }
  }
});

test('Discrete.distinct draws distinct outcomes, in draw order, and stops after maxTries', () => {
  const d = new Discrete([8, 1, 1]);
  const mark = new Int32Array(3).fill(-1);
  const out = new Int32Array(10).fill(-1);
  const a = stream(4, 'distinct');
  const b = stream(4, 'distinct');
  const got = d.distinct(a, 3, 1000, mark, 0, Int32Array.of(0, 1, 2), out, 2);
  assert.equal(got, 3);
  assert.deepEqual([...out.slice(2, 5)].sort(), [0, 1, 2]);
  // The same order a plain rejection loop produces from the same stream.
  const seen = new Set<number>();
  const ref: number[] = [];
  while (ref.length < 3) {
    const i = d.sample(b);
    if (!seen.has(i)) {
      seen.add(i);
      ref.push(i);
    }
  }
  assert.deepEqual([...out.slice(2, 5)], ref);
  // Outcomes are written as their ids.
  const viaIds = new Int32Array(3);
  d.distinct(stream(4, 'distinct'), 3, 1000, new Int32Array(3).fill(-1), 0, Int32Array.of(70, 71, 72), viaIds, 0);
  assert.deepEqual(
    [...viaIds],
    ref.map((i) => 70 + i),
  );
  assert.equal(out[1], -1);
  assert.equal(out[5], -1);
  // Outcome 2 of weight 0 can never be drawn: the tries run out.
  const z = new Discrete([1, 1, 0]);
  assert.equal(z.distinct(stream(5, 'x'), 3, 200, new Int32Array(3).fill(-1), 7, Int32Array.of(10, 11, 12), new Int32Array(3), 0), 2);
});
