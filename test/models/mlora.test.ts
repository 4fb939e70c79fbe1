// MLoRA recomputed from the same weights: each hidden layer is relu(h·W + b + (h·A_d)·B_d + b_d), a
// domain's tower on top; at initialisation (B_d = 0, b_d = 0) every domain is the shared network, and a
// domain's batch trains only its own A_d, B_d, b_d beside the shared weights.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/tf/backend.js';
import { modelInputs } from '../../src/data/inputs.js';
import { FeatureEmbedding, Params, Tower } from '../../src/models/blocks.js';
import { strategy } from '../../src/models/registry.js';
import { LoraLayer } from '../../src/models/mlora.js';
import type { Trainable } from '../../src/models/model.js';
import { priorOf, trainStep } from '../../src/train/step.js';
import { adam } from '../../src/train/adam.js';
import { stream } from '../../src/world/rng.js';
import { scenario } from '../helpers/scenarios.js';
import { assertClose, domainBatch, variable } from '../helpers/models.js';

test('LoraLayer is relu(x·W + b + (x·A_d)·B_d + b_d), written out', async () => {
  await selectBackend('wasm');
  const p = new Params(3);
  const layer = new LoraLayer(p, 'l', 6, 5, 2, 2);
  // Non-zero B and b_d, so the delta counts.
  layer.b[1].assign(tf.randomNormal([2, 5], 0, 0.5, 'float32', 1));
  layer.bias[1].assign(tf.randomNormal([5], 0, 0.5, 'float32', 2));
  const x = tf.randomNormal([7, 6], 0, 1, 'float32', 3) as tf.Tensor2D;
  const want = tf.relu(tf.add(tf.add(tf.matMul(x, layer.shared.w), layer.shared.b), tf.add(tf.matMul(tf.matMul(x, layer.a[1]), layer.b[1]), layer.bias[1])));
  assertClose(layer.apply(x, 1).dataSync(), want.dataSync(), 'domain 1');
  const shared = tf.relu(tf.add(tf.matMul(x, layer.shared.w), layer.shared.b));
  assertClose(layer.apply(x, 0).dataSync(), shared.dataSync(), 'domain 0, B_0 = 0: the shared layer alone');
  tf.dispose([x, want, shared, ...p.list]);
});

test('mlora: the shared layers with each domain its delta (rank training.loraRank) and tower; a domain trains its own delta and no other', async () => {
  await selectBackend('wasm');
  const s = scenario('tiny', (r) => {
    r.training.loraRank = 3;
  });
  const p = modelInputs(s, 7);
  const config = s.training;
  const prior = priorOf(p.ds, p.split.train);
  const params = new Params(5);
  const model = strategy('mlora').create({ data: p.ds, config, params, prior }) as Trainable;
  // The same blocks, names and creation order from the same seed: the same weights.
  const P = new Params(5);
  const emb = new FeatureEmbedding(P, 'emb', p.ds.tableRows, p.ds.fc, p.ds.fn, config.embeddingDim);
  let inDim = emb.outDim;
  const layers = config.hidden.map((h, k) => {
    const l = new LoraLayer(P, `lora/${k}`, inDim, h, p.ds.domains, 3);
    inDim = h;
    return l;
  });
  const towers = Array.from({ length: p.ds.domains }, (_, d) => new Tower(P, `tower${d}`, inDim, config.tower, prior.click[d]));
  assert.deepEqual(layers[0].a[1].shape, [emb.outDim, 3]);
  const check = (what: string) => {
    for (let d = 0; d < p.ds.domains; d++) {
      const b = domainBatch(p, d, 20);
      const h = layers.reduce((x, l) => l.apply(x, d), emb.apply(b));
      assertClose(model.forward(b, false).click.dataSync(), towers[d].apply(h).dataSync(), `${what}, domain ${d}`);
    }
  };
  check('at initialisation');
  const snapshot = (n: string) => Array.from(variable(params, n).dataSync());
  const names = ['lora/0/b0', 'lora/0/a0', 'lora/0/w', 'lora/0/b1', 'lora/0/a1', 'lora/1/bias2'];
  const before = Object.fromEntries(names.map((n) => [n, snapshot(n)]));
  assert.ok(
    before['lora/0/b0'].every((x) => x === 0),
    'B_d starts at zero: every domain starts as the shared network',
  );
  const optimizer = adam(0.01);
  const rng = stream(5, 'mlora-test');
  const rows = Array.from(p.split.train)
    .filter((r) => p.ds.domain[r] === 0)
    .slice(0, 64);
  const batch = { domain: 0, rows: Int32Array.from(rows) };
  for (let k = 0; k < 3; k++)
    trainStep(model, optimizer, params.list, p.ds, batch, { ds: p.ds, train: p.split.train, history: p.history, rng }, config).dispose();
  const moved = (n: string) => snapshot(n).some((x, i) => x !== before[n][i]);
  assert.ok(moved('lora/0/b0') && moved('lora/0/a0') && moved('lora/0/w'), "domain 0's batches train its delta and the shared layer");
  assert.ok(!moved('lora/0/b1') && !moved('lora/0/a1') && !moved('lora/1/bias2'), "and leave the other domains' deltas alone");
  // The replica's weights follow the model's, so the formula holds after training too.
  params.list.forEach((v, k) => P.list[k].assign(v));
  check('after training domain 0');
  optimizer.dispose();
  tf.dispose([...params.list, ...P.list]);
});
