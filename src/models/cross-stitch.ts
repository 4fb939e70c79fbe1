// `cross-stitch`: Cross-stitch networks (Misra, Shrivastava, Gupta, Hebert, CVPR 2016, §3, eq. 1)
// with domains as the tasks. Each domain has its own MLP column; after every hidden layer, a learned
// cross-stitch unit mixes the columns' activations:
//   x̃_d^l = Σ_e α^l_{d,e} x_e^l,
// initialised to (α_S, α_D) = (0.9, 0.1 / (D − 1)) so each domain starts mostly on its own column
// (the paper's best initialisation, §4.1). The shared embedding feeds every column; towers per domain.
import * as tf from '@tensorflow/tfjs-core';
import { Dense } from './blocks.js';
import { featureEmbedding, domainTowers } from './parts.js';
import type { Model, StrategyInfo } from './model.js';

export const crossStitch: StrategyInfo = {
  name: 'cross-stitch',
  cost: 3,
  summary: 'one MLP column per domain joined by learned cross-stitch units after every layer',
  create(ctx): Model {
    const { data, config, params, prior } = ctx;
    const D = data.domains;
    const emb = featureEmbedding(ctx);
    const dims = [emb.outDim, ...config.hidden];
    const columns = Array.from({ length: D }, (_, d) => config.hidden.map((h, l) => new Dense(params, `col${d}/${l}`, dims[l], h)));
    const selfShare = D > 1 ? 0.9 : 1;
    const alpha = config.hidden.map((_, l) => {
      const init = Array.from({ length: D * D }, (_, k) => (Math.floor(k / D) === k % D ? selfShare : (1 - selfShare) / Math.max(1, D - 1)));
      return params.values(`stitch${l}`, [D, D], init);
    });
    const towers = domainTowers(ctx, 'tower', dims[dims.length - 1], prior.click);
    return {
      conversion: false,
      forward(b) {
        const x = emb.apply(b);
        let xs: tf.Tensor2D[] = Array.from({ length: D }, () => x);
        const L = config.hidden.length;
        for (let l = 0; l < L; l++) {
          const hs = columns.map((col, d) => col[l].apply(xs[d]));
          const stacked = tf.stack(hs, 0) as tf.Tensor3D; // [D, B, h]
          if (l === L - 1) {
            // Only the batch's domain needs the top mix.
            const row = tf.slice(alpha[l], [b.domain, 0], [1, D]);
            xs = [tf.reshape(tf.sum(tf.mul(stacked, tf.reshape(row, [D, 1, 1])), 0), hs[0].shape) as tf.Tensor2D];
          } else {
            const [, B, h] = stacked.shape;
            const mixed = tf.reshape(tf.matMul(alpha[l], tf.reshape(stacked, [D, B * h])), [D, B, h]);
            xs = tf.unstack(mixed, 0) as tf.Tensor2D[];
          }
        }
        return { click: towers[b.domain].apply(xs[0]) };
      },
    };
  },
};
