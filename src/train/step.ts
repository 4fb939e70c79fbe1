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
  const { click, conversion, penalty } = taskLosses(model, b, training);
  const total = weighting && b.domain >= 0 ? weighting.combine(b.domain, click, conversion) : conversion ? (tf.add(click, conversion) as tf.Scalar) : click;
  return penalty ? (tf.add(total, penalty) as tf.Scalar) : total;
}

/** Each task's unweighted loss on a batch (conversion: null for a click-only model), and the model's own penalty. */
function taskLosses(model: Model, b: Batch, training: boolean): { click: tf.Scalar; conversion: tf.Scalar | null; penalty: tf.Scalar | undefined } {
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
  return { click, conversion, penalty: out.penalty };
}

/** Each task's loss, its gradients, whether the model adds a penalty, and the norms GradNorm reads. */
interface TaskGradients {
  losses: [number, number];
  /** ‖∇_W L_i‖ over the weights W both task losses reach. */
  norms: [number, number];
  grads: [tf.NamedTensorMap, tf.NamedTensorMap];
  penalty: boolean;
}

/** GradNorm's inputs on a batch: a backward pass per task (the caller disposes the gradients). */
function taskGradients(model: Model, b: Batch, vars: tf.Variable[]): TaskGradients {
  let penalty = false;
  const click = tf.variableGrads(() => {
    const t = taskLosses(model, b, true);
    penalty = !!t.penalty;
    return t.click;
  }, vars);
  const conversion = tf.variableGrads(() => taskLosses(model, b, true).conversion ?? tf.scalar(0), vars);
  const shared = Object.keys(click.grads).filter((k) => conversion.grads[k]);
  const [nc, nv, lc, lv] = tf.tidy(() => {
    const sq = (g: tf.NamedTensorMap) => (shared.length ? tf.addN(shared.map((k) => tf.sum(tf.square(g[k])))) : tf.scalar(0));
    return tf.stack([tf.sqrt(sq(click.grads)), tf.sqrt(sq(conversion.grads)), click.value, conversion.value]).dataSync();
  });
  tf.dispose([click.value, conversion.value]);
  return { losses: [lc, lv], norms: [nc, nv], grads: [click.grads, conversion.grads], penalty };
}

/**
 * The step from the task gradients GradNorm took anyway: Σ_i c_i ∇L_i (c_i the tasks' weights now)
 * plus L2's 2λ·v — the gradient minimize would take, without a third forward and backward pass.
 * Returns the loss, as minimize would.
 */
function stepFromTasks(optimizer: tf.Optimizer, vars: tf.Variable[], t: TaskGradients, weights: readonly [number, number], l2: number): tf.Scalar {
  const [gc, gv] = t.grads;
  const [cc, cv] = weights;
  return tf.tidy(() => {
    // The loss at the weights the step starts from, as minimize reports it.
    const loss = tf.add(cc * t.losses[0] + cv * t.losses[1], l2 > 0 ? tf.mul(l2, tf.addN(vars.map((v) => tf.sum(tf.square(v))))) : 0) as tf.Scalar;
    const grads: tf.NamedTensorMap = {};
    for (const v of vars) {
      const parts = [gc[v.name] && tf.mul(gc[v.name], cc), gv[v.name] && tf.mul(gv[v.name], cv), l2 > 0 && tf.mul(v, 2 * l2)].filter(
        (x): x is tf.Tensor => !!x,
      );
      if (parts.length) grads[v.name] = parts.length === 1 ? parts[0] : tf.addN(parts);
    }
    optimizer.applyGradients(grads);
    return loss;
  });
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
  // GradNorm reads the task gradients at the step's weights; its update waits until the step is taken (the paper's Algorithm 1).
  const weighting = ctx.weighting ?? null;
  const gradNorm = weighting?.gradNorm && model.conversion && spec.domain >= 0 ? weighting.gradNorm : null;
  const tasks = gradNorm ? taskGradients(model, b, vars) : null;
  const extra = model.stepLoss?.(ctx) ?? null;
  const loss =
    tasks && weighting && !tasks.penalty && !extra
      ? stepFromTasks(optimizer, vars, tasks, weighting.taskWeights(spec.domain), config.l2)
      : optimizer.minimize(
          () => {
            const l = batchLoss(model, b, true, weighting);
            const total = extra ? tf.add(l, extra.loss()) : l;
            return (config.l2 > 0 ? tf.add(total, tf.mul(config.l2, tf.addN(vars.map((v) => tf.sum(tf.square(v)))))) : total) as tf.Scalar;
          },
          true,
          vars,
        )!;
  model.afterStep?.();
  if (gradNorm && tasks) {
    gradNorm.update(spec.domain, tasks.losses, tasks.norms);
    tf.dispose([...Object.values(tasks.grads[0]), ...Object.values(tasks.grads[1])]);
  }
  extra?.dispose();
  disposeBatch(b);
  return loss;
}
