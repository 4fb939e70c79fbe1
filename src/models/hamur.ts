// `hamur`: HAMUR (Li, Yan, Zhao, Wang, Chen, Guo, Tang, CIKM 2023, "HAMUR: Hyper Adapter for
// Multi-Domain Recommendation", §3, and the authors' MLP-backbone code). Each domain has a backbone of
// its own — an MLP column over the shared embedding — and after its last hidden layer an adapter cell
// whose weights a hyper-network shared by every domain generates for each sample, in low-rank form:
//   H(x) = hyper([e(x), e_d])                      a k × k matrix per sample (an MLP, ReLU output)
//   W₁(x) = U₁ · H(x) · V₁   (m × 32),   W₂(x) = U₂ · H(x) · V₂   (32 × m)
//   a = σ(h · W₁(x) + b₁) · W₂(x) + b₂
//   h' = h + γ_d ⊙ (a − mean_B(a)) / √(var_B(a) + ε) + β_d      (the "domain norm", then the short-cut)
// k = training.hamurRank (8 when absent); 32 is the code's bottleneck; the hyper-network has one hidden
// layer of 64. The domain norm normalises over the batch, which in crossab holds one domain, so its
// statistics and γ_d, β_d are the domain's; like the authors' code it uses the batch's statistics when
// predicting too (crossab predicts one domain's rows at a time, in chunks of up to 4,096). Departures
// from that code, and why: the backbone has no batch normalisation (no crossab MLP has one); U and V
// start He-uniform, not at ones (at ones every generated weight of a layer is the same number); each
// domain's output is a crossab tower (the code's linear output is a tower without hidden layers).
import * as tf from '@tensorflow/tfjs-core';
import { DomainEmbedding, MLP, type Params } from './blocks.js';
import { featureEmbedding, domainTowers } from './parts.js';
import type { Model, StrategyInfo } from './model.js';

export const DEFAULT_HAMUR_RANK = 8;
/** The adapter's bottleneck width and the hyper-network's hidden layer, as in the authors' code. */
export const HAMUR_BOTTLENECK = 32;
export const HAMUR_HYPER_HIDDEN = 64;
const EPS = 1e-5;

/** x · U · H(x) · V for a batch: the generated weight W(x) = U·H(x)·V never formed, two thin products and a k × k one per sample. */
export function lowRankApply(x: tf.Tensor2D, u: tf.Tensor2D, h: tf.Tensor3D, v: tf.Tensor2D): tf.Tensor2D {
  const [n, k] = [x.shape[0], u.shape[1]];
  const xu = tf.reshape(tf.matMul(x, u), [n, 1, k]);
  return tf.matMul(tf.reshape(tf.matMul(xu, h), [n, k]), v) as tf.Tensor2D;
}

class AdapterCell {
  readonly u1: tf.Variable;
  readonly v1: tf.Variable;
  readonly b1: tf.Variable;
  readonly u2: tf.Variable;
  readonly v2: tf.Variable;
  readonly b2: tf.Variable;
  readonly gamma: tf.Variable[];
  readonly beta: tf.Variable[];
  constructor(p: Params, m: number, k: number, domains: number) {
    this.u1 = p.he('adapter/u1', [m, k]);
    this.v1 = p.he('adapter/v1', [k, HAMUR_BOTTLENECK]);
    this.b1 = p.constant('adapter/b1', [HAMUR_BOTTLENECK], 0);
    this.u2 = p.he('adapter/u2', [HAMUR_BOTTLENECK, k]);
    this.v2 = p.glorot('adapter/v2', [k, m]);
    this.b2 = p.constant('adapter/b2', [m], 0);
    this.gamma = Array.from({ length: domains }, (_, d) => p.constant(`adapter/gamma${d}`, [m], 1));
    this.beta = Array.from({ length: domains }, (_, d) => p.constant(`adapter/beta${d}`, [m], 0));
  }
  apply(x: tf.Tensor2D, h: tf.Tensor3D, domain: number): tf.Tensor2D {
    const s = tf.sigmoid(tf.add(lowRankApply(x, this.u1 as tf.Tensor2D, h, this.v1 as tf.Tensor2D), this.b1)) as tf.Tensor2D;
    const a = tf.add(lowRankApply(s, this.u2 as tf.Tensor2D, h, this.v2 as tf.Tensor2D), this.b2);
    const { mean, variance } = tf.moments(a, 0);
    const normed = tf.div(tf.sub(a, mean), tf.sqrt(tf.add(variance, EPS)));
    return tf.add(x, tf.add(tf.mul(this.gamma[domain], normed), this.beta[domain])) as tf.Tensor2D;
  }
}

export const hamur: StrategyInfo = {
  name: 'hamur',
  settings: ['hamurRank'],
  cost: 2,
  summary:
    'HAMUR: one MLP per domain, each followed by an adapter whose weights a shared hyper-network generates per sample (U·H(x)·V, rank training.hamurRank)',
  create(ctx): Model {
    const { data, config, params, prior } = ctx;
    const k = config.hamurRank ?? DEFAULT_HAMUR_RANK;
    const emb = featureEmbedding(ctx);
    const dom = new DomainEmbedding(params, 'hyper', data.domains, config.embeddingDim);
    const columns = Array.from({ length: data.domains }, (_, d) => new MLP(params, `col${d}`, emb.outDim, config.hidden));
    const m = columns[0].outDim;
    const hyper = new MLP(params, 'hyper/mlp', emb.outDim + config.embeddingDim, [HAMUR_HYPER_HIDDEN, k * k]);
    const adapter = new AdapterCell(params, m, k, data.domains);
    const towers = domainTowers(ctx, 'tower', m, prior.click);
    return {
      conversion: false,
      forward(b) {
        const e = emb.apply(b);
        const h = tf.reshape(hyper.apply(tf.concat([e, dom.apply(b)], 1)), [e.shape[0], k, k]) as tf.Tensor3D;
        return { click: towers[b.domain].apply(adapter.apply(columns[b.domain].apply(e), h, b.domain)) };
      },
    };
  },
};
