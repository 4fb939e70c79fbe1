// `soft-sharing`: soft parameter sharing (Duong, Cohn, Bird & Cook, ACL 2015, "Low Resource Dependency
// Parsing: Cross-lingual Parameter Sharing in a Neural Network Parser", §3): each domain has a network
// of its own, and the loss adds an L2 penalty on the distance between their corresponding weights, so
// the domains share as much as the data lets them — from separate networks (weight 0) towards one
// shared network (a large weight). With D domains the pairwise penalty Σ_{d<e} ‖W_d − W_e‖² equals
// D · Σ_d ‖W_d − W̄‖² (W̄ the domains' mean), which is what is computed:
//   loss = BCE + λ · Σ_l Σ_d ‖W_l^d − W̄_l‖²_F,   λ = training.softSharing (1e-4 when absent),
// over every hidden layer's weight matrix (not the biases). The embedding is shared, as in
// cross-stitch, so the two compare the same columns; one tower per domain.
import * as tf from '@tensorflow/tfjs-core';
import { MLP } from './blocks.js';
import { featureEmbedding, domainTowers } from './parts.js';
import type { Model, StrategyInfo } from './model.js';

export const DEFAULT_SOFT_SHARING = 1e-4;

/** Σ_l Σ_d ‖W_l^d − W̄_l‖²: how far the domains' corresponding weights are from their mean. */
export function spread(columns: MLP[]): tf.Scalar {
  const layers = columns[0].layers.length;
  const terms = Array.from({ length: layers }, (_, l) => {
    const ws = columns.map((c) => c.layers[l].w);
    const mean = tf.div(tf.addN(ws), ws.length);
    return tf.addN(ws.map((w) => tf.sum(tf.square(tf.sub(w, mean)))));
  });
  return tf.addN(terms) as tf.Scalar;
}

export const softSharing: StrategyInfo = {
  name: 'soft-sharing',
  settings: ['softSharing'],
  cost: 2,
  summary: "one MLP per domain over a shared embedding, an L2 penalty pulling the domains' weights together (training.softSharing)",
  create(ctx): Model {
    const { data, config, params, prior } = ctx;
    const emb = featureEmbedding(ctx);
    const columns = Array.from({ length: data.domains }, (_, d) => new MLP(params, `col${d}`, emb.outDim, config.hidden));
    const towers = domainTowers(ctx, 'tower', columns[0].outDim, prior.click);
    const lambda = config.softSharing ?? DEFAULT_SOFT_SHARING;
    return {
      conversion: false,
      forward(b, training) {
        const click = towers[b.domain].apply(columns[b.domain].apply(emb.apply(b)));
        return training && lambda > 0 && data.domains > 1 ? { click, penalty: tf.mul(lambda, spread(columns)) as tf.Scalar } : { click };
      },
    };
  },
};
