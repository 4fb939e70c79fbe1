// The fused Adam must be tfjs's Adam to the last bit: same model, same batches, same values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { scenario } from '../helpers/scenarios.js';
import { selectBackend } from '../../src/tf/backend.js';
import { modelInputs } from '../../src/data/inputs.js';
import { strategy } from '../../src/models/registry.js';
import { Params } from '../../src/models/blocks.js';
import type { Trainable } from '../../src/models/model.js';
import { priorOf, trainStep } from '../../src/train/step.js';
import { epochBatches, rowsByDomain } from '../../src/data/dataset.js';
import { stream } from '../../src/world/rng.js';
import { adam } from '../../src/train/adam.js';
import { hasTool } from '../helpers/tools.js';

// PLE: per-domain towers and experts are untouched by other domains' batches (no gradient, no
// moment decay), shared experts get one every step.
function trainPle(optimizer: tf.Optimizer, patch: (raw: Record<string, any>) => void = () => {}) {
  const s = scenario('tiny', patch);
  const p = modelInputs(s, 5);
  const params = new Params(5, 'adam-test/');
  const model = strategy('ple').create({ data: p.ds, config: s.training, params, prior: priorOf(p.ds, p.split.train) }) as Trainable;
  const rng = stream(5, 'adam-test');
  const batches = epochBatches(rowsByDomain(p.ds, p.split.train), 64, rng).slice(0, 12);
  assert.ok(new Set(batches.map((b) => b.domain)).size > 1, 'batches from several domains');
  const losses = batches.map((b) => {
    const l = trainStep(model, optimizer, params.list, p.ds, b, { ds: p.ds, train: p.split.train, history: p.history, rng }, s.training);
    const v = l.dataSync()[0];
    l.dispose();
    return v;
  });
  const values = params.list.map((v) => Array.from(v.dataSync()));
  const largest = Math.max(...params.list.map((v) => v.size));
  optimizer.dispose();
  tf.dispose([...params.list, ...params.state]);
  return { losses, values, largest };
}

// wasm updates on the backend's heap with the SIMD kernel, cpu with a JS loop over its arrays, node
// (tfjs-node) with the kernel form, the only backend that runs it.
for (const backend of ['wasm', 'cpu', 'node'])
  test(`fused Adam equals tfjs Adam bit for bit on ${backend}, with variables that get no gradient in some steps`, async (t) => {
    if (backend === 'node' && !hasTool(t, 'tfjs-node')) return;
    await selectBackend(backend);
    const s = scenario('tiny');
    const p = modelInputs(s, 5);
    const before = tf.memory().numTensors;
    const reference = trainPle(tf.train.adam(s.training.learningRate));
    const fused = trainPle(adam(s.training.learningRate));
    assert.deepEqual(fused.losses, reference.losses);
    assert.equal(fused.values.length, reference.values.length);
    fused.values.forEach((v, k) => assert.deepEqual(v, reference.values[k], `variable ${k}`));
    const initial = new Params(5, 'adam-test/');
    strategy('ple').create({ data: p.ds, config: s.training, params: initial, prior: priorOf(p.ds, p.split.train) });
    const moved = initial.list.filter((v, k) => Array.from(v.dataSync()).some((x, i) => x !== reference.values[k][i])).length;
    tf.dispose([...initial.list, ...initial.state]);
    assert.equal(moved, initial.list.length, 'every variable trained (each domain had batches)');
    assert.equal(tf.memory().numTensors, before, 'no tensor kept');
  });

test("node's kernel-form Adam follows wasm's heap kernel step by step (the backends' float32 sums differ only in order)", async (t) => {
  if (!hasTool(t, 'tfjs-node')) return;
  await selectBackend('wasm');
  const wasm = trainPle(adam(0.003));
  await selectBackend('node');
  const node = trainPle(adam(0.003));
  node.losses.forEach((l, k) => assert.ok(Math.abs(l - wasm.losses[k]) <= 1e-5 * Math.abs(wasm.losses[k]), `step ${k}: node ${l} vs wasm ${wasm.losses[k]}`));
  let worst = 0;
  node.values.forEach((v, k) => v.forEach((x, i) => (worst = Math.max(worst, Math.abs(x - wasm.values[k][i])))));
  // 12 Adam steps of lr 0.003 move a weight by at most ~0.036; the backends agree to a few float32 ulps of that.
  const loss = Math.max(...node.losses.map((l, k) => Math.abs(l - wasm.losses[k]) / wasm.losses[k]));
  t.diagnostic(`node vs wasm after 12 steps: largest relative loss difference ${loss.toExponential(1)}, largest weight difference ${worst.toExponential(1)}`);
  assert.ok(worst < 1e-5, `largest weight difference after 12 steps: ${worst}`);
});

test('on node, a table large enough for an update of its own (2^20 values and more) is still tfjs Adam bit for bit', async (t) => {
  if (!hasTool(t, 'tfjs-node')) return;
  await selectBackend('node');
  const wide = (r: Record<string, any>) => {
    r.features[1].vocab = 150_000;
  };
  const reference = trainPle(tf.train.adam(0.003), wide);
  const fused = trainPle(adam(0.003), wide);
  assert.ok(reference.largest >= 2 ** 20, `the largest variable has ${reference.largest} values`);
  assert.deepEqual(fused.losses, reference.losses);
  fused.values.forEach((v, k) => assert.deepEqual(v, reference.values[k], `variable ${k}`));
});
