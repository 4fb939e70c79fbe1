// What nearly every strategy opens with, built one way: the embedding of a batch's features, and a
// tower per domain that starts at its domain's base rate. Parameter names and creation order are the
// ones the strategies used, so their weights (and every number a run gives) are unchanged.
import { FeatureEmbedding, Tower } from './blocks.js';
import type { StrategyContext } from './model.js';

/** One embedding table per categorical feature (the numeric features pass through), as `emb`. */
export function featureEmbedding({ data, config, params }: StrategyContext): FeatureEmbedding {
  return new FeatureEmbedding(params, 'emb', data.tableRows, data.fc, data.fn, config.embeddingDim);
}

/** A tower per domain named `${prefix}${d}` over inputs of width `inDim`, its output bias at `prior[d]` (a logit). */
export function domainTowers({ data, config, params }: StrategyContext, prefix: string, inDim: number, prior: readonly number[]): Tower[] {
  return Array.from({ length: data.domains }, (_, d) => new Tower(params, `${prefix}${d}`, inDim, config.tower, prior[d]));
}
