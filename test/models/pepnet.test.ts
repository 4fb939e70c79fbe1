// PEPNet recomputed from its weights: the embedding scaled per field by EPNet's gate on the domain and
// the embedding, each hidden layer's units by PPNet's gate on the experience level and the gated
// embedding, both gates γ·σ(W₂·relu(W₁x + b₁) + b₂) with γ = 2 and their inputs' gradient stopped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/tf/backend.js';
import { modelInputs } from '../../src/data/inputs.js';
import { GATE_SCALE, Params } from '../../src/models/blocks.js';
import { fieldSpread, stopGradient } from '../../src/models/pepnet.js';
import { strategy } from '../../src/models/registry.js';
import { embed } from '../../src/tf/embed.js';
import type { Model } from '../../src/models/model.js';
import { scenario } from '../helpers/scenarios.js';
import { assertClose, domainBatch, variable, writtenTower } from '../helpers/models.js';

test('fieldSpread: row f is 1 over field f’s columns (categorical blocks of dim, then one column per numeric field)', () => {
  // fc = 2, fn = 1, dim = 2: width 5.
  assert.deepEqual(fieldSpread(2, 1, 2), [1, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 1]);
});

test('stopGradient passes the value and no gradient', async () => {
  await selectBackend('wasm');
  const x = tf.tensor2d([[1, 2]]);
  const g = tf.grad((t: tf.Tensor) => tf.sum(tf.add(tf.mul(t, 3), tf.mul(stopGradient(t as tf.Tensor2D), 5))))(x);
  assert.deepEqual(Array.from(g.dataSync()), [3, 3]);
  assert.deepEqual(Array.from(stopGradient(x).dataSync()), [1, 2]);
  tf.dispose([x, g]);
});

/** PEPNet written out from the model's variables; `frozen` feeds the gates constants in place of their inputs. */
function written(
  params: Params,
  b: ReturnType<typeof domainBatch>,
  dims: { fc: number; fn: number; dim: number },
  hidden: number[],
  towers: number,
  frozen: boolean,
): tf.Tensor {
  const w = (n: string) => variable(params, n) as tf.Tensor;
  const gate = (name: string, x: tf.Tensor) =>
    tf.mul(GATE_SCALE, tf.sigmoid(tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, w(`${name}/0/w`)), w(`${name}/0/b`))), w(`${name}/1/w`)), w(`${name}/1/b`))));
  const cut = (t: tf.Tensor) => (frozen ? tf.tensor(t.dataSync(), t.shape) : t);
  const e = embed(w('emb/table') as tf.Tensor2D, b, dims.fc, dims.fn, dims.dim);
  const dom = tf.gather(w('ep/domain'), b.domainIds);
  const oep = tf.mul(e, tf.matMul(gate('ep/gate', tf.concat([dom, cut(e)], 1)), w('ep/spread')));
  const personal = tf.concat([tf.gather(w('pp/activity'), b.activity), cut(oep)], 1);
  let h: tf.Tensor = oep;
  hidden.forEach((_, l) => {
    h = tf.mul(tf.relu(tf.add(tf.matMul(h, w(`bottom/${l}/w`)), w(`bottom/${l}/b`))), gate(`pp/gate${l}`, personal));
  });
  return writtenTower(params, b.domain, towers, h);
}

test('pepnet: untrained it is shared-bottom (the gates start at 1); with moved gates it is the paper’s formula, and no gradient reaches the embedding through a gate', async () => {
  await selectBackend('wasm');
  const p = modelInputs(scenario('tiny'), 7);
  const config = p.world.scenario.training;
  const prior = { click: [-2, -2.5, -3], clickAll: -2.4, cvr: [0, 0, 0] };
  const params = new Params(8);
  const model = strategy('pepnet').create({ data: p.ds, config, params, prior });
  const plain = strategy('shared-bottom').create({ data: p.ds, config, params: new Params(8), prior });
  for (let d = 0; d < p.ds.domains; d++) {
    const b = domainBatch(p, d, 30);
    assert.deepEqual(model.forward(b, false).click.dataSync(), plain.forward(b, false).click.dataSync(), `untrained, domain ${d}`);
  }
  // Move every gate off 1: random output layers, so each factor depends on its input.
  let seed = 11;
  for (const v of params.list.filter((x) => /^(ep\/gate|pp\/gate\d)\/1\//.test(x.name))) v.assign(tf.randomNormal(v.shape, 0, 0.5, 'float32', seed++));
  const towerLayers = config.tower.length;
  const dims = { fc: p.ds.fc, fn: p.ds.fn, dim: config.embeddingDim };
  for (let d = 0; d < p.ds.domains; d++) {
    const b = domainBatch(p, d, 30);
    const want = written(params, b, dims, config.hidden, towerLayers, false);
    assertClose(model.forward(b, false).click.dataSync(), want.dataSync(), `moved gates, domain ${d}`, 1e-5);
  }
  // The embedding's gradient is what it would be if the gates read constants: ∅ in both places.
  const b = domainBatch(p, 1, 30);
  const table = variable(params, 'emb/table');
  const gradOf = (f: () => tf.Tensor) => tf.variableGrads(() => tf.sum(f()) as tf.Scalar, [table]).grads[table.name];
  const got = gradOf(() => (model as Model).forward(b, true).click);
  const want = gradOf(() => written(params, b, dims, config.hidden, towerLayers, true));
  const moved = gradOf(() => written(params, b, dims, config.hidden, towerLayers, false));
  assertClose(got.dataSync(), want.dataSync(), 'the gradient with the gates’ inputs stopped', 1e-5);
  // And the check can fail: letting the gradient through the gates changes it.
  assert.ok(
    moved.dataSync().some((x, i) => Math.abs(x - want.dataSync()[i]) > 1e-4),
    'a gradient through the gates would differ',
  );
  tf.dispose([...params.list, ...params.state]);
});
