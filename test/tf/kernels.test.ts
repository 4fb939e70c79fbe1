// crossab's own wasm kernels against tfjs's cpu kernels: identical values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend, type BackendName } from '../../src/tf/backend.js';

test("crossab's wasm copy kernels (slice, split, unstack, concat, stack, tile, gather) give tfjs cpu's values exactly", async () => {
  // Each case: a function of one float32 and one int32 input, run on cpu (reference) and wasm.
  const cases: [string, (f: tf.Tensor, i: tf.Tensor) => tf.Tensor | tf.Tensor[]][] = [
    ['slice 1-d', (f) => tf.slice(tf.reshape(f, [-1]), [7], [100])],
    ['slice 1-d, numbers (tfjs kernel)', (f) => tf.slice(tf.reshape(f, [-1]), 7, 100)],
    ['slice with a short begin (tfjs kernel)', (f) => tf.slice(f, [1], [2])],
    ['slice 2-d columns', (f) => tf.slice(tf.reshape(f, [24, 60]), [3, 5], [10, 40])],
    ['slice 2-d rows (contiguous)', (f) => tf.slice(tf.reshape(f, [24, 60]), [4, 0], [5, -1])],
    ['slice 3-d', (f) => tf.slice(f, [1, 2, 3], [2, 3, 4])],
    ['slice 4-d', (f) => tf.slice(tf.reshape(f, [2, 3, 4, 60]), [1, 1, 2, 10], [1, 2, 2, 37])],
    ['slice int32', (_, i) => tf.slice(i, [1, 2], [3, 5])],
    ['split equal, axis 1', (f) => tf.split(tf.reshape(f, [24, 60]), 4, 1)],
    ['split sizes with -1, axis 2', (f) => tf.split(f, [2, 3, -1], 2)],
    ['split axis 0', (f) => tf.split(f, [1, 3], 0)],
    ['unstack axis 1', (f) => tf.unstack(f, 1)],
    ['unstack axis -1', (_, i) => tf.unstack(i, -1)],
    ['gather rows by a 2-d index', (f, i) => tf.gather(tf.reshape(f, [48, 30]), i)],
    ['gather wide rows', (f, i) => tf.gather(tf.reshape(f, [48, 30]), tf.reshape(i, [-1]))],
    ['gather int32 rows', (_, i) => tf.gather(tf.reshape(i, [8, 5]), tf.tensor1d([7, 0, 3, 3], 'int32'))],
    ['concat axis 1 (runs of different widths)', (f) => tf.concat([tf.reshape(f, [24, 60]), tf.slice(tf.reshape(f, [24, 60]), [0, 0], [24, 7])], 1)],
    ['concat axis 0', (f) => tf.concat([f, tf.slice(f, [1, 0, 0], [2, 6, 60])], 0)],
    [
      'concat axis 2 of three, int32',
      (_, i) => tf.concat([tf.reshape(i, [4, 2, 5]), tf.reshape(i, [4, 2, 5]), tf.slice(tf.reshape(i, [4, 2, 5]), [0, 0, 1], [4, 2, 3])], 2),
    ],
    ['stack axis 1', (f) => tf.stack(tf.unstack(f, 0), 1)],
    ['stack axis 0 and -1', (f) => [tf.stack([f, f], 0), tf.stack([f, f, f], -1)]],
    ['gather axis 1 (tfjs kernel)', (f) => tf.gather(f, tf.tensor1d([2, 0], 'int32'), 1)],
    ['tile a leading axis (maml tower copies)', (f) => tf.tile(tf.expandDims(tf.slice(f, [0, 0, 0], [1, 6, 60]), 0), [5, 1, 1, 1])],
    ['tile every axis, narrow rows', (f) => tf.tile(tf.slice(f, [0, 0, 0], [2, 3, 4]), [2, 3, 4])],
    ['tile int32, 1-d', (_, i) => tf.tile(tf.reshape(i, [-1]), [3])],
    ['neg (SIMD)', (f) => tf.neg(f)],
    ['+ − × ÷ of one shape (SIMD)', (f) => [tf.add(f, tf.reverse(f)), tf.sub(f, tf.reverse(f)), tf.mul(f, tf.reverse(f)), tf.div(f, tf.add(tf.reverse(f), 3))]],
    [
      '+ − × ÷ with a row repeated, either side (SIMD)',
      (f) => {
        const row = tf.add(tf.slice(f, [0, 0, 0], [1, 1, 60]).reshape([60]), 2);
        return [tf.add(f, row), tf.sub(row, f), tf.mul(f, row), tf.div(row, tf.add(f, 9)), tf.div(f, row)];
      },
    ],
    ['+ − × ÷ with a scalar, either side (SIMD)', (f) => [tf.add(f, 0.3), tf.sub(0.3, f), tf.mul(f, -1.7), tf.div(2, tf.add(f, 5)), tf.div(f, 7)]],
    ['× broadcast along a middle axis (tfjs kernel)', (f) => tf.mul(f, tf.slice(f, [0, 0, 0], [4, 1, 60]))],
  ];
  const run = async (backend: BackendName) => {
    await selectBackend(backend);
    const f = tf.tensor3d(
      Float32Array.from({ length: 4 * 6 * 60 }, (_, k) => Math.sin(k * 1.7)),
      [4, 6, 60],
    );
    const i = tf.tensor2d(
      Int32Array.from({ length: 40 }, (_, k) => (k * 13) % 48),
      [4, 10],
      'int32',
    );
    const out = cases.map(([, fn]) => [fn(f, i)].flat().map((t) => ({ shape: t.shape, values: Array.from(t.dataSync()) })));
    const outOfRange = (() => {
      try {
        tf.gather(tf.reshape(f, [48, 30]), tf.tensor1d([48], 'int32')).dataSync();
        return 'no error';
      } catch (e) {
        return String(e);
      }
    })();
    tf.disposeVariables();
    return { out, outOfRange };
  };
  const cpu = await run('cpu');
  const wasm = await run('wasm');
  for (const k of [tf.Slice, tf.SplitV, tf.Unpack, tf.Concat, tf.Pack, tf.GatherV2])
    assert.ok((tf.getKernel(k, 'wasm') as { crossabWrapped?: boolean }).crossabWrapped, `${k} is crossab's`);
  cases.forEach(([name], k) => assert.deepEqual(wasm.out[k], cpu.out[k], name));
  assert.match(wasm.outOfRange, /index value 48 is not in \[0, 47\]/);
});

test('on wasm a clone shares its source’s memory instead of copying it, and keeps its values when the source is disposed or a variable is assigned anew', async () => {
  await selectBackend('wasm');
  const be = tf.backend() as unknown as { dataIdMap: { get(id: object): { memoryOffset: number } } };
  const a = tf.tensor2d([
    [1, 2],
    [3, 4],
  ]);
  const b = tf.clone(a);
  assert.equal(be.dataIdMap.get(b.dataId).memoryOffset, be.dataIdMap.get(a.dataId).memoryOffset, 'one buffer');
  a.dispose();
  assert.deepEqual(Array.from(b.dataSync()), [1, 2, 3, 4]);
  const v = tf.variable(tf.tensor1d([5, 6]));
  const kept = tf.clone(v);
  v.assign(tf.tensor1d([7, 8]));
  assert.deepEqual(Array.from(kept.dataSync()), [5, 6], "a variable's assign gives it new memory; the clone keeps the old");
  assert.deepEqual(Array.from(v.dataSync()), [7, 8]);
  tf.dispose([b, v, kept]);
});
