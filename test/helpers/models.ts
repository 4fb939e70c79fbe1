// What the strategies' formula tests share: a batch of one domain's test rows, a model's variable by
// name, a domain's tower and the gate-weighted sum written out, an element-wise comparison that
// names the row, and a few optimiser steps on one domain's training rows.
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { makeBatch, type Batch } from '../../src/data/dataset.js';
import type { TrainingInputs } from '../../src/data/inputs.js';
import type { Params } from '../../src/models/blocks.js';
import type { Trainable } from '../../src/models/model.js';
import type { TrainingConfig } from '../../src/scenario/schema.js';
import { trainStep } from '../../src/train/step.js';
import { adam } from '../../src/train/adam.js';
import { stream } from '../../src/world/rng.js';

/** The first `n` test-period rows of domain `d`, as a batch of that domain. */
export function domainBatch(p: TrainingInputs, d: number, n: number): Batch {
  return makeBatch(
    p.ds,
    Array.from(p.split.test)
      .filter((r) => p.ds.domain[r] === d)
      .slice(0, n),
    d,
  );
}

/** A model's variable (trained or state) by its name without the unique counter. */
export function variable(params: Params, name: string): tf.Variable {
  const v = params.list.concat(params.state).find((x) => x.name.split('#')[0] === name);
  assert.ok(v, `no variable '${name}'`);
  return v;
}

/** Domain d's tower (`tower${d}`: ReLU layers, then the head's one logit a row) on h, from the model's variables. */
export function writtenTower(params: Params, d: number, layers: number, h: tf.Tensor): tf.Tensor {
  const w = (n: string) => variable(params, `tower${d}/${n}`);
  for (let k = 0; k < layers; k++) h = tf.relu(tf.add(tf.matMul(h, w(`mlp/${k}/w`)), w(`mlp/${k}/b`)));
  return tf.reshape(tf.add(tf.matMul(h, w('head/w')), w('head/b')), [-1]);
}

/** Σ_i gate[:, i] · expert_i, written out term by term (the models use a fused kernel). */
export function gateMix(gate: tf.Tensor2D, experts: tf.Tensor2D[]): tf.Tensor2D {
  return experts.map((e, i) => tf.mul(e, tf.slice(gate, [0, i], [-1, 1]))).reduce((a, c) => tf.add(a, c)) as tf.Tensor2D;
}

/** Every value of `got` within `tol` of `want`'s, or a failure naming the first row that is not. */
export function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string, tol = 1e-4): void {
  assert.equal(got.length, want.length, `${what}: lengths`);
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i] - want[i]) < tol, `${what}, row ${i}: ${got[i]} vs ${want[i]}`);
}

/** `steps` Adam steps (rate 0.01) of `model` on the first 64 training rows of domain `d`: what a domain's batches move and what they leave alone. */
export function trainOnDomain(p: TrainingInputs, model: Trainable, params: Params, config: TrainingConfig, d: number, steps: number): void {
  const optimizer = adam(0.01);
  const rng = stream(d, 'train-on-domain');
  const rows = Int32Array.from(
    Array.from(p.split.train)
      .filter((r) => p.ds.domain[r] === d)
      .slice(0, 64),
  );
  for (let k = 0; k < steps; k++)
    trainStep(model, optimizer, params.list, p.ds, { domain: d, rows }, { ds: p.ds, train: p.split.train, history: p.history, rng }, config).dispose();
  optimizer.dispose();
}
