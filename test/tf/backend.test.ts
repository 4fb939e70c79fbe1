import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { spawnSync } from 'node:child_process';
import { selectBackend, type BackendName } from '../../src/tf/backend.js';
import { hasTool } from '../helpers/tools.js';
import { root } from '../helpers/scenarios.js';

const missing = () =>
  Promise.reject(Object.assign(new Error("Cannot find package '@tensorflow/tfjs-node' imported from /x"), { code: 'ERR_MODULE_NOT_FOUND' }));
const broken = () => Promise.reject(new Error('libtensorflow_cc.so.2: cannot open shared object file: No such file or directory'));

function withoutBackendSettings(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ['CROSSAB_BACKEND', 'TF_CPP_MIN_LOG_LEVEL', 'TF_ENABLE_ONEDNN_OPTS']) delete env[k];
  return env;
}

// First in this file: the choice is made once per process, and auto keeps whatever was chosen.
test('without tfjs-node, auto falls back to wasm silently and a forced node says why and what to do, in one line', async () => {
  await assert.rejects(selectBackend('node', missing), (e: Error) =>
    /^backend 'node' is not available: @tensorflow\/tfjs-node did not install \(its install step downloads libtensorflow; without a network, `npm run build:tfjs-node` builds it from a local TensorFlow\); use --backend wasm$/.test(
      e.message,
    ),
  );
  await assert.rejects(selectBackend('node', broken), (e: Error) =>
    /^backend 'node' is not available: @tensorflow\/tfjs-node is installed but its native binding did not load \(libtensorflow_cc\.so\.2: cannot open shared object file: No such file or directory; `npm run build:tfjs-node` rebuilds it\); use --backend wasm$/.test(
      e.message,
    ),
  );
  assert.equal(await selectBackend(undefined, missing), 'wasm');
});

test('with tfjs-node built, auto picks it (the card: tfjs-node, with the wasm fallback) and libtensorflow prints nothing at load', (t) => {
  if (!hasTool(t, 'tfjs-node')) return;
  // In a child: this process has chosen already. Its stderr must be empty: absl's start-up lines are silenced.
  const r = spawnSync(process.execPath, ['-e', "import('./dist/src/tf/backend.js').then(async (m) => { process.stdout.write(await m.selectBackend()); })"], {
    cwd: root,
    encoding: 'utf8',
    env: withoutBackendSettings(),
  });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'node');
  assert.equal(r.stderr, '');
});

/** A small embedding + dense model trained for a few Adam steps; returns the losses. */
function trainEmbeddingModel(steps = 6): number[] {
  const rows = 2000;
  const fields = 6;
  const vocab = 500;
  const table = tf.variable(
    tf.tensor2d(
      Float32Array.from({ length: vocab * fields * 8 }, (_, i) => Math.sin(i * 12.9898) * 0.05),
      [vocab * fields, 8],
    ),
  );
  const w = tf.variable(
    tf.tensor2d(
      Float32Array.from({ length: fields * 8 }, (_, i) => Math.cos(i * 3.1) * 0.2),
      [fields * 8, 1],
    ),
  );
  const idx = tf.tensor2d(
    Int32Array.from({ length: rows * fields }, (_, i) => ((i * 7919) % vocab) + (i % fields) * vocab),
    [rows, fields],
    'int32',
  );
  const y = tf.tensor2d(
    Float32Array.from({ length: rows }, (_, i) => ((i * 31) % 7 < 2 ? 1 : 0)),
    [rows, 1],
  );
  const opt = tf.train.adam(0.05);
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const l = opt.minimize(() => {
      const e = tf.reshape(tf.gather(table, idx), [rows, fields * 8]);
      return tf.losses.sigmoidCrossEntropy(y, tf.matMul(e, w));
    }, true)!;
    losses.push(l.dataSync()[0]);
    l.dispose();
  }
  [table, w, idx, y].forEach((t) => t.dispose());
  opt.dispose();
  return losses;
}

test('an embedding model trains on every available backend and gives the same loss to 1e-4', async () => {
  const results: Partial<Record<BackendName, number[]>> = {};
  for (const name of ['node', 'wasm', 'cpu'] as BackendName[]) {
    try {
      await selectBackend(name);
    } catch {
      continue; // tfjs-node is optional: it needs a download at install time
    }
    results[name] = trainEmbeddingModel();
  }
  assert.ok(results.wasm && results.cpu, 'wasm and cpu are always available');
  for (const losses of Object.values(results)) assert.ok(losses![losses!.length - 1] < losses![0] - 0.05, `loss did not fall: ${losses}`);
  const ref = results.cpu!;
  for (const [name, losses] of Object.entries(results)) {
    losses!.forEach((l, k) => assert.ok(Math.abs(l - ref[k]) < 1e-4, `${name} step ${k}: ${l} vs cpu ${ref[k]}`));
  }
});

test('a forced backend that cannot load is an error, not a silent fallback', async () => {
  await assert.rejects(selectBackend('tpu'), /unknown backend 'tpu'/);
});
