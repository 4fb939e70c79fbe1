// `shared-bottom`: hard parameter sharing (Caruana 1997; the MMoE paper's baseline): a shared bottom
// MLP over the embedded features and one tower per domain. With `conversion`, each domain also gets
// a CVR tower trained ESMM-style (Ma et al., SIGIR 2018, eq. 1–3): pCTCVR = pCTR · pCVR over all
// impressions, so conversion is learned without sample-selection bias.
import { MLP } from './blocks.js';
import { featureEmbedding, domainTowers } from './parts.js';
import type { Model, StrategyInfo } from './model.js';

export function sharedBottom(name: string, conversion: boolean): StrategyInfo {
  return {
    name,
    summary: conversion ? 'shared-bottom with ESMM conversion towers (pCTCVR = pCTR · pCVR)' : 'shared bottom MLP, one tower per domain',
    create(ctx): Model {
      const { config, params, prior } = ctx;
      const emb = featureEmbedding(ctx);
      const bottom = new MLP(params, 'bottom', emb.outDim, config.hidden);
      const towers = domainTowers(ctx, 'tower', bottom.outDim, prior.click);
      const cvr = conversion ? domainTowers(ctx, 'cvr', bottom.outDim, prior.cvr) : [];
      return {
        conversion,
        forward(b) {
          const h = bottom.apply(emb.apply(b));
          return { click: towers[b.domain].apply(h), cvr: conversion ? cvr[b.domain].apply(h) : undefined };
        },
      };
    },
  };
}
