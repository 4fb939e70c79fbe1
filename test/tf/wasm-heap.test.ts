// The wasm backend's heap as crossab's kernels read it: a tensor's 32-bit element offset into a
// float32 or int32 view of the same memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/tf/backend.js';
import { at32, heap32, is32, type WasmBackend } from '../../src/tf/wasm-heap.js';

test("a tensor's values are at at32 in heap32's view of its dtype; only float32 and int32 are 32-bit", async () => {
  await selectBackend('wasm');
  const be = tf.backend() as unknown as WasmBackend;
  const f = tf.tensor1d([1.5, -2, 3.25]);
  const i = tf.tensor1d([7, -8, 9, 10], 'int32');
  try {
    const fv = heap32(be, 'float32');
    const iv = heap32(be, 'int32');
    assert.ok(fv instanceof Float32Array && iv instanceof Int32Array);
    assert.equal(fv.buffer, iv.buffer, 'one memory, two views');
    assert.deepEqual(Array.from(fv.subarray(at32(be, f), at32(be, f) + 3)), [1.5, -2, 3.25]);
    assert.deepEqual(Array.from(iv.subarray(at32(be, i), at32(be, i) + 4)), [7, -8, 9, 10]);
    assert.deepEqual((['float32', 'int32', 'bool', 'complex64', 'string'] as const).map(is32), [true, true, false, false, false]);
  } finally {
    f.dispose();
    i.dispose();
  }
});
