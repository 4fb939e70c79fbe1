// MMoE as its paper writes it (Ma et al. 2018, eq. 5–7), recomputed from the same weights (a
// parameter's initial value is seeded by its name): f^d(x) = Σ_i g^d(x)_i f_i(x) with
// g^d = softmax(W_gd x), y_d = h^d(f^d(x)); OMoE shares one gate across domains.
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/tf/backend.js';
import { modelInputs } from '../../src/data/inputs.js';
import { FeatureEmbedding, Gate, MLP, Params, Tower } from '../../src/models/blocks.js';
import { strategy } from '../../src/models/registry.js';
import type { StrategyContext } from '../../src/models/model.js';
import { scenario } from '../helpers/scenarios.js';
import { assertClose, domainBatch, gateMix } from '../helpers/models.js';

const p = modelInputs(scenario('tiny'), 7);
const config = p.world.scenario.training;
const prior = { click: [-2, -2.5, -3], clickAll: -2.4, cvr: [-1, -1, -1] };
const ctx = (params: Params): StrategyContext => ({ data: p.ds, config, params, prior });

for (const [name, oneGate] of [
  ['mmoe', false],
  ['omoe', true],
] as const) {
  test(`${name}: each domain's output is its tower over the gate-weighted sum of the experts`, async () => {
    await selectBackend('wasm');
    const model = strategy(name).create(ctx(new Params(11)));
    const P = new Params(11);
    const emb = new FeatureEmbedding(P, 'emb', p.ds.tableRows, p.ds.fc, p.ds.fn, config.embeddingDim);
    const experts = Array.from({ length: config.experts }, (_, k) => new MLP(P, `expert${k}`, emb.outDim, config.hidden));
    const gates = Array.from({ length: oneGate ? 1 : p.ds.domains }, (_, d) => new Gate(P, `gate${d}`, emb.outDim, config.experts));
    const towers = Array.from({ length: p.ds.domains }, (_, d) => new Tower(P, `tower${d}`, experts[0].outDim, config.tower, prior.click[d]));
    for (let d = 0; d < p.ds.domains; d++) {
      const b = domainBatch(p, d, 40);
      const got = model.forward(b, false).click.dataSync();
      const want = tf.tidy(() => {
        const x = emb.apply(b);
        const g = gates[oneGate ? 0 : d].apply(x);
        return towers[d]
          .apply(
            gateMix(
              g,
              experts.map((e) => e.apply(x)),
            ),
          )
          .dataSync();
      });
      assertClose(got, want, `domain ${d}`);
    }
  });
}
