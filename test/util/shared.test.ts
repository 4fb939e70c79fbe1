import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { shareArrays } from '../../src/util/shared.js';

test('shareArrays moves every typed array reachable through plain objects and arrays into shared memory, once per array, values unchanged', () => {
  const a = Float32Array.from([1.5, -2, 3]);
  const view = new Int32Array(new ArrayBuffer(16), 4, 2);
  view.set([7, 8]);
  class Opaque {
    x = new Uint8Array(2);
  }
  const opaque = new Opaque();
  const root = { a, twice: [a, { again: a }], view, n: 3, s: 'x', nested: { list: [Uint8Array.from([9])] }, opaque, none: null };
  assert.equal(shareArrays(root), root);
  assert.ok(root.a.buffer instanceof SharedArrayBuffer);
  assert.deepEqual(Array.from(root.a), [1.5, -2, 3]);
  // The same array reached three ways is one shared copy.
  assert.equal(root.twice[0], root.a);
  assert.equal((root.twice[1] as { again: Float32Array }).again, root.a);
  // A view is copied as its own elements only.
  assert.ok(root.view.buffer instanceof SharedArrayBuffer);
  assert.deepEqual(Array.from(root.view), [7, 8]);
  assert.equal(root.view.byteLength, 8);
  assert.ok(root.nested.list[0].buffer instanceof SharedArrayBuffer);
  // Class instances are left alone: only plain data is walked.
  assert.ok(!(root.opaque.x.buffer instanceof SharedArrayBuffer));
});

test('a worker reading shared arrays reads the same memory: no copy travels with the message', async () => {
  const data = shareArrays({ col: new Int32Array(1000) }).col;
  const w = new Worker(
    "const { parentPort } = require('node:worker_threads'); parentPort.once('message', (m) => { m.col[5] = 42; parentPort.postMessage('done'); });",
    {
      eval: true,
    },
  );
  await new Promise((resolve) => {
    w.once('message', resolve);
    w.postMessage({ col: data });
  });
  await w.terminate();
  assert.equal(data[5], 42);
});
