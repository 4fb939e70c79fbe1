// crossab's wasm SIMD kernels (src/tf/simd/) against tfjs's own wasm kernels doing the same
// arithmetic: identical bits. The reference for a transposed product or a sum over leading axes is
// tfjs's path without our kernels: an explicit transpose, then its plain product or innermost sum.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/tf/backend.js';
import { wasmHeap } from '../../src/tf/simd.js';
import { wave } from '../helpers/tensors.js';

const data = (shape: number[], seed: number) => wave(shape, seed);
const same = (actual: tf.Tensor, expected: tf.Tensor, what: string) => {
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  const a = actual.dataSync();
  const e = expected.dataSync();
  const differing = a.filter((x, k) => !Object.is(x, e[k])).length;
  assert.equal(differing, 0, `${what}: ${differing} of ${a.length} values differ`);
};

test("products by the SIMD kernels (A·B, Aᵀ·B, A·Bᵀ, batched) equal tfjs-wasm's XNNPACK product of explicitly transposed operands, bit for bit", async () => {
  await selectBackend('wasm');
  assert.ok(wasmHeap(), 'the kernels load on wasm');
  // tfjs's own product: its fused kernel (XNNPACK, which crossab does not replace) with no bias.
  const last2 = (r: number) => [...Array(r - 2).keys(), r - 1, r - 2];
  const reference = (a: tf.Tensor, b: tf.Tensor, tA: boolean, tB: boolean) =>
    tf.fused.matMul({ a: (tA ? tf.transpose(a, last2(a.rank)) : a) as tf.Tensor2D, b: (tB ? tf.transpose(b, last2(b.rank)) : b) as tf.Tensor2D });
  // Tiles of 4 × 8 with every remainder: rows mod 4, columns mod 8 and mod 4, single rows and columns, batches.
  for (const [m, k, n, batch] of [
    [512, 91, 64, 0],
    [512, 64, 32, 0],
    [512, 16, 1, 0],
    [37, 13, 11, 0],
    [5, 3, 6, 0],
    [1, 1, 1, 0],
    [16, 32, 16, 3],
    [33, 7, 12, 2],
  ]) {
    for (const [tA, tB] of [
      [false, false],
      [true, false],
      [false, true],
    ]) {
      tf.tidy(() => {
        const lead = batch ? [batch] : [];
        const a = data([...lead, ...(tA ? [k, m] : [m, k])], 1);
        const b = data([...lead, ...(tB ? [n, k] : [k, n])], 2);
        same(tf.matMul(a, b, tA, tB), reference(a, b, tA, tB), `${a.shape}${tA ? 'ᵀ' : ''} × ${b.shape}${tB ? 'ᵀ' : ''}`);
      });
    }
  }
});

test('sums and means over leading and middle axes by the SIMD kernel equal tfjs-wasm transposing them last and reducing, bit for bit', async () => {
  await selectBackend('wasm');
  const cases: [number[], number[], boolean][] = [
    [[512, 64], [0], false],
    [[512, 3], [0], true],
    [[512, 4, 32], [1], false],
    [[6, 5, 4, 7], [1, 2], false],
    [[6, 5, 4, 7], [0, 1, 2], true],
    [[9, 1], [-2], false],
  ];
  // Every axis (no axis given) stays with tfjs's kernel, with its gradient.
  tf.tidy(() => {
    const x = data([8, 5], 4);
    same(tf.sum(x), tf.sum(tf.reshape(x, [-1])), 'sum of everything');
    same(tf.grad((v: tf.Tensor) => tf.sum(tf.relu(v)))(x), tf.step(x), 'gradient of a sum of everything');
  });
  for (const [shape, axes, keepDims] of cases) {
    tf.tidy(() => {
      const x = data(shape, 3);
      const r = shape.length;
      const positive = axes.map((a) => (a < 0 ? a + r : a));
      const rest = [...shape.keys()].filter((k) => !positive.includes(k));
      const moved = tf.transpose(x, [...rest, ...positive]);
      const innermost = positive.map((_, i) => rest.length + i);
      const expected = tf.sum(moved, innermost, false);
      const actual = tf.sum(x, axes, keepDims);
      same(keepDims ? tf.reshape(actual, expected.shape) : actual, expected, `sum of ${shape} over ${axes}`);
      const mean = tf.mean(x, axes, keepDims);
      same(keepDims ? tf.reshape(mean, expected.shape) : mean, tf.mean(moved, innermost, false), `mean of ${shape} over ${axes}`);
      if (keepDims)
        assert.deepEqual(
          actual.shape,
          shape.map((d, k) => (positive.includes(k) ? 1 : d)),
        );
    });
  }
});
