// `separate`: one independent model per domain (embedding → MLP → logit), each trained only on its
// own domain's impressions. The no-sharing baseline of every multi-domain paper.
import type * as tf from '@tensorflow/tfjs-core';
import { FeatureEmbedding, Tower } from './blocks.js';
import type { Model, StrategyInfo } from './model.js';

export const separate: StrategyInfo = {
  name: 'separate',
  cost: 2,
  summary: 'one model per domain, trained on that domain only',
  kind: 'per-domain',
  create({ data, config, params, prior }): Model {
    const nets = Array.from({ length: data.domains }, (_, d) => {
      const p = params.scope(`domain${d}`);
      const emb = new FeatureEmbedding(p, 'emb', data.tableRows, data.fc, data.fn, config.embeddingDim);
      return { emb, tower: new Tower(p, 'net', emb.outDim, [...config.hidden, ...config.tower], prior.click[d]) };
    });
    return {
      conversion: false,
      forward(b) {
        if (b.domain < 0) throw new Error('separate: batches must hold one domain');
        const n = nets[b.domain];
        return { click: n.tower.apply(n.emb.apply(b)) as tf.Tensor1D };
      },
    };
  },
};
