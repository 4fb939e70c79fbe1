// Loss weighting across domains and tasks, for any strategy (training.lossWeights):
//  - fixed weights: a domain's batches and the click / conversion losses are scaled by given factors,
//    to study the seesaw between head and tail domains;
//  - uncertainty weighting (Kendall, Gal, Cipolla, CVPR 2018, eq. 7 for classification-like losses):
//    one learned s = log σ² per (domain, task), loss = Σ_t exp(−s_t) · w_t · L_t + ½ s_t, so a task
//    whose loss stays high (noisy, hard) is down-weighted automatically.
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
  const term = (loss: tf.Scalar, w: number, s: tf.Variable | undefined): tf.Scalar =>
    (s ? tf.add(tf.mul(tf.mul(tf.exp(tf.neg(s)), w), loss), tf.mul(0.5, s)) : tf.mul(w, loss)) as tf.Scalar;
  return {
    logVariance,
    combine(domain, click, conversion) {
      const wd = domainW[domain];
      const c = term(click, wd * lw.click, logVariance?.[domain].click);
      return conversion ? (tf.add(c, term(conversion, wd * lw.conversion, logVariance?.[domain].conversion)) as tf.Scalar) : c;
    },
  };
}
