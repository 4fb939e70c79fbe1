// `pepnet`: PEPNet, Parameter and Embedding Personalized Network (Chang et al., KDD 2023,
// "PEPNet: Parameter and Embedding Personalized Network for Infusing with Personalized Prior
// Information", §3). Two gates of one kind, the Gate NU (§3.2, eq. 1–2): a two-layer network
//   δ = γ · σ(W₂ · relu(W₁ x + b₁) + b₂),   γ = 2,
// so a gate scales what it multiplies by (0, 2), 1 when its output layer is zero.
//  - EPNet (§3.3, eq. 3–4): the domain-side input (the domain's embedding) beside the general
//    embedding E, with E's gradient stopped, gives one factor per feature field:
//      δ_domain = U_ep(E(F_d) ⊕ ∅(E)),   O_ep = δ_domain ⊗ E   (each field's block scaled by its factor).
//  - PPNet (§3.4, eq. 5–7): the personal prior (here the user's experience level, crossab's
//    user-side prior; the user and item fields are in E) beside O_ep, again with the gradient
//    stopped, gives per hidden layer l one factor per unit:
//      δ_l = U_pp^l(E(F_u) ⊕ ∅(O_ep)),   h_l = relu(W_l h_{l−1} + b_l) ⊗ δ_l.
// The paper's tasks are several towers over one PPNet; crossab's task is the click, with a tower
// per domain as shared-bottom has. Each gate's output layer starts at zero, so training begins from
// shared-bottom (as crossab's POSO does): the paper gives no initialisation.
import * as tf from '@tensorflow/tfjs-core';
import { Dense, DomainEmbedding, GateNU } from './blocks.js';
import { featureEmbedding, domainTowers } from './parts.js';
import { ACTIVITY_LEVELS } from '../data/dataset.js';
import type { Model, StrategyInfo } from './model.js';

/** x with no gradient flowing back through it (the paper's ∅): the gates read, never train, what they gate. */
export const stopGradient = tf.customGrad((...args: unknown[]) => ({
  value: tf.clone(args[0] as tf.Tensor),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as (x: tf.Tensor2D) => tf.Tensor2D;

/**
 * [fields × width] of 0/1 (row-major): row f is 1 over field f's columns of the embedding (fc blocks of `dim`,
 * then one column per numeric field), so δ [B × fields] · this = each column's field factor.
 */
export function fieldSpread(fc: number, fn: number, dim: number): number[] {
  const fields = fc + fn;
  const width = fc * dim + fn;
  const m = new Array<number>(fields * width).fill(0);
  for (let f = 0; f < fc; f++) for (let k = 0; k < dim; k++) m[f * width + f * dim + k] = 1;
  for (let j = 0; j < fn; j++) m[(fc + j) * width + fc * dim + j] = 1;
  return m;
}

export const pepnet: StrategyInfo = {
  name: 'pepnet',
  summary: "PEPNet: the embedding gated per field by the domain (EPNet), each hidden layer's units by the user's prior (PPNet)",
  create(ctx): Model {
    const { data, config, params, prior } = ctx;
    const dim = config.embeddingDim;
    const emb = featureEmbedding(ctx);
    const dom = new DomainEmbedding(params, 'ep', data.domains, dim);
    const fields = data.fc + data.fn;
    const ep = new GateNU(params, 'ep/gate', dim + emb.outDim, Math.max(8, fields), fields);
    // Not trained: state, so it is disposed and saved with the weights.
    const spread = params.values('ep/spread', [fields, emb.outDim], fieldSpread(data.fc, data.fn, dim), false);
    const activity = params.normal('pp/activity', [ACTIVITY_LEVELS, dim], 0.05);
    const dims = [emb.outDim, ...config.hidden];
    const layers = config.hidden.map((h, l) => new Dense(params, `bottom/${l}`, dims[l], h));
    const pp = config.hidden.map((h, l) => new GateNU(params, `pp/gate${l}`, dim + emb.outDim, Math.max(8, h >> 1), h));
    const towers = domainTowers(ctx, 'tower', dims[dims.length - 1], prior.click);
    return {
      conversion: false,
      forward(b) {
        const e = emb.apply(b);
        const deltaDomain = ep.apply(tf.concat([dom.apply(b), stopGradient(e)], 1));
        const oep = tf.mul(e, tf.matMul(deltaDomain, spread)) as tf.Tensor2D;
        const personal = tf.concat([tf.gather(activity, b.activity) as tf.Tensor2D, stopGradient(oep)], 1);
        const h = layers.reduce((x, layer, l) => tf.mul(layer.apply(x), pp[l].apply(personal)) as tf.Tensor2D, oep);
        return { click: towers[b.domain].apply(h) };
      },
    };
  },
};
