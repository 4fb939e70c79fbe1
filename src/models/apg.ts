// `apg`, `apg-mix`, `apg-self`: Adaptive Parameter Generation (Yan et al., "APG: Adaptive Parameter
// Generation Network for Click-Through Rate Prediction", NeurIPS 2022, §3.2–3.4). Each hidden layer's
// weights are generated from a condition z by a small generator network; with the paper's low-rank
// decomposition only a k × k core is generated and the outer factors are shared:
//   W(z) = U · S(z) · V,  S(z) = I + reshape(G z),  h = relu(x U S(z) V + b),
// so a layer costs two thin products plus a k × k one per sample. Conditions (the paper's variants):
//   group-wise `apg`: z = the domain's embedding (one parameter set per domain);
//   mix-wise `apg-mix`: z = [domain embedding, user experience-level embedding];
//   self-wise `apg-self`: z = the layer's own input (a parameter set per sample).
import * as tf from '@tensorflow/tfjs-core';
import { Dense, DomainEmbedding, FeatureEmbedding, type Params } from './blocks.js';
import { domainTowers } from './parts.js';
import { ACTIVITY_LEVELS, type Batch } from '../data/dataset.js';
import type { Model, StrategyInfo } from './model.js';

type Condition = 'group' | 'mix' | 'self';

class ApgLayer {
  readonly u: tf.Variable;
  readonly v: tf.Variable;
  readonly b: tf.Variable;
  readonly gen: Dense;
  constructor(
    p: Params,
    name: string,
    inDim: number,
    outDim: number,
    zDim: number,
    readonly k: number,
  ) {
    this.u = p.he(`${name}/u`, [inDim, k]);
    this.v = p.he(`${name}/v`, [k, outDim]);
    this.b = p.constant(`${name}/b`, [outDim], 0);
    this.gen = new Dense(p, `${name}/gen`, zDim, k * k, 'linear');
    // Small generated deviations at first: S starts near the identity, W near U·V.
    p.adjust(this.gen.w, (w) => tf.mul(w, 0.1));
  }
  apply(x: tf.Tensor2D, z: tf.Tensor2D): tf.Tensor2D {
    const n = x.shape[0];
    const s = tf.add(tf.reshape(this.gen.apply(z), [n, this.k, this.k]), tf.eye(this.k)); // [B, k, k]
    const xu = tf.reshape(tf.matMul(x, this.u), [n, 1, this.k]);
    const core = tf.reshape(tf.matMul(xu, s), [n, this.k]) as tf.Tensor2D;
    return tf.fused.matMul({ a: core, b: this.v, bias: this.b, activation: 'relu' }) as tf.Tensor2D;
  }
}

export function adaptiveParameterGeneration(name: string, condition: Condition): StrategyInfo {
  return {
    name,
    cost: condition === 'self' ? 4 : 1,
    summary: `APG: hidden-layer weights generated from ${condition === 'group' ? 'the domain' : condition === 'mix' ? "the domain and the user's experience level" : "each sample's own input"} (low-rank U·S(z)·V)`,
    create(ctx): Model {
      const { data, config, params, prior } = ctx;
      const dim = config.embeddingDim;
      const emb = new FeatureEmbedding(params, 'emb', data.tableRows, data.fc, data.fn, dim);
      const dom = new DomainEmbedding(params, 'cond', data.domains, dim);
      const activity = condition === 'mix' ? params.normal('cond/activity', [ACTIVITY_LEVELS, dim], 0.05) : null;
      const dims = [emb.outDim, ...config.hidden];
      const zDim = (l: number) => (condition === 'self' ? dims[l] : condition === 'mix' ? 2 * dim : dim);
      const layers = config.hidden.map((h, l) => new ApgLayer(params, `apg${l}`, dims[l], h, zDim(l), Math.min(16, h, dims[l])));
      const towers = domainTowers(ctx, 'tower', dims[dims.length - 1], prior.click);
      const cond = (b: Batch): tf.Tensor2D | null => {
        if (condition === 'self') return null;
        const e = dom.apply(b);
        return activity ? tf.concat([e, tf.gather(activity, b.activity) as tf.Tensor2D], 1) : e;
      };
      return {
        conversion: false,
        forward(b) {
          const z = cond(b);
          let h = emb.apply(b);
          for (const layer of layers) h = layer.apply(h, z ?? h);
          return { click: towers[b.domain].apply(h) };
        },
      };
    },
  };
}
