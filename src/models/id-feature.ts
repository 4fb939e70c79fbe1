// `id-feature`: one shared model for all domains with the domain ID as an extra embedded feature
// (the simplest way to let one model serve many scenarios).
import * as tf from '@tensorflow/tfjs-core';
import { DomainEmbedding, Tower } from './blocks.js';
import { featureEmbedding } from './parts.js';
import type { Model, StrategyInfo } from './model.js';

export const idFeature: StrategyInfo = {
  name: 'id-feature',
  summary: 'one shared model; the domain ID is an embedded input feature',
  create(ctx): Model {
    const { data, config, params, prior } = ctx;
    const emb = featureEmbedding(ctx);
    const dom = new DomainEmbedding(params, 'emb', data.domains, config.embeddingDim);
    const net = new Tower(params, 'net', emb.outDim + config.embeddingDim, [...config.hidden, ...config.tower], prior.clickAll);
    return {
      conversion: false,
      forward: (b) => ({ click: net.apply(tf.concat([emb.apply(b), dom.apply(b)], 1)) }),
    };
  },
};
