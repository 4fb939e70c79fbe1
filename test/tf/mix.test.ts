// The mix-of-experts kernels against tfjs's own stack, product and sum: the same values and the same
// gradients (gate and every expert) to the bit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/tf/backend.js';
import { mix } from '../../src/tf/mix.js';
import { bits, wave } from '../helpers/tensors.js';

const data = (shape: number[], seed: number) => wave(shape, seed, 0.43, 0.5, 3);

test('mix on wasm equals tfjs stack · gate summed over the experts, forward and gradients, bit for bit', async () => {
  await selectBackend('wasm');
  const before = tf.memory().numTensors;
  for (const [rows, n, h] of [
    [512, 4, 32],
    [512, 8, 32],
    [37, 3, 7],
    [1, 1, 1],
  ]) {
    tf.tidy(() => {
      const gate = tf.softmax(data([rows, n], 1)) as tf.Tensor2D;
      const es = Array.from({ length: n }, (_, k) => data([rows, h], 2 + k) as tf.Tensor2D);
      const r = data([rows, h], 99);
      const reference = (g: tf.Tensor, ...e: tf.Tensor[]) => tf.sum(tf.mul(tf.stack(e, 1), tf.expandDims(g, 2)), 1);
      const ours = (g: tf.Tensor, ...e: tf.Tensor[]) => mix(g as tf.Tensor2D, e as tf.Tensor2D[]);
      const what = `${rows} rows, ${n} experts of ${h}`;
      assert.deepEqual(bits(ours(gate, ...es)), bits(reference(gate, ...es)), `${what}: forward`);
      const loss =
        (f: (g: tf.Tensor, ...e: tf.Tensor[]) => tf.Tensor) =>
        (g: tf.Tensor, ...e: tf.Tensor[]) =>
          tf.sum(tf.mul(f(g, ...e), r));
      const g = tf.grads(loss(ours))([gate, ...es]);
      const e = tf.grads(loss(reference))([gate, ...es]);
      g.forEach((t, i) => assert.deepEqual(bits(t), bits(e[i]), `${what}: gradient ${i === 0 ? 'of the gate' : `of expert ${i - 1}`}`));
    });
  }
  assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
});
