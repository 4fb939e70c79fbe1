// `separate`: a domain's output is its own model's (its own embedding and network, in its own scope),
// and no other domain's weights move it; a batch mixing domains is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/tf/backend.js';
import { modelInputs } from '../../src/data/inputs.js';
import { makeBatch } from '../../src/data/dataset.js';
import { FeatureEmbedding, Params, Tower } from '../../src/models/blocks.js';
import { separate } from '../../src/models/separate.js';
import { scenario } from '../helpers/scenarios.js';
import { assertClose, domainBatch } from '../helpers/models.js';

test('each domain is served by its own model alone', async () => {
  await selectBackend('wasm');
  const p = modelInputs(scenario('tiny'), 7);
  const config = p.world.scenario.training;
  const prior = { click: [-2, -2.5, -3], clickAll: -2.4, cvr: [0, 0, 0] };
  const params = new Params(4);
  const model = separate.create({ data: p.ds, config, params, prior });
  for (let d = 0; d < p.ds.domains; d++) {
    const P = new Params(4).scope(`domain${d}`);
    const emb = new FeatureEmbedding(P, 'emb', p.ds.tableRows, p.ds.fc, p.ds.fn, config.embeddingDim);
    const net = new Tower(P, 'net', emb.outDim, [...config.hidden, ...config.tower], prior.click[d]);
    const b = domainBatch(p, d, 30);
    const got = model.forward(b, false).click.dataSync();
    const want = net.apply(emb.apply(b)).dataSync();
    assertClose(got, want, `domain ${d}`, 1e-5);
  }
  // Zeroing domain 0's weights leaves domain 1's outputs as they were.
  const b1 = domainBatch(p, 1, 30);
  const before = model.forward(b1, false).click.dataSync();
  for (const v of params.list) if (v.name.startsWith('domain0/')) v.assign(tf.zerosLike(v));
  assert.deepEqual(model.forward(b1, false).click.dataSync(), before);
  assert.throws(() => model.forward(makeBatch(p.ds, [0, 1], -1), false), /batches must hold one domain/);
});
