// `shared-bottom`: hard parameter sharing (Caruana 1997; the MMoE paper's baseline): a shared bottom
// MLP over the embedded features and one tower per domain. With `conversion`, each domain also gets
// a CVR tower trained ESMM-style (Ma et al., SIGIR 2018, eq. 1–3): pCTCVR = pCTR · pCVR over all
// impressions, so conversion is learned without sample-selection bias.
import { FeatureEmbedding, MLP, Tower } from './blocks.js';
import type { Model, StrategyInfo } from './model.js';

export function sharedBottom(name: string, conversion: boolean): StrategyInfo {
  return {
    name,
    summary: conversion ? 'shared-bottom with ESMM conversion towers (pCTCVR = pCTR · pCVR)' : 'shared bottom MLP, one tower per domain',
    create({ data, config, params, prior }): Model {
      const emb = new FeatureEmbedding(params, 'emb', data.tableRows, data.fc, data.fn, config.embeddingDim);
      const bottom = new MLP(params, 'bottom', emb.outDim, config.hidden);
      const towers = Array.from({ length: data.domains }, (_, d) => new Tower(params, `tower${d}`, bottom.outDim, config.tower, prior.click[d]));
      const cvr = conversion ? Array.from({ length: data.domains }, (_, d) => new Tower(params, `cvr${d}`, bottom.outDim, config.tower, prior.cvr[d])) : [];
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
