// `poso`: personalisation gating in the PPNet / PEPNet / POSO family (POSO: Dai et al., "POSO:
// Personalized Cold Start Modules for Large-scale Recommender Systems", 2021, §4, eq. 5–6; PEPNet:
// Chang et al., KDD 2023, §3.3 Gate NU). A gate network reads personalisation features — the domain,
// the user's experience level (bucket of impressions before the request; bucket 0 = a new user) —
// and scales every hidden unit of the shared network:
//   h_l = relu(W_l h_{l−1} + b_l) ⊙ 2·σ(G_l(p)),   p = [e_domain, e_activity],
// so new and light users get their own sub-space of the network without a separate model. The gate
// starts at exactly 1 (zero output layer): training begins from plain shared-bottom, its gate-less twin.
import * as tf from '@tensorflow/tfjs-core';
import { Dense, DomainEmbedding, GateNU } from './blocks.js';
import { featureEmbedding, domainTowers } from './parts.js';
import { ACTIVITY_LEVELS } from '../data/dataset.js';
import type { Model, StrategyInfo } from './model.js';

export const poso: StrategyInfo = {
  name: 'poso',
  summary: 'shared-bottom whose hidden units are scaled by 2·sigmoid gates on domain and user experience (POSO / PEPNet)',
  create(ctx): Model {
    const { data, config, params, prior } = ctx;
    const emb = featureEmbedding(ctx);
    const dom = new DomainEmbedding(params, 'gate', data.domains, config.embeddingDim);
    const activity = params.normal('gate/activity', [ACTIVITY_LEVELS, config.embeddingDim], 0.05);
    const pDim = 2 * config.embeddingDim;
    const dims = [emb.outDim, ...config.hidden];
    const layers = config.hidden.map((h, l) => new Dense(params, `bottom/${l}`, dims[l], h));
    const gates = config.hidden.map((h, l) => new GateNU(params, `gate${l}`, pDim, Math.max(8, h >> 1), h));
    const towers = domainTowers(ctx, 'tower', dims[dims.length - 1], prior.click);
    return {
      conversion: false,
      forward(b) {
        const p = tf.concat([dom.apply(b), tf.gather(activity, b.activity) as tf.Tensor2D], 1);
        let h = emb.apply(b);
        layers.forEach((layer, l) => {
          h = tf.mul(layer.apply(h), gates[l].apply(p)) as tf.Tensor2D;
        });
        return { click: towers[b.domain].apply(h) };
      },
    };
  },
};
