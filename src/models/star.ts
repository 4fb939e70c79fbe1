// `star`: STAR, Star Topology Adaptive Recommender (Sheng et al., CIKM 2021, "One Model to Serve All").
//  - Partitioned normalisation (§3.3, eq. 3): z' = (γ·γ_d) (z − E_d)/√(Var_d + ε) + (β + β_d), with
//    batch moments in training (batches hold one domain) and per-domain moving moments at inference.
//  - Star-topology FCN (§3.2, eq. 1–2): layer weights W_d ⊙ W and biases b_d + b, shared ⊙ domain.
//  - Auxiliary network (§3.4): a 2-layer MLP on the domain indicator's embedding and the features,
//    whose logit s_a adds to the main logit s_m: p = σ(s_m + s_a).
import * as tf from '@tensorflow/tfjs-core';
import { DomainEmbedding, MLP, type Params } from './blocks.js';
import { featureEmbedding } from './parts.js';
import { dense } from '../tf/dense.js';
import type { Model, StrategyInfo } from './model.js';

export class StarLayer {
  readonly w: tf.Variable;
  readonly b: tf.Variable;
  readonly wd: tf.Variable[];
  readonly bd: tf.Variable[];
  constructor(
    p: Params,
    name: string,
    inDim: number,
    outDim: number,
    domains: number,
    readonly relu: boolean,
    biasInit = 0,
  ) {
    this.w = relu ? p.he(`${name}/w`, [inDim, outDim]) : p.glorot(`${name}/w`, [inDim, outDim]);
    this.b = p.constant(`${name}/b`, [outDim], biasInit);
    // Domain factors start at one, so each domain starts from the shared network.
    this.wd = Array.from({ length: domains }, (_, d) => p.constant(`${name}/w${d}`, [inDim, outDim], 1));
    this.bd = Array.from({ length: domains }, (_, d) => p.constant(`${name}/b${d}`, [outDim], 0));
  }
  apply(x: tf.Tensor2D, d: number): tf.Tensor2D {
    return dense(x, tf.mul(this.w, this.wd[d]) as tf.Tensor2D, tf.add(this.b, this.bd[d]) as tf.Tensor1D, this.relu ? 'relu' : 'linear');
  }
}

class PartitionedNorm {
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;
  readonly gammaD: tf.Variable[];
  readonly betaD: tf.Variable[];
  readonly mean: tf.Variable[];
  readonly variance: tf.Variable[];
  private readonly steps: number[];
  private pending: { d: number; mean: tf.Tensor; variance: tf.Tensor } | null = null;
  constructor(
    p: Params,
    dim: number,
    domains: number,
    private readonly momentum = 0.99,
  ) {
    this.gamma = p.constant('pn/gamma', [dim], 1);
    this.beta = p.constant('pn/beta', [dim], 0);
    this.gammaD = Array.from({ length: domains }, (_, d) => p.constant(`pn/gamma${d}`, [dim], 1));
    this.betaD = Array.from({ length: domains }, (_, d) => p.constant(`pn/beta${d}`, [dim], 0));
    this.mean = Array.from({ length: domains }, (_, d) => p.constant(`pn/mean${d}`, [dim], 0, false));
    this.variance = Array.from({ length: domains }, (_, d) => p.constant(`pn/var${d}`, [dim], 1, false));
    this.steps = Array(domains).fill(0);
  }
  apply(x: tf.Tensor2D, d: number, training: boolean): tf.Tensor2D {
    let mean: tf.Tensor;
    let variance: tf.Tensor;
    if (training) {
      ({ mean, variance } = tf.moments(x, 0));
      this.pending?.mean.dispose();
      this.pending?.variance.dispose();
      this.pending = { d, mean: tf.keep(tf.clone(mean)), variance: tf.keep(tf.clone(variance)) };
    } else {
      mean = this.mean[d];
      variance = this.variance[d];
    }
    const normed = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5)));
    return tf.add(tf.mul(normed, tf.mul(this.gamma, this.gammaD[d])), tf.add(this.beta, this.betaD[d])) as tf.Tensor2D;
  }
  /** Fold the last training batch's moments into its domain's moving moments. */
  update(): void {
    if (!this.pending) return;
    const { d, mean, variance } = this.pending;
    // A plain average for a domain's first steps: tail domains see few batches per epoch.
    const rate = Math.max(1 - this.momentum, 1 / ++this.steps[d]);
    tf.tidy(() => {
      this.mean[d].assign(tf.add(tf.mul(this.mean[d], 1 - rate), tf.mul(mean, rate)));
      this.variance[d].assign(tf.add(tf.mul(this.variance[d], 1 - rate), tf.mul(variance, rate)));
    });
    tf.dispose([mean, variance]);
    this.pending = null;
  }
}

export const star: StrategyInfo = {
  name: 'star',
  cost: 2,
  summary: 'STAR: star-topology FCN (shared ⊙ domain weights), partitioned normalisation, auxiliary network',
  create(ctx): Model {
    const { data, config, params, prior } = ctx;
    const D = data.domains;
    const emb = featureEmbedding(ctx);
    const pn = new PartitionedNorm(params, emb.outDim, D);
    const sizes = [...config.hidden, ...config.tower, 1];
    let inDim = emb.outDim;
    const layers = sizes.map((h, k) => {
      const last = k === sizes.length - 1;
      const layer = new StarLayer(params, `star${k}`, inDim, h, D, !last, last ? prior.clickAll : 0);
      inDim = h;
      return layer;
    });
    const dom = new DomainEmbedding(params, 'aux', D, config.embeddingDim);
    const aux = new MLP(params, 'aux', emb.outDim + config.embeddingDim, [config.tower[0] ?? 8, 1], 'linear');
    return {
      conversion: false,
      forward(b, training) {
        const x = emb.apply(b);
        const main = layers.reduce((h, l) => l.apply(h, b.domain), pn.apply(x, b.domain, training));
        const sa = aux.apply(tf.concat([dom.apply(b), x], 1));
        return { click: tf.reshape(tf.add(main, sa), [-1]) as tf.Tensor1D };
      },
      afterStep: () => pn.update(),
    };
  },
};
