// The embedding kernels against tfjs's gather, masked product and concat: the same values and the
// same table gradient to the bit, with repeated ids, masked fields and no numeric fields.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/tf/backend.js';
import { embed } from '../../src/tf/embed.js';
import type { Batch } from '../../src/data/dataset.js';
import { bits } from '../helpers/tensors.js';

test('embed on wasm equals tfjs gather · mask ++ numbers, forward and table gradient, bit for bit', async () => {
  await selectBackend('wasm');
  const before = tf.memory().numTensors;
  for (const [rows, fc, fn, dim, tableRows] of [
    [512, 11, 3, 8, 4515],
    [37, 3, 0, 5, 7],
    [1, 1, 2, 1, 1],
  ]) {
    tf.tidy(() => {
      const table = tf.tensor2d(
        Float32Array.from({ length: tableRows * dim }, (_, k) => Math.sin(k * 0.7) * 0.3),
        [tableRows, dim],
      );
      // Ids repeat (so the gradient sums several rows into one) and some fields are masked.
      const b = {
        size: rows,
        cat: tf.tensor2d(
          Int32Array.from({ length: rows * fc }, (_, k) => (k * 7919) % tableRows),
          [rows, fc],
          'int32',
        ),
        catMask: tf.tensor2d(
          Float32Array.from({ length: rows * fc }, (_, k) => (k % 5 === 2 ? 0 : 1)),
          [rows, fc],
        ),
        num: tf.tensor2d(
          Float32Array.from({ length: rows * fn }, (_, k) => Math.cos(k) * 2),
          [rows, fn],
        ),
      } as unknown as Batch;
      const reference = (t: tf.Tensor) => {
        const flat = tf.reshape(tf.mul(tf.gather(t, b.cat), tf.expandDims(b.catMask, 2)), [rows, fc * dim]);
        return fn > 0 ? tf.concat([flat, b.num], 1) : flat;
      };
      const ours = (t: tf.Tensor) => embed(t as tf.Tensor2D, b, fc, fn, dim);
      const what = `${rows} rows × ${fc} fields of ${dim} + ${fn} numbers`;
      assert.deepEqual(bits(ours(table)), bits(reference(table)), `${what}: forward`);
      const r = tf.tensor2d(
        Float32Array.from({ length: rows * (fc * dim + fn) }, (_, k) => Math.sin(k * 1.3) - 0.2),
        [rows, fc * dim + fn],
      );
      const loss = (f: (t: tf.Tensor) => tf.Tensor) => (t: tf.Tensor) => tf.sum(tf.mul(f(t), r));
      assert.deepEqual(bits(tf.grad(loss(ours))(table)), bits(tf.grad(loss(reference))(table)), `${what}: table gradient`);
    });
  }
  assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
});
