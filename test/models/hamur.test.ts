// HAMUR recomputed by hand from the model's own weights: a domain's column, then the adapter cell —
// σ(h·U₁·H(x)·V₁ + b₁)·U₂·H(x)·V₂ + b₂ with H(x) the hyper-network's k × k output per sample,
// normalised over the batch with the domain's γ, β, added back to h — then the domain's tower; a
// domain's batch trains the shared hyper-network and its own column, γ and β, and no other domain's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/tf/backend.js';
import { modelInputs } from '../../src/data/inputs.js';
import { Params } from '../../src/models/blocks.js';
import { strategy } from '../../src/models/registry.js';
import { HAMUR_BOTTLENECK, lowRankApply } from '../../src/models/hamur.js';
import type { Trainable } from '../../src/models/model.js';
import { priorOf } from '../../src/train/step.js';
import { scenario } from '../helpers/scenarios.js';
import { assertClose, domainBatch, trainOnDomain, variable } from '../helpers/models.js';

test('lowRankApply is x · (U · H_i · V) per sample i, the generated weight formed explicitly', async () => {
  await selectBackend('wasm');
  const x = tf.randomNormal([4, 5], 0, 1, 'float32', 1) as tf.Tensor2D;
  const u = tf.randomNormal([5, 3], 0, 1, 'float32', 2) as tf.Tensor2D;
  const h = tf.randomNormal([4, 3, 3], 0, 1, 'float32', 3) as tf.Tensor3D;
  const v = tf.randomNormal([3, 6], 0, 1, 'float32', 4) as tf.Tensor2D;
  const got = lowRankApply(x, u, h, v).arraySync();
  const xs = x.arraySync();
  const want = tf.unstack(h).map((hi, i) => (tf.matMul(tf.tensor2d([xs[i]]), tf.matMul(tf.matMul(u, hi as tf.Tensor2D), v)).arraySync() as number[][])[0]);
  assertClose(got.flat(), want.flat(), 'per sample');
  tf.dispose([x, u, h, v]);
});

test('hamur: the column, the adapter cell and the tower written out per domain; a domain trains the shared hyper-network and its own parts only', async () => {
  await selectBackend('wasm');
  const s = scenario('tiny', (r) => {
    r.training.hamurRank = 3;
  });
  const p = modelInputs(s, 7);
  const config = s.training;
  const params = new Params(8);
  const model = strategy('hamur').create({ data: p.ds, config, params, prior: priorOf(p.ds, p.split.train) }) as Trainable;
  const v = (n: string) => variable(params, n);
  const check = (what: string) => {
    for (let d = 0; d < p.ds.domains; d++) {
      const b = domainBatch(p, d, 30);
      const want = tf.tidy(() => {
        const e = tf.concat(
          [
            tf.concat([tf.reshape(tf.mul(tf.gather(v('emb/table'), b.cat), tf.expandDims(b.catMask, 2)), [b.size, -1]), b.num], 1),
            tf.gather(v('hyper/domain'), b.domainIds),
          ],
          1,
        ) as tf.Tensor2D;
        const emb = tf.slice(e, [0, 0], [b.size, e.shape[1] - config.embeddingDim]) as tf.Tensor2D;
        const relu = (x: tf.Tensor, w: string, bias: string) => tf.relu(tf.add(tf.matMul(x as tf.Tensor2D, v(w)), v(bias)));
        const hyper = relu(relu(e, 'hyper/mlp/0/w', 'hyper/mlp/0/b'), 'hyper/mlp/1/w', 'hyper/mlp/1/b');
        const H = tf.reshape(hyper, [b.size, 3, 3]) as tf.Tensor3D;
        const h = relu(relu(emb, `col${d}/0/w`, `col${d}/0/b`), `col${d}/1/w`, `col${d}/1/b`) as tf.Tensor2D;
        const s1 = tf.sigmoid(tf.add(lowRankApply(h, v('adapter/u1') as tf.Tensor2D, H, v('adapter/v1') as tf.Tensor2D), v('adapter/b1'))) as tf.Tensor2D;
        const a = tf.add(lowRankApply(s1, v('adapter/u2') as tf.Tensor2D, H, v('adapter/v2') as tf.Tensor2D), v('adapter/b2'));
        const mean = tf.mean(a, 0);
        const variance = tf.mean(tf.square(tf.sub(a, mean)), 0);
        const out = tf.add(h, tf.add(tf.mul(v(`adapter/gamma${d}`), tf.div(tf.sub(a, mean), tf.sqrt(tf.add(variance, 1e-5)))), v(`adapter/beta${d}`)));
        const t = relu(out, `tower${d}/mlp/0/w`, `tower${d}/mlp/0/b`);
        return tf.add(tf.matMul(t, v(`tower${d}/head/w`)), v(`tower${d}/head/b`)).dataSync();
      });
      assertClose(model.forward(b, false).click.dataSync(), want, `${what}, domain ${d}`);
    }
  };
  assert.deepEqual(v('adapter/v1').shape, [3, HAMUR_BOTTLENECK]);
  check('at initialisation');
  const snapshot = (n: string) => Array.from(v(n).dataSync());
  const names = ['hyper/mlp/0/w', 'adapter/u1', 'col0/0/w', 'adapter/gamma0', 'col1/0/w', 'adapter/gamma1', 'adapter/beta2'];
  const before = Object.fromEntries(names.map((n) => [n, snapshot(n)]));
  trainOnDomain(p, model, params, config, 0, 3);
  const moved = (n: string) => snapshot(n).some((x, i) => x !== before[n][i]);
  for (const n of ['hyper/mlp/0/w', 'adapter/u1', 'col0/0/w', 'adapter/gamma0']) assert.ok(moved(n), `${n} trains on domain 0's batches`);
  for (const n of ['col1/0/w', 'adapter/gamma1', 'adapter/beta2']) assert.ok(!moved(n), `${n} is another domain's and does not`);
  check('after training domain 0');
  tf.dispose(params.list);
});
