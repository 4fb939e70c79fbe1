// POSO / PEPNet gating: every hidden unit scaled by 2·σ(G(p)), p the domain's and the experience
// level's embeddings. The gate starts at exactly 1, so an untrained POSO is its gate-less twin,
// shared-bottom, to the last digit (same names, same weights); a moved gate scales the units by
// 2·σ of its output and nothing else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/tf/backend.js';
import { modelInputs } from '../../src/data/inputs.js';
import { Dense, FeatureEmbedding, Params, Tower } from '../../src/models/blocks.js';
import { poso } from '../../src/models/poso.js';
import { strategy } from '../../src/models/registry.js';
import { scenario } from '../helpers/scenarios.js';
import { assertClose, domainBatch } from '../helpers/models.js';

test('an untrained POSO is shared-bottom; a gate set to g scales its layer’s units by 2·σ(g)', async () => {
  await selectBackend('wasm');
  const p = modelInputs(scenario('tiny'), 7);
  const config = { ...p.world.scenario.training, hidden: [16] };
  const prior = { click: [-2, -2.5, -3], clickAll: -2.4, cvr: [0, 0, 0] };
  const params = new Params(8);
  const gated = poso.create({ data: p.ds, config, params, prior });
  const plain = strategy('shared-bottom').create({ data: p.ds, config, params: new Params(8), prior });
  for (let d = 0; d < p.ds.domains; d++) {
    const b = domainBatch(p, d, 30);
    assert.deepEqual(gated.forward(b, false).click.dataSync(), plain.forward(b, false).click.dataSync(), `domain ${d}`);
  }
  // Move the one gate's output bias to a constant c: every hidden unit is scaled by 2·σ(c).
  const c = 0.7;
  const bias = params.list.find((v) => v.name.startsWith('gate0/1/b'))!;
  bias.assign(tf.fill(bias.shape, c));
  const scaled = 2 / (1 + Math.exp(-c));
  const b = domainBatch(p, 0, 30);
  const P = new Params(8);
  const emb = new FeatureEmbedding(P, 'emb', p.ds.tableRows, p.ds.fc, p.ds.fn, config.embeddingDim);
  const layer = new Dense(P, 'bottom/0', emb.outDim, 16);
  const tower = new Tower(P, 'tower0', 16, config.tower, prior.click[0]);
  const want = tower.apply(tf.mul(layer.apply(emb.apply(b)), scaled) as tf.Tensor2D).dataSync();
  const got = gated.forward(b, false).click.dataSync();
  assertClose(got, want, 'the moved gate', 1e-5);
});
