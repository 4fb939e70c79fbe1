// Shared-bottom (hard sharing) recomputed from the same weights: a domain's click logit is its tower
// over the one shared bottom; with ESMM each domain also has a conversion tower over the same bottom.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/tf/backend.js';
import { modelInputs } from '../../src/data/inputs.js';
import { makeBatch } from '../../src/data/dataset.js';
import { FeatureEmbedding, MLP, Params, Tower } from '../../src/models/blocks.js';
import { strategy } from '../../src/models/registry.js';
import { scenario } from '../helpers/scenarios.js';

test('shared-bottom and its ESMM form: tower_d(bottom(emb(x))) for clicks, cvr_d(bottom(emb(x))) for conversions', async () => {
  await selectBackend('wasm');
  const p = modelInputs(scenario('tiny'), 7);
  const config = p.world.scenario.training;
  const prior = { click: [-2, -2.5, -3], clickAll: -2.4, cvr: [-1, -1.5, -2] };
  for (const name of ['shared-bottom', 'shared-bottom-esmm']) {
    const model = strategy(name).create({ data: p.ds, config, params: new Params(5), prior });
    const P = new Params(5);
    const emb = new FeatureEmbedding(P, 'emb', p.ds.tableRows, p.ds.fc, p.ds.fn, config.embeddingDim);
    const bottom = new MLP(P, 'bottom', emb.outDim, config.hidden);
    const towers = Array.from({ length: p.ds.domains }, (_, d) => new Tower(P, `tower${d}`, bottom.outDim, config.tower, prior.click[d]));
    const cvr = Array.from({ length: p.ds.domains }, (_, d) => new Tower(P, `cvr${d}`, bottom.outDim, config.tower, prior.cvr[d]));
    assert.equal(model.conversion, name.endsWith('esmm'));
    for (let d = 0; d < p.ds.domains; d++) {
      const rows = Array.from(p.split.test)
        .filter((r) => p.ds.domain[r] === d)
        .slice(0, 30);
      const b = makeBatch(p.ds, rows, d);
      const out = model.forward(b, false);
      const h = bottom.apply(emb.apply(b));
      const click = towers[d].apply(h).dataSync();
      out.click.dataSync().forEach((v, i) => assert.ok(Math.abs(v - click[i]) < 1e-5, `${name} domain ${d} row ${i}`));
      if (model.conversion) {
        const c = cvr[d].apply(h).dataSync();
        out.cvr!.dataSync().forEach((v, i) => assert.ok(Math.abs(v - c[i]) < 1e-5));
      } else assert.equal(out.cvr, undefined);
      tf.dispose([h]);
    }
  }
});
