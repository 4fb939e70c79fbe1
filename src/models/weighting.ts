// Loss weighting across domains and tasks, for any strategy (training.lossWeights):
//  - fixed weights: a domain's batches and the click / conversion losses are scaled by given factors,
//    to study the seesaw between head and tail domains;
//  - uncertainty weighting (Kendall, Gal, Cipolla, CVPR 2018, eq. 7 for classification-like losses):
//    one learned s = log σ² per (domain, task), loss = Σ_t exp(−s_t) · w_t · L_t + ½ s_t, so a task
//    whose loss stays high (noisy, hard) is down-weighted automatically;
//  - GradNorm (Chen, Badrinarayanan, Lee, Rabinovich, ICML 2018, eq. 1–3): per domain, the click and
//    conversion weights w_i move by the gradient of Σ_i |G_i − Ḡ · r_i^α|, where G_i = w_i ‖∇_W L_i‖
//    on the weights W both task losses reach, Ḡ their mean, r_i = (L_i / L_i(0)) / mean_j (L_j / L_j(0))
//    the task's relative inverse training rate; the target Ḡ · r_i^α is held constant, so the step is
//    sign(G_i − target_i) · ‖∇_W L_i‖; then the weights are renormalised to sum to the number of tasks.
// Batches hold one domain, so a step weighs only its domain's tasks. The learned s live under
// `loss/domain<d>/`, so per-domain strategies train their own.
import * as tf from '@tensorflow/tfjs-core';
import type { TrainingConfig } from '../scenario/schema.js';
import type { Params } from './blocks.js';

export interface LossWeighting {
  /** Combine one batch's click loss and (when the model predicts conversion) conversion loss. */
  combine(domain: number, click: tf.Scalar, conversion: tf.Scalar | null): tf.Scalar;
  /** The learned log-variances per domain and task (for inspection), or null when fixed. */
  readonly logVariance: { click: tf.Variable; conversion: tf.Variable }[] | null;
  /** GradNorm's task weights per domain, or null without it. */
  readonly gradNorm: GradNorm | null;
  /** The constant factors of a domain's click and conversion losses (domain × task × GradNorm weights); with uncertainty weighting not constants, so not for that. */
  taskWeights(domain: number): [number, number];
}

/** GradNorm's click and conversion weights per domain, moved after each step from that step's task losses and gradient norms. */
export interface GradNorm {
  /** Per domain: [click, conversion], summing to 2. */
  readonly weights: Float64Array[];
  update(domain: number, losses: readonly [number, number], norms: readonly [number, number]): void;
}

/** Below this a task weight stops: GradNorm's step could otherwise push a weight through zero. */
const MIN_TASK_WEIGHT = 1e-3;

/**
 * One GradNorm update of task weights `w` in place, from the tasks' losses now and at the first
 * step and their unweighted gradient norms ‖∇_W L_i‖ (see the file's head).
 */
export function gradNormStep(
  w: Float64Array,
  initial: ArrayLike<number>,
  losses: ArrayLike<number>,
  norms: ArrayLike<number>,
  alpha: number,
  lr: number,
): void {
  const T = w.length;
  const mean = (f: (i: number) => number) => Array.from({ length: T }, (_, i) => f(i)).reduce((a, b) => a + b, 0) / T;
  const weightedNorm = (i: number) => w[i] * norms[i];
  const meanNorm = mean(weightedNorm);
  const rate = (i: number) => losses[i] / initial[i];
  const meanRate = mean(rate);
  const step = Array.from({ length: T }, (_, i) => Math.sign(weightedNorm(i) - meanNorm * (rate(i) / meanRate) ** alpha) * norms[i]);
  for (let i = 0; i < T; i++) w[i] = Math.max(MIN_TASK_WEIGHT, w[i] - lr * step[i]);
  const sum = w.reduce((a, b) => a + b, 0);
  for (let i = 0; i < T; i++) w[i] *= T / sum;
}

function gradNormOf(domains: number, alpha: number, lr: number): GradNorm {
  const weights = Array.from({ length: domains }, () => Float64Array.of(1, 1));
  const initial: (Float64Array | null)[] = new Array(domains).fill(null);
  return {
    weights,
    update(d, losses, norms) {
      // A step whose losses or norms are not finite (or a task with no gradient) teaches the weights nothing.
      if (![...losses, ...norms].every((x) => Number.isFinite(x) && x > 0)) return;
      initial[d] ??= Float64Array.from(losses);
      gradNormStep(weights[d], initial[d], losses, norms, alpha, lr);
    },
  };
}

export function lossWeighting(config: TrainingConfig, domainNames: string[], params: Params): LossWeighting | null {
  const lw = config.lossWeights;
  if (!lw) return null;
  const domainW = domainNames.map((n) => lw.domains?.[n] ?? 1);
  const logVariance = lw.uncertainty
    ? domainNames.map((_, d) => {
        const p = params.scope(`loss/domain${d}`);
        return { click: p.constant('s_click', [], 0), conversion: p.constant('s_conversion', [], 0) };
      })
    : null;
  const gradNorm = lw.gradNorm ? gradNormOf(domainNames.length, lw.gradNorm.alpha, lw.gradNorm.learningRate) : null;
  const term = (loss: tf.Scalar, w: number, s: tf.Variable | undefined): tf.Scalar =>
    (s ? tf.add(tf.mul(tf.mul(tf.exp(tf.neg(s)), w), loss), tf.mul(0.5, s)) : tf.mul(w, loss)) as tf.Scalar;
  const taskWeights = (domain: number): [number, number] => {
    // GradNorm's weights are constants here: they move by their own rule after the step, not by this loss's gradient.
    const [gc, gv] = gradNorm ? gradNorm.weights[domain] : [1, 1];
    return [domainW[domain] * lw.click * gc, domainW[domain] * lw.conversion * gv];
  };
  return {
    logVariance,
    gradNorm,
    taskWeights,
    combine(domain, click, conversion) {
      // A click-only model's GradNorm weights never move from 1 (its steps do not update them).
      const [wc, wv] = taskWeights(domain);
      const c = term(click, wc, logVariance?.[domain].click);
      return conversion ? (tf.add(c, term(conversion, wv, logVariance?.[domain].conversion)) as tf.Scalar) : c;
    },
  };
}
