// The strategies' shared openings: the embedding and a tower per domain, named as the strategies
// named them (their weights' seeds follow the names) and starting at each domain's base rate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/tf/backend.js';
import { Params } from '../../src/models/blocks.js';
import { domainTowers, featureEmbedding } from '../../src/models/parts.js';
import type { StrategyContext } from '../../src/models/model.js';
import { TrainingSchema } from '../../src/scenario/blocks.js';

const DEFAULT_TRAINING = TrainingSchema.parse({});

test('a tower per domain named prefix + domain, over the given width, each starting at its prior; the embedding as emb', async () => {
  await selectBackend('wasm');
  const params = new Params(7);
  const ctx = {
    data: { domains: 3, tableRows: 50, fc: 4, fn: 2, commonCat: 0 },
    config: DEFAULT_TRAINING,
    params,
    prior: { click: [-3, -2, -1], clickAll: -2, cvr: [0, 0, 0] },
  } as unknown as StrategyContext;
  const emb = featureEmbedding(ctx);
  assert.equal(emb.outDim, 4 * DEFAULT_TRAINING.embeddingDim + 2);
  const towers = domainTowers(ctx, 'tower', 10, ctx.prior.click);
  assert.equal(towers.length, 3);
  const x = tf.zeros([1, 10]) as tf.Tensor2D;
  // A zero input reaches the output layer as zeros (ReLU of the hidden biases' 0): the logit is the prior.
  towers.forEach((t, d) => assert.ok(Math.abs(t.apply(x).dataSync()[0] - ctx.prior.click[d]) < 1e-6, `tower ${d}`));
  // Weights are seeded by their names: the names are the ones the strategies gave them.
  const names = params.list.map((v) => v.name.replace(/#\d+$/, ''));
  assert.ok(names.includes('emb/table'));
  for (let d = 0; d < 3; d++) assert.ok(names.some((n) => n.startsWith(`tower${d}/head/`)) && names.some((n) => n.startsWith(`tower${d}/mlp/`)), `tower${d}`);
});
