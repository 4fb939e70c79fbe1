// PLE (Tang et al. 2020, eq. 2–6) recomputed from the same weights, level by level: domain d's gate
// mixes its own experts and the shared ones, g^{d,l} = softmax(W x^{d,l−1}) · [E_d, E_s]; below the
// top a shared gate mixes every expert into the shared path; the tower reads the top level's output.
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/tf/backend.js';
import { modelInputs } from '../../src/data/inputs.js';
import { FeatureEmbedding, Gate, MLP, Params, Tower } from '../../src/models/blocks.js';
import { strategy } from '../../src/models/registry.js';
import { scenario } from '../helpers/scenarios.js';
import { assertClose, domainBatch, gateMix } from '../helpers/models.js';

for (const levels of [1, 2, 3]) {
  test(`PLE with ${levels} level(s): every domain's output is its CGC stack computed by hand`, async () => {
    await selectBackend('wasm');
    const p = modelInputs(scenario('tiny'), 7);
    const config = { ...p.world.scenario.training, levels, specificExperts: 2 };
    const D = p.ds.domains;
    const prior = { click: [-2, -2.5, -3], clickAll: -2.4, cvr: [0, 0, 0] };
    const model = strategy('ple').create({ data: p.ds, config, params: new Params(21), prior });
    const P = new Params(21);
    const emb = new FeatureEmbedding(P, 'emb', p.ds.tableRows, p.ds.fc, p.ds.fn, config.embeddingDim);
    const h = config.hidden[config.hidden.length - 1];
    const lv = Array.from({ length: levels }, (_, l) => {
      const q = P.scope(`level${l}`);
      const inDim = l === 0 ? emb.outDim : h;
      return {
        shared: Array.from({ length: config.experts }, (_, k) => new MLP(q, `shared${k}`, inDim, config.hidden)),
        specific: Array.from({ length: D }, (_, d) => Array.from({ length: 2 }, (_, k) => new MLP(q, `d${d}e${k}`, inDim, config.hidden))),
        gates: Array.from({ length: D }, (_, d) => new Gate(q, `gate${d}`, inDim, 2 + config.experts)),
        sharedGate: l === levels - 1 ? null : new Gate(q, 'gateShared', inDim, D * 2 + config.experts),
      };
    });
    const towers = Array.from({ length: D }, (_, d) => new Tower(P, `tower${d}`, h, config.tower, prior.click[d]));
    for (let d0 = 0; d0 < D; d0++) {
      const b = domainBatch(p, d0, 20);
      const want = tf.tidy(() => {
        const x = emb.apply(b);
        let inputs = Array.from({ length: D }, () => x);
        let sharedIn = x;
        for (const level of lv) {
          const shared = level.shared.map((e) => e.apply(sharedIn));
          const specific = level.specific.map((es, d) => es.map((e) => e.apply(inputs[d])));
          const next = level.gates.map((g, d) => gateMix(g.apply(inputs[d]), [...specific[d], ...shared]));
          if (level.sharedGate) sharedIn = gateMix(level.sharedGate.apply(sharedIn), [...specific.flat(), ...shared]);
          inputs = next;
        }
        return towers[d0].apply(inputs[d0]).dataSync();
      });
      const got = model.forward(b, false).click.dataSync();
      assertClose(got, want, `domain ${d0}`);
    }
  });
}
