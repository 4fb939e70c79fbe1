// APG (Yan et al. 2022, §3.2–3.4): a hidden layer's weights are generated from a condition z in low
// rank, W(z) = U · (I + reshape(G z)) · V, h = relu(x W(z) + b). For the group-wise variant z is the
// domain's embedding, so every row of a domain goes through one generated dense layer: recomputed
// here from the model's own variables, as that layer; the self-wise variant conditions on the row.
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/tf/backend.js';
import { modelInputs } from '../../src/data/inputs.js';
import { FeatureEmbedding, Params, Tower } from '../../src/models/blocks.js';
import { strategy } from '../../src/models/registry.js';
import { scenario } from '../helpers/scenarios.js';
import { assertClose, domainBatch } from '../helpers/models.js';

test('group-wise APG: each domain through the dense layers U·S(e_d)·V its embedding generates', async () => {
  await selectBackend('wasm');
  const p = modelInputs(scenario('tiny'), 7);
  const config = p.world.scenario.training;
  const prior = { click: [-2, -2.5, -3], clickAll: -2.4, cvr: [0, 0, 0] };
  for (const name of ['apg', 'apg-self']) {
    const params = new Params(31);
    const model = strategy(name).create({ data: p.ds, config, params, prior });
    const v = (n: string) => params.list.find((x) => x.name.startsWith(`${n}#`))!;
    const P = new Params(31);
    const emb = new FeatureEmbedding(P, 'emb', p.ds.tableRows, p.ds.fc, p.ds.fn, config.embeddingDim);
    const towers = Array.from({ length: p.ds.domains }, (_, d) => new Tower(P, `tower${d}`, config.hidden.at(-1)!, config.tower, prior.click[d]));
    const domainTable = params.list.find((x) => x.name.startsWith('cond/'))!;
    for (let d = 0; d < p.ds.domains; d++) {
      const b = domainBatch(p, d, 16);
      const want = tf.tidy(() => {
        let h = emb.apply(b);
        config.hidden.forEach((_, l) => {
          const k = v(`apg${l}/u`).shape[1]!;
          // The condition: the domain's embedding (group-wise), or each row's own input (self-wise).
          const z = name === 'apg' ? tf.tile(tf.slice(domainTable, [d, 0], [1, -1]), [h.shape[0], 1]) : h;
          const rows = tf.unstack(tf.add(tf.matMul(z as tf.Tensor2D, v(`apg${l}/gen/w`)), v(`apg${l}/gen/b`)));
          const out = rows.map((g, i) => {
            const W = tf.matMul(tf.matMul(v(`apg${l}/u`), tf.add(tf.reshape(g, [k, k]), tf.eye(k))), v(`apg${l}/v`));
            return tf.relu(tf.add(tf.matMul(tf.slice(h, [i, 0], [1, -1]), W), v(`apg${l}/b`)));
          });
          h = tf.concat(out, 0) as tf.Tensor2D;
        });
        return towers[d].apply(h).dataSync();
      });
      const got = model.forward(b, false).click.dataSync();
      assertClose(got, want, `${name} domain ${d}`);
    }
  }
});
