// Cross-stitch (Misra et al. 2016, eq. 1): after every hidden layer each domain's activation is
// x̃_d = Σ_e α_{d,e} x_e over the domains' columns, α starting at 0.9 on the diagonal and 0.1/(D−1)
// off it. Recomputed from the same weights; with α the identity, a domain sees its own column only.
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/tf/backend.js';
import { modelInputs } from '../../src/data/inputs.js';
import type { Batch } from '../../src/data/dataset.js';
import { Dense, FeatureEmbedding, Params, Tower } from '../../src/models/blocks.js';
import { crossStitch } from '../../src/models/cross-stitch.js';
import { scenario } from '../helpers/scenarios.js';
import { assertClose, domainBatch } from '../helpers/models.js';

test('each layer mixes the columns by α; the identity α leaves each domain on its own column', async () => {
  await selectBackend('wasm');
  const p = modelInputs(scenario('tiny'), 7);
  const config = p.world.scenario.training;
  const D = p.ds.domains;
  const prior = { click: [-2, -2.5, -3], clickAll: -2.4, cvr: [0, 0, 0] };
  const params = new Params(12);
  const model = crossStitch.create({ data: p.ds, config, params, prior });
  const P = new Params(12);
  const emb = new FeatureEmbedding(P, 'emb', p.ds.tableRows, p.ds.fc, p.ds.fn, config.embeddingDim);
  const dims = [emb.outDim, ...config.hidden];
  const cols = Array.from({ length: D }, (_, d) => config.hidden.map((h, l) => new Dense(P, `col${d}/${l}`, dims[l], h)));
  const towers = Array.from({ length: D }, (_, d) => new Tower(P, `tower${d}`, dims[dims.length - 1], config.tower, prior.click[d]));
  const byHand = (b: Batch, d: number, alpha: number[][]) =>
    tf.tidy(() => {
      let xs = Array.from({ length: D }, () => emb.apply(b));
      for (let l = 0; l < config.hidden.length; l++) {
        const hs = cols.map((c, e) => c[l].apply(xs[e]));
        xs = hs.map((_, k) => hs.map((h, e) => tf.mul(h, alpha[k][e])).reduce((a, c) => tf.add(a, c)) as tf.Tensor2D);
      }
      return towers[d].apply(xs[d]).dataSync();
    });
  const start = Array.from({ length: D }, (_, k) => Array.from({ length: D }, (_, e) => (k === e ? 0.9 : 0.1 / (D - 1))));
  const identity = Array.from({ length: D }, (_, k) => Array.from({ length: D }, (_, e) => (k === e ? 1 : 0)));
  for (const [alpha, what] of [
    [start, 'the starting α'],
    [identity, 'the identity'],
  ] as const) {
    if (alpha === identity) for (const v of params.list) if (v.name.startsWith('stitch')) v.assign(tf.tensor2d(identity));
    for (let d = 0; d < D; d++) {
      const b = domainBatch(p, d, 20);
      const got = model.forward(b, false).click.dataSync();
      assertClose(got, byHand(b, d, alpha as number[][]), `${what}, domain ${d}`);
    }
  }
});
