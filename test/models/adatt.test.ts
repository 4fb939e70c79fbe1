// AdaTT (Li et al. 2023, eq. 1–6) recomputed level by level from the same weights: domain d fuses
// f_d = v_dᵀ E_d + softmax(W_d x_d)ᵀ E — a linear combination of its own experts plus a gated mixture
// over every expert of the level (all domains', and the shared unit's when it has one).
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/tf/backend.js';
import { modelInputs } from '../../src/data/inputs.js';
import { FeatureEmbedding, Gate, MLP, Params, Tower } from '../../src/models/blocks.js';
import { adaptiveTaskToTaskFusion } from '../../src/models/adatt.js';
import { scenario } from '../helpers/scenarios.js';
import { assertClose, domainBatch, gateMix } from '../helpers/models.js';

for (const shared of [false, true]) {
  test(`AdaTT${shared ? ' with a shared unit' : ''}: native linear fusion plus gated fusion over all experts, two levels`, async () => {
    await selectBackend('wasm');
    const p = modelInputs(scenario('tiny'), 7);
    const config = { ...p.world.scenario.training, levels: 2, specificExperts: 2, experts: 2 };
    const D = p.ds.domains;
    const S = 2;
    const E = shared ? 2 : 0;
    const prior = { click: [-2, -2.5, -3], clickAll: -2.4, cvr: [0, 0, 0] };
    const params = new Params(51);
    const model = adaptiveTaskToTaskFusion('adatt', shared).create({ data: p.ds, config, params, prior });
    // Move v_d off its starting mean so the native fusion is tested as weights, not as an average.
    for (const v of params.list) if (/^level\d\/v\d#/.test(v.name)) v.assign(tf.tensor1d([0.8, -0.3]));
    const P = new Params(51);
    const emb = new FeatureEmbedding(P, 'emb', p.ds.tableRows, p.ds.fc, p.ds.fn, config.embeddingDim);
    const h = config.hidden.at(-1)!;
    const lv = [0, 1].map((l) => {
      const q = P.scope(`level${l}`);
      const inDim = l === 0 ? emb.outDim : h;
      return {
        native: Array.from({ length: D }, (_, d) => Array.from({ length: S }, (_, k) => new MLP(q, `d${d}e${k}`, inDim, config.hidden))),
        shared: Array.from({ length: E }, (_, k) => new MLP(q, `shared${k}`, inDim, config.hidden)),
        gates: Array.from({ length: D }, (_, d) => new Gate(q, `gate${d}`, inDim, D * S + E)),
        sharedGate: E > 0 && l === 0 ? new Gate(q, 'gateShared', inDim, D * S + E) : null,
      };
    });
    const towers = Array.from({ length: D }, (_, d) => new Tower(P, `tower${d}`, h, config.tower, prior.click[d]));
    const vWeights = tf.tile(tf.tensor2d([[0.8, -0.3]]), [20, 1]) as tf.Tensor2D;
    for (let d0 = 0; d0 < D; d0++) {
      const b = domainBatch(p, d0, 20);
      const want = tf.tidy(() => {
        const x = emb.apply(b);
        let inputs = Array.from({ length: D }, () => x);
        let sharedIn = x;
        for (const level of lv) {
          const native = level.native.map((es, d) => es.map((e) => e.apply(inputs[d])));
          const sharedOut = level.shared.map((e) => e.apply(sharedIn));
          const all = [...native.flat(), ...sharedOut];
          const n = inputs[0].shape[0];
          const next = level.gates.map(
            (g, d) => tf.add(gateMix(g.apply(inputs[d]), all), gateMix(tf.slice(vWeights, [0, 0], [n, S]), native[d])) as tf.Tensor2D,
          );
          if (level.sharedGate) sharedIn = gateMix(level.sharedGate.apply(sharedIn), all);
          inputs = next;
        }
        return towers[d0].apply(inputs[d0]).dataSync();
      });
      const got = model.forward(b, false).click.dataSync();
      assertClose(got, want, `domain ${d0}`);
    }
  });
}
