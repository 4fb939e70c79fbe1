// `shared-private`: the industrial cross-domain design for domains whose features do not align (the
// shared/private split of Bousmalis et al., NeurIPS 2016 and of cross-domain CTR systems such as
// Alibaba's STAR-based and Meituan's HiNet; experts and gates as in PLE's CGC, Tang et al. 2020):
//  - embeddings: features every domain logs share one embedding space; features only some domains
//    log (private or partial) are embedded in a space private to each domain;
//  - experts: `experts` shared experts fed by every domain and `specificExperts` per domain fed only
//    by that domain, fused by a per-domain softmax gate;
//  - tower: STAR-style, each layer's weights the element-wise product of shared and domain weights.
import * as tf from '@tensorflow/tfjs-core';
import { FeatureEmbedding, Gate, MLP, mixExperts } from './blocks.js';
import { StarLayer } from './star.js';
import type { Model, StrategyInfo } from './model.js';

export const sharedPrivate: StrategyInfo = {
  name: 'shared-private',
  settings: ['experts', 'specificExperts'],
  cost: 3,
  summary: 'shared embeddings for common features, domain-private ones for the rest; shared + per-domain experts with per-domain gates; STAR tower',
  create({ data, config, params, prior }): Model {
    const D = data.domains;
    const dim = config.embeddingDim;
    const shared = new FeatureEmbedding(params, 'emb', data.tableRows, data.fc, data.fn, dim);
    const anyPrivate = Array.from(data.commonCat).some((c) => c === 0);
    // A private table per domain; only its rows of non-common fields are ever read.
    const priv = anyPrivate ? Array.from({ length: D }, (_, d) => params.normal(`private${d}/table`, [data.tableRows, dim], 0.05)) : [];
    const common = params.values('common', [1, data.fc, 1], Array.from(data.commonCat), false);
    const inDim = shared.outDim;
    const sharedExperts = Array.from({ length: config.experts }, (_, k) => new MLP(params, `shared${k}`, inDim, config.hidden));
    const ownExperts = Array.from({ length: D }, (_, d) =>
      Array.from({ length: config.specificExperts }, (_, k) => new MLP(params, `d${d}e${k}`, inDim, config.hidden)),
    );
    const gates = Array.from({ length: D }, (_, d) => new Gate(params, `gate${d}`, inDim, config.specificExperts + config.experts));
    const sizes = [...config.tower, 1];
    let towerIn = config.hidden[config.hidden.length - 1];
    const tower = sizes.map((h, k) => {
      const last = k === sizes.length - 1;
      const layer = new StarLayer(params, `tower${k}`, towerIn, h, D, !last, last ? prior.clickAll : 0);
      towerIn = h;
      return layer;
    });
    const embed = (b: Parameters<Model['forward']>[0]): tf.Tensor2D => {
      if (!anyPrivate) return shared.apply(b);
      const es = tf.gather(shared.table, b.cat) as tf.Tensor3D;
      const ep = tf.gather(priv[b.domain], b.cat) as tf.Tensor3D;
      const e = tf.add(tf.mul(es, common), tf.mul(ep, tf.sub(1, common)));
      const flat = tf.reshape(tf.mul(e, tf.expandDims(b.catMask, 2)), [b.size, data.fc * dim]) as tf.Tensor2D;
      return data.fn > 0 ? tf.concat([flat, b.num], 1) : flat;
    };
    return {
      conversion: false,
      forward(b) {
        const d = b.domain;
        const x = embed(b);
        const h = mixExperts(gates[d].apply(x), [...ownExperts[d].map((e) => e.apply(x)), ...sharedExperts.map((e) => e.apply(x))]);
        const logit = tower.reduce((z, l) => l.apply(z, d), h);
        return { click: tf.reshape(logit, [-1]) as tf.Tensor1D };
      },
    };
  },
};
