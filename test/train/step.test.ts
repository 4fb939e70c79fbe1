// What one step minimises, checked against the formulas by hand on fixed logits, and the base-rate
// logits the output biases start from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/tf/backend.js';
import { batchLoss, priorOf, trainStep } from '../../src/train/step.js';
import { scenario } from '../helpers/scenarios.js';
import { modelInputs } from '../../src/data/inputs.js';
import { strategy } from '../../src/models/registry.js';
import { Params } from '../../src/models/blocks.js';
import type { Trainable } from '../../src/models/model.js';
import { lossWeighting } from '../../src/models/weighting.js';
import { rowsByDomain } from '../../src/data/dataset.js';
import { stream } from '../../src/world/rng.js';
import { adam } from '../../src/train/adam.js';
import type { Batch, Dataset } from '../../src/data/dataset.js';
import type { Model, Outputs } from '../../src/models/model.js';
import type { LossWeighting } from '../../src/models/weighting.js';

const logit = (p: number) => Math.log(p / (1 - p));

test("priorOf: each domain's click and conversion-given-click logits on the training rows; a domain without rows gets 5%", () => {
  // Domain 0: 4 rows, 1 click (with a conversion); domain 1: 2 rows, 2 clicks, no conversion; domain 2: none.
  const ds = {
    domains: 3,
    domain: Uint8Array.from([0, 0, 0, 0, 1, 1, 2]),
    click: Uint8Array.from([1, 0, 0, 0, 1, 1, 1]),
    conv: Uint8Array.from([1, 0, 0, 0, 0, 0, 0]),
  } as unknown as Dataset;
  const p = priorOf(ds, Int32Array.from([0, 1, 2, 3, 4, 5]));
  assert.ok(Math.abs(p.click[0] - logit(0.25)) < 1e-12);
  assert.equal(p.click[1], Math.log(1 / 1e-4), 'a rate of 1 is clamped at 1 − 1e-4 below');
  assert.ok(Math.abs(p.click[2] - logit(0.05)) < 1e-12, 'row 6 is not a training row');
  assert.ok(Math.abs(p.clickAll - logit(3 / 6)) < 1e-12);
  assert.deepEqual([p.cvr[0], p.cvr[1]], [Math.log(1 / 1e-4), Math.log(1e-4)]);
});

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const bce = (y: number[], p: number[]) => -y.reduce((a, yi, i) => a + yi * Math.log(p[i]) + (1 - yi) * Math.log(1 - p[i]), 0) / y.length;

test('the batch loss: click cross-entropy; with ESMM, + the cross-entropy of pCTCVR = σ(click)·σ(cvr) against conversions; with a CTCVR head, its own; + a model penalty; or the weighting’s combination', async () => {
  await selectBackend('cpu');
  const clickY = [1, 0, 0, 1];
  const convY = [1, 0, 0, 0];
  const zc = [0.3, -1.2, 0.1, 2];
  const zv = [-0.5, 0.4, -2, 1];
  const batch = { domain: 1, click: tf.tensor1d(clickY), conv: tf.tensor1d(convY) } as unknown as Batch;
  const model = (out: () => Outputs): Model => ({ conversion: true, forward: out }) as unknown as Model;
  const loss = (m: Model, w: LossWeighting | null = null) => tf.tidy(() => batchLoss(m, batch, true, w).dataSync()[0]);
  const click = bce(clickY, zc.map(sigmoid));
  assert.ok(Math.abs(loss(model(() => ({ click: tf.tensor1d(zc) }))) - click) < 1e-6);
  const esmm = bce(
    convY,
    zc.map((z, i) => sigmoid(z) * sigmoid(zv[i])),
  );
  assert.ok(Math.abs(loss(model(() => ({ click: tf.tensor1d(zc), cvr: tf.tensor1d(zv) }))) - (click + esmm)) < 1e-5);
  const head = bce(convY, zv.map(sigmoid));
  assert.ok(Math.abs(loss(model(() => ({ click: tf.tensor1d(zc), ctcvr: tf.tensor1d(zv) }))) - (click + head)) < 1e-6);
  assert.ok(Math.abs(loss(model(() => ({ click: tf.tensor1d(zc), penalty: tf.scalar(0.25) }))) - (click + 0.25)) < 1e-6);
  const seen: number[] = [];
  const weighting: LossWeighting = {
    logVariance: null,
    gradNorm: null,
    taskWeights: () => [1, 1],
    combine: (d, c, v) => {
      seen.push(d, v === null ? -1 : 1);
      return tf.mul(c, 3) as tf.Scalar;
    },
  };
  assert.ok(
    Math.abs(
      loss(
        model(() => ({ click: tf.tensor1d(zc) })),
        weighting,
      ) -
        3 * click,
    ) < 1e-6,
  );
  assert.deepEqual(seen, [1, -1], "the weighting gets the batch's domain, and no conversion loss when the model predicts none");
  tf.dispose([batch.click, batch.conv]);
});

test("with GradNorm, a step built from the two task gradients it took anyway is minimize's step: the same loss and, at weights 1, the same variables to float rounding", async () => {
  await selectBackend('wasm');
  const run = (gradNorm: boolean) => {
    const s = scenario('tiny', (r) => {
      r.training.l2 = 1e-4;
      r.training.lossWeights = gradNorm ? { gradNorm: {} } : { domains: {} };
    });
    const p = modelInputs(s, 6);
    const params = new Params(6, 'gradnorm-step/');
    const model = strategy('shared-bottom-esmm').create({ data: p.ds, config: s.training, params, prior: priorOf(p.ds, p.split.train) }) as Trainable;
    const weighting = lossWeighting(s.training, p.ds.domainNames, params);
    const rng = stream(6, 'gradnorm-step');
    // One batch per domain: GradNorm's weights move only after its domain's first step, so every step here is at weights 1.
    const batches = rowsByDomain(p.ds, p.split.train).map((rows, domain) => ({ domain, rows: rows.subarray(0, 64) }));
    const optimizer = adam(s.training.learningRate);
    const losses = batches.map((b) => {
      const l = trainStep(model, optimizer, params.list, p.ds, b, { ds: p.ds, train: p.split.train, history: p.history, rng, weighting }, s.training);
      const v = l.dataSync()[0];
      l.dispose();
      return v;
    });
    const values = params.list.map((v) => Float64Array.from(v.dataSync()));
    const moved = weighting?.gradNorm?.weights.map((w) => w[0]);
    optimizer.dispose();
    tf.dispose([...params.list, ...params.state]);
    return { losses, values, moved };
  };
  const plain = run(false);
  const fused = run(true);
  for (let k = 0; k < plain.losses.length; k++)
    assert.ok(Math.abs(fused.losses[k] - plain.losses[k]) < 1e-5 * plain.losses[k], `step ${k}: ${fused.losses[k]} vs ${plain.losses[k]}`);
  let worst = 0;
  plain.values.forEach((v, i) => v.forEach((x, j) => (worst = Math.max(worst, Math.abs(x - fused.values[i][j])))));
  assert.ok(worst < 1e-5, `largest difference ${worst}`);
  assert.ok(
    fused.moved?.every((w) => w !== 1),
    `every domain's weights moved after its step: ${fused.moved}`,
  );
});
