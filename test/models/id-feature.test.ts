// `id-feature`: one network for every domain over the features and the domain's own embedding, so
// the same row served as another domain changes only through that embedding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/tf/backend.js';
import { modelInputs } from '../../src/data/inputs.js';
import { makeBatch } from '../../src/data/dataset.js';
import { DomainEmbedding, FeatureEmbedding, Params, Tower } from '../../src/models/blocks.js';
import { idFeature } from '../../src/models/id-feature.js';
import { scenario } from '../helpers/scenarios.js';

test('net([emb(x), e_d]): the features and the domain’s embedding side by side into one network', async () => {
  await selectBackend('wasm');
  const p = modelInputs(scenario('tiny'), 7);
  const config = p.world.scenario.training;
  const prior = { click: [-2, -2.5, -3], clickAll: -2.4, cvr: [0, 0, 0] };
  const model = idFeature.create({ data: p.ds, config, params: new Params(6), prior });
  const P = new Params(6);
  const emb = new FeatureEmbedding(P, 'emb', p.ds.tableRows, p.ds.fc, p.ds.fn, config.embeddingDim);
  const dom = new DomainEmbedding(P, 'emb', p.ds.domains, config.embeddingDim);
  const net = new Tower(P, 'net', emb.outDim + config.embeddingDim, [...config.hidden, ...config.tower], prior.clickAll);
  const rows = Array.from(p.split.test).slice(0, 50);
  const b = makeBatch(p.ds, rows);
  const got = model.forward(b, false).click.dataSync();
  const want = net.apply(tf.concat([emb.apply(b), dom.apply(b)], 1) as tf.Tensor2D).dataSync();
  want.forEach((v, i) => assert.ok(Math.abs(got[i] - v) < 1e-5, `row ${i}`));
  assert.ok(new Set(rows.map((r) => p.ds.domain[r])).size > 1, 'one batch, several domains');
});
