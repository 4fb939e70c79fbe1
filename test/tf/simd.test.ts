// crossab's wasm SIMD kernels (src/tf/simd/) against tfjs's own wasm kernels doing the same
// arithmetic: identical bits. The reference for a transposed product or a sum over leading axes is
// tfjs's path without our kernels: an explicit transpose, then its plain product or innermost sum.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/tf/backend.js';
import { wasmHeap } from '../../src/tf/simd.js';

const data = (shape: number[], seed: number) =>
  tf.tensor(
    Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, k) => Math.sin(k * 0.37 + seed) * (1 + (k % 7))),
    shape,
  );
const same = (actual: tf.Tensor, expected: tf.Tensor, what: string) => {
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  const a = actual.dataSync();
  const e = expected.dataSync();
  const differing = a.filter((x, k) => !Object.is(x, e[k])).length;
  assert.equal(differing, 0, `${what}: ${differing} of ${a.length} values differ`);
};

test('Aᵀ·B by the SIMD kernel equals tfjs-wasm transposing A and multiplying, bit for bit', async () => {
  await selectBackend('wasm');
  assert.ok(wasmHeap(), 'the kernels load on wasm');
  // Tiles of 4 × 8 with every remainder: k mod 4, n mod 8 and mod 4, single rows and columns, batches.
  for (const [shapeA, shapeB] of [
    [
      [512, 91],
      [512, 64],
    ],
    [
      [512, 64],
      [512, 32],
    ],
    [
      [512, 16],
      [512, 1],
    ],
    [
      [37, 13],
      [37, 11],
    ],
    [
      [5, 3],
      [5, 6],
    ],
    [
      [1, 1],
      [1, 1],
    ],
    [
      [3, 33, 7],
      [3, 33, 12],
    ],
  ]) {
    tf.tidy(() => {
      const a = data(shapeA, 1);
      const b = data(shapeB, 2);
      const perm = [...shapeA.keys()];
      perm.push(perm.splice(perm.length - 2, 1)[0]);
      same(tf.matMul(a, b, true, false), tf.matMul(tf.transpose(a, perm), b), `${shapeA}ᵀ × ${shapeB}`);
    });
  }
});

test('sums over leading and middle axes by the SIMD kernel equal tfjs-wasm transposing them last and summing, bit for bit', async () => {
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
      if (keepDims)
        assert.deepEqual(
          actual.shape,
          shape.map((d, k) => (positive.includes(k) ? 1 : d)),
        );
    });
  }
});
