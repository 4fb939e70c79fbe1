// STAR (Sheng et al. 2021) against its equations: a star-topology layer is relu(x (W ⊙ W_d) + b + b_d)
// (eq. 1–2); partitioned normalisation (eq. 3) uses the batch's moments in training and the domain's
// moving ones at inference, and a domain's first batch sets them — so serving that batch reproduces
// training on it, while another domain's moments stay where they started.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/tf/backend.js';
import { modelInputs } from '../../src/data/inputs.js';
import { makeBatch } from '../../src/data/dataset.js';
import { Params } from '../../src/models/blocks.js';
import { StarLayer, star } from '../../src/models/star.js';
import { scenario } from '../helpers/scenarios.js';

const close = (a: ArrayLike<number>, b: ArrayLike<number>, what: string, tol = 1e-5) => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) < tol, `${what}[${i}]: ${a[i]} vs ${b[i]}`);
};

test('a star-topology layer multiplies the shared weights by the domain’s, adds both biases, then ReLU', async () => {
  await selectBackend('wasm');
  const layer = new StarLayer(new Params(3), 's', 4, 3, 2, true);
  layer.wd[1].assign(tf.randomUniform([4, 3], 0.5, 1.5, 'float32', 9));
  layer.bd[1].assign(tf.tensor1d([0.1, -0.2, 0.3]));
  const x = tf.randomNormal([5, 4], 0, 1, 'float32', 4) as tf.Tensor2D;
  for (const d of [0, 1]) {
    const want = tf.relu(tf.add(tf.matMul(x, tf.mul(layer.w, layer.wd[d])), tf.add(layer.b, layer.bd[d])));
    close(layer.apply(x, d).dataSync(), want.dataSync(), `domain ${d}`);
  }
  // Domain factors start at one: an untouched domain is the shared network.
  close(layer.apply(x, 0).dataSync(), tf.relu(tf.add(tf.matMul(x, layer.w), layer.b)).dataSync(), 'shared');
});

test("partitioned normalisation: a domain's first training batch sets its serving moments; other domains keep theirs", async () => {
  await selectBackend('wasm');
  const p = modelInputs(scenario('tiny'), 7);
  const config = p.world.scenario.training;
  const model = star.create({ data: p.ds, config, params: new Params(2), prior: { click: [-2, -2, -2], clickAll: -2.2, cvr: [0, 0, 0] } });
  const batchOf = (d: number) =>
    makeBatch(
      p.ds,
      Array.from(p.split.train)
        .filter((r) => p.ds.domain[r] === d)
        .slice(0, 64),
      d,
    );
  const b1 = batchOf(1);
  const b2 = batchOf(2);
  const servedBefore = model.forward(b2, false).click.dataSync();
  const trained = model.forward(b1, true).click.dataSync();
  model.afterStep!();
  close(model.forward(b1, false).click.dataSync(), trained, 'domain 1 served after its first batch', 1e-4);
  close(model.forward(b2, false).click.dataSync(), servedBefore, 'domain 2 untouched');
  const trained2 = model.forward(b2, true).click.dataSync();
  assert.ok(
    trained2.some((v, i) => Math.abs(v - servedBefore[i]) > 1e-4),
    "domain 2's batch moments are not its starting ones",
  );
});
