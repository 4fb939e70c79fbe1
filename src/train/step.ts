// One optimiser step and what it minimises: the click loss, the conversion loss (ESMM's pCTCVR or a
// direct CTCVR head), the loss weighting across domains and tasks, a model's own penalty, L2; and the
// base-rate logits the output biases start from.
import * as tf from '@tensorflow/tfjs-core';
import type { TrainingConfig } from '../scenario/schema.js';
import type { LossWeighting } from '../models/weighting.js';
import type { Model, Prior, StepContext, Trainable } from '../models/model.js';
import { disposeBatch, makeBatch, type Batch, type Dataset } from '../data/dataset.js';

const logit = (p: number) => Math.log(Math.max(1e-4, p) / Math.max(1e-4, 1 - p));

/** Base-rate logits on the training rows, for initialising output biases. */
export function priorOf(ds: Dataset, train: Int32Array): Prior {
  const n = new Float64Array(ds.domains);
  const c = new Float64Array(ds.domains);
  const v = new Float64Array(ds.domains);
  for (const r of train) {
    n[ds.domain[r]]++;
    c[ds.domain[r]] += ds.click[r];
    v[ds.domain[r]] += ds.conv[r];
  }
  const sum = (a: Float64Array) => a.reduce((x, y) => x + y, 0);
  return {
    click: Array.from(n, (k, d) => logit(k ? c[d] / k : 0.05)),
    clickAll: logit(sum(c) / Math.max(1, sum(n))),
    cvr: Array.from(c, (k, d) => logit(k ? v[d] / k : 0.1)),
  };
}

/** log σ(x) = −(relu(−x) + log1p(exp(−|x|))); tf.logSigmoid's custom gradient uses disposed tensors inside minimize. */
function logSigmoid(x: tf.Tensor): tf.Tensor {
  return tf.neg(tf.add(tf.relu(tf.neg(x)), tf.log1p(tf.exp(tf.neg(tf.abs(x))))));
}

/** One batch's loss as training minimises it (before the model's extra loss and L2). */
export function batchLoss(model: Model, b: Batch, training: boolean, weighting: LossWeighting | null = null): tf.Scalar {
  const out = model.forward(b, training);
  const click = tf.losses.sigmoidCrossEntropy(b.click, out.click) as tf.Scalar;
  let conversion: tf.Scalar | null = null;
  if (out.cvr) {
    // ESMM: the conversion label is supervised through pCTCVR = pCTR · pCVR on every impression.
    const logP = tf.add(logSigmoid(out.click), logSigmoid(out.cvr));
    const p = tf.exp(logP);
    const ll = tf.add(tf.mul(b.conv, logP), tf.mul(tf.sub(1, b.conv), tf.log(tf.maximum(tf.sub(1, p), 1e-7))));
    conversion = tf.neg(tf.mean(ll)) as tf.Scalar;
  } else if (out.ctcvr) {
    conversion = tf.losses.sigmoidCrossEntropy(b.conv, out.ctcvr) as tf.Scalar;
  }
  const total = weighting && b.domain >= 0 ? weighting.combine(b.domain, click, conversion) : conversion ? (tf.add(click, conversion) as tf.Scalar) : click;
  return out.penalty ? (tf.add(total, out.penalty) as tf.Scalar) : total;
}

/**
 * One optimiser step on one batch: the batch loss, the model's extra loss (MAML's meta loss), L2 on
 * the trained variables; then the model's after-step hook. Returns the loss tensor (caller disposes).
 */
export function trainStep(
  model: Trainable,
  optimizer: tf.Optimizer,
  vars: tf.Variable[],
  ds: Dataset,
  spec: { domain: number; rows: Int32Array },
  ctx: StepContext,
  config: TrainingConfig,
): tf.Scalar {
  const b = makeBatch(ds, spec.rows, spec.domain);
  const extra = model.stepLoss?.(ctx) ?? null;
  const loss = optimizer.minimize(
    () => {
      const l = batchLoss(model, b, true, ctx.weighting ?? null);
      const total = extra ? tf.add(l, extra.loss()) : l;
      return (config.l2 > 0 ? tf.add(total, tf.mul(config.l2, tf.addN(vars.map((v) => tf.sum(tf.square(v)))))) : total) as tf.Scalar;
    },
    true,
    vars,
  )!;
  model.afterStep?.();
  extra?.dispose();
  disposeBatch(b);
  return loss;
}
