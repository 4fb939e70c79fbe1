// M2M recomputed by hand from the model's own weights: the domain's knowledge s = relu(e_d·K + k),
// each meta unit's weights W(s) = reshape(s·G_w) + C_w and bias s·G_b + c_b, attention over the
// experts by v · relu([e_i, t]·W(s) + b(s)), the residual meta tower and the shared head with the
// domain's bias; the attention weights reach the expert-collapse diagnostics as a gate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/tf/backend.js';
import { modelInputs } from '../../src/data/inputs.js';
import { Params, recordMixtures } from '../../src/models/blocks.js';
import { strategy } from '../../src/models/registry.js';
import { MetaUnit } from '../../src/models/m2m.js';
import type { Trainable } from '../../src/models/model.js';
import { priorOf } from '../../src/train/step.js';
import { scenario } from '../helpers/scenarios.js';
import { assertClose, domainBatch, trainOnDomain, variable } from '../helpers/models.js';

test('a meta unit is relu(h · (reshape(s·G_w) + C_w) + s·G_b + c_b)', async () => {
  await selectBackend('wasm');
  const p = new Params(2);
  const unit = new MetaUnit(p, 'u', 4, 3, 2);
  const s = tf.tensor2d([[0.5, -1.5]]);
  const h = tf.randomNormal([5, 4], 0, 1, 'float32', 9) as tf.Tensor2D;
  const w = tf.add(tf.reshape(tf.matMul(s, unit.gw), [4, 3]), unit.cw);
  const b = tf.add(tf.reshape(tf.matMul(s, unit.gb), [3]), unit.cb);
  assertClose(unit.apply(h, s).dataSync(), tf.relu(tf.add(tf.matMul(h, w), b)).dataSync(), 'meta unit');
  tf.dispose([s, h, w, b, ...p.list]);
});

test('m2m: knowledge, meta attention over the experts, the residual meta tower and the head written out per domain; the attention is a gate to the diagnostics', async () => {
  await selectBackend('wasm');
  const s = scenario('tiny');
  const p = modelInputs(s, 3);
  const config = s.training;
  const params = new Params(4);
  const model = strategy('m2m').create({ data: p.ds, config, params, prior: priorOf(p.ds, p.split.train) }) as Trainable;
  const v = (n: string) => variable(params, n);
  const relu = (x: tf.Tensor, w: tf.Tensor, bias: tf.Tensor) => tf.relu(tf.add(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), bias));
  const meta = (name: string, sk: tf.Tensor, inDim: number, outDim: number) => ({
    w: tf.add(tf.reshape(tf.matMul(sk as tf.Tensor2D, v(`${name}/gw`)), [inDim, outDim]), v(`${name}/cw`)),
    b: tf.add(tf.reshape(tf.matMul(sk as tf.Tensor2D, v(`${name}/gb`)), [outDim]), v(`${name}/cb`)),
  });
  const check = (what: string) => {
    for (let d = 0; d < p.ds.domains; d++) {
      const b = domainBatch(p, d, 25);
      const want = tf.tidy(() => {
        const x = tf.concat([tf.reshape(tf.mul(tf.gather(v('emb/table'), b.cat), tf.expandDims(b.catMask, 2)), [b.size, -1]), b.num], 1);
        const experts = Array.from({ length: config.experts }, (_, k) =>
          config.hidden.reduce((h: tf.Tensor, _w, l) => relu(h, v(`expert${k}/${l}/w`), v(`expert${k}/${l}/b`)), x),
        );
        const m = config.hidden[config.hidden.length - 1];
        const sk = relu(tf.slice(v('scenario/domain'), [d, 0], [1, -1]), v('scenario/mlp/w'), v('scenario/mlp/b'));
        const att = meta('attention', sk, m + config.embeddingDim, m);
        const t = tf.tile(v('task/click'), [b.size, 1]);
        const logits = tf.concat(
          experts.map((e) => tf.matMul(relu(tf.concat([e, t], 1), att.w, att.b), v('attention/v'))),
          1,
        );
        const alpha = tf.softmax(logits);
        let h: tf.Tensor = tf.addN(experts.map((e, k) => tf.mul(e, tf.slice(alpha, [0, k], [-1, 1]))));
        config.tower.forEach((_, l) => {
          const u = meta(`tower${l}`, sk, m, m);
          h = tf.add(relu(h, u.w, u.b), h);
        });
        return tf.add(tf.reshape(tf.add(tf.matMul(h as tf.Tensor2D, v('head/w')), v('head/b')), [b.size]), tf.slice(v('head/domain'), [d], [1])).dataSync();
      });
      assertClose(model.forward(b, false).click.dataSync(), want, `${what}, domain ${d}`);
    }
  };
  check('at initialisation');
  const before = Array.from(v('scenario/domain').dataSync());
  trainOnDomain(p, model, params, config, 1, 3);
  const after = Array.from(v('scenario/domain').dataSync());
  const dim = config.embeddingDim;
  const rowMoved = (d: number) => after.slice(d * dim, (d + 1) * dim).some((x, i) => x !== before[d * dim + i]);
  assert.ok(rowMoved(1) && !rowMoved(0) && !rowMoved(2), "a domain's batches move its own scenario embedding only");
  check('after training domain 1');
  const records = recordMixtures(() => {
    model.forward(domainBatch(p, 0, 10), false);
  });
  assert.deepEqual(
    records.map((r) => r.gate),
    ['attention'],
    'one gate, named: the attention over the experts',
  );
  assert.equal(records[0].experts.length, config.experts);
  tf.dispose(params.list);
});
