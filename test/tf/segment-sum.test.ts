// UnsortedSegmentSum, crossab's kernel on cpu and wasm: each segment the sum of its rows, in row
// order, ids out of range dropped; the embedding gradient through it equals a sum by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/tf/backend.js';
import { segmentSumInto } from '../../src/tf/segment-sum.js';

test('segmentSumInto: out[ids[r]] += x[r] row by row, at the given offsets; ids outside [0, segments) dropped; the rest of out zeroed', () => {
  const x = Float32Array.from([9, 9, 1, 2, 3, 4, 5, 6, 7, 8]);
  const ids = Int32Array.from([-1, 2, 0, 2, 5]);
  const out = new Float32Array(8).fill(-1);
  // x from element 2: rows [1,2] [3,4] [5,6] [7,8]; ids from element 1: 2, 0, 2, 5; out from element 1, three segments of two.
  segmentSumInto(x, 2, ids, 1, 4, 2, 3, out, 1);
  assert.deepEqual(Array.from(out), [-1, 3, 4, 0, 0, 1 + 5, 2 + 6, -1]);
});

for (const backend of ['cpu', 'wasm'] as const)
  test(`on ${backend}: tf.unsortedSegmentSum and the gradient of an embedding lookup are sums by hand`, async () => {
    await selectBackend(backend);
    const rows = 300;
    const width = 7;
    const segments = 40;
    const xv = Float32Array.from({ length: rows * width }, (_, i) => Math.fround(Math.sin(i) * 3));
    const idv = Int32Array.from({ length: rows }, (_, r) => (r * 17) % segments);
    const want = new Float32Array(segments * width);
    for (let r = 0; r < rows; r++) for (let c = 0; c < width; c++) want[idv[r] * width + c] = Math.fround(want[idv[r] * width + c] + xv[r * width + c]);
    const got = tf.tidy(() => tf.unsortedSegmentSum(tf.tensor2d(xv, [rows, width]), tf.tensor1d(idv, 'int32'), segments).dataSync());
    assert.deepEqual(Array.from(got), Array.from(want));
    // d(Σ gather(E, ids) ⊙ x)/dE: each table row receives the sum of the x rows that looked it up.
    const table = tf.variable(tf.zeros([segments, width]));
    const grad = tf.tidy(() => {
      const g = tf.grad((e: tf.Tensor) => tf.sum(tf.mul(tf.gather(e, tf.tensor1d(idv, 'int32')), tf.tensor2d(xv, [rows, width]))));
      return g(table).dataSync();
    });
    table.dispose();
    assert.deepEqual(Array.from(grad), Array.from(want));
  });
