// Deterministic test tensors and an exact reading of their values, for the kernel tests.
import * as tf from '@tensorflow/tfjs-core';

/** A float32 tensor of a fixed wave: sin(k · step + seed) · (base + k mod period), varied in sign and size. */
export function wave(shape: number[], seed: number, step = 0.37, base = 1, period = 7): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: n }, (_, k) => Math.sin(k * step + seed) * (base + (k % period))),
    shape,
  );
}

/** The values, with −0 told apart from 0 (deepEqual of numbers would not). */
export function bits(t: tf.Tensor): (number | '-0')[] {
  return Array.from(t.dataSync(), (x) => (Object.is(x, -0) ? '-0' : x));
}
