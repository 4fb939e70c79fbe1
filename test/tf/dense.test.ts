// The dense layer's (and dense bank's) wasm kernels against tfjs's own fused matMul: the same values and the same
// gradients to the bit, for ReLU and linear layers, inside and outside a gradient tape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/tf/backend.js';
import { dense, denseBank, type Activation } from '../../src/tf/dense.js';
import { bits, wave } from '../helpers/tensors.js';

const data = (shape: number[], seed: number) => wave(shape, seed, 0.61, 0.5, 5);
// Bit for bit is the exact build's promise (the fused one rounds once: simd.test.ts); read when the kernels first load.
process.env.CROSSAB_FMA = '0';

test('dense on wasm equals tfjs fused matMul, forward and gradients, bit for bit', async () => {
  await selectBackend('wasm');
  const before = tf.memory().numTensors;
  for (const [rows, k, n] of [
    [512, 91, 64],
    [512, 64, 32],
    [512, 16, 1],
    [37, 13, 11],
    [3, 5, 6],
  ]) {
    for (const activation of ['relu', 'linear'] as Activation[]) {
      tf.tidy(() => {
        const x = data([rows, k], 1) as tf.Tensor2D;
        const w = data([k, n], 2) as tf.Tensor2D;
        const b = data([n], 3) as tf.Tensor1D;
        const r = data([rows, n], 4);
        const what = `${rows}×${k}·${k}×${n} ${activation}`;
        const reference = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.fused.matMul({ a: x as tf.Tensor2D, b: w as tf.Tensor2D, bias: b, activation });
        const ours = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => dense(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D, activation);
        // Outside a tape tfjs fuses (the bias starts the sum); inside one, a ReLU layer is unfused.
        assert.deepEqual(bits(ours(x, w, b)), bits(reference(x, w, b)), `${what}: forward`);
        const loss = (f: (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor) => (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.mul(f(x, w, b), r));
        const g = tf.grads(loss(ours))([x, w, b]);
        const e = tf.grads(loss(reference))([x, w, b]);
        ['dx', 'dW', 'db'].forEach((name, i) => {
          assert.deepEqual(g[i].shape, e[i].shape, `${what}: ${name} shape`);
          assert.deepEqual(bits(g[i]), bits(e[i]), `${what}: ${name}`);
        });
        const inTape = tf.grad((x: tf.Tensor) => {
          const y = ours(x, w, b);
          const z = reference(x, w, b);
          assert.deepEqual(bits(y), bits(z), `${what}: forward under a tape`);
          return tf.sum(y);
        });
        inTape(x);
      });
    }
  }
  assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
});

test('a dense bank on wasm equals tfjs fused matMul of the weights side by side, split, forward and every gradient, bit for bit', async () => {
  await selectBackend('wasm');
  const before = tf.memory().numTensors;
  for (const [rows, k, widths] of [
    [512, 91, [64, 64, 64, 64, 64, 64, 64, 64]],
    [37, 13, [5, 11, 8]],
  ] as [number, number, number[]][]) {
    for (const activation of ['relu', 'linear'] as Activation[]) {
      tf.tidy(() => {
        const x = data([rows, k], 1) as tf.Tensor2D;
        const ws = widths.map((h, i) => data([k, h], 10 + i) as tf.Tensor2D);
        const bs = widths.map((h, i) => data([h], 20 + i) as tf.Tensor1D);
        const rs = widths.map((h, i) => data([rows, h], 30 + i));
        const n = widths.length;
        const reference = (x: tf.Tensor, ...p: tf.Tensor[]) =>
          tf.split(tf.fused.matMul({ a: x as tf.Tensor2D, b: tf.concat(p.slice(0, n), 1) as tf.Tensor2D, bias: tf.concat(p.slice(n)), activation }), widths, 1);
        const ours = (x: tf.Tensor, ...p: tf.Tensor[]) => denseBank(x as tf.Tensor2D, p.slice(0, n) as tf.Tensor2D[], p.slice(n) as tf.Tensor1D[], activation);
        const what = `${rows}×${k} into ${widths} ${activation}`;
        ours(x, ...ws, ...bs).forEach((y, i) => assert.deepEqual(bits(y), bits(reference(x, ...ws, ...bs)[i]), `${what}: output ${i}`));
        // Under a tape, with one layer's output unused (its gradient is zero).
        const loss =
          (f: (x: tf.Tensor, ...p: tf.Tensor[]) => tf.Tensor[]) =>
          (x: tf.Tensor, ...p: tf.Tensor[]) =>
            tf.addN(f(x, ...p).map((y, i) => (i === 1 ? tf.scalar(0) : tf.sum(tf.mul(y, rs[i])))));
        const g = tf.grads(loss(ours))([x, ...ws, ...bs]);
        const e = tf.grads(loss(reference))([x, ...ws, ...bs]);
        g.forEach((t, i) => assert.deepEqual(bits(t), bits(e[i]), `${what}: gradient ${i}`));
      });
    }
  }
  assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
});
