// `m2m`: M2M (Zhang, Liu, Wang, Xu, Liu, Sun, Xiao, WSDM 2022, "Leaving No One Behind: A Multi-Scenario
// Multi-Task Meta Learning Approach for Advertiser Modeling", §3.2–3.4), with crossab's domains as the
// scenarios and the click as the task. Shared experts read the input; a scenario's knowledge s (here a
// learned domain embedding through one ReLU layer) generates, by "meta units", the weights that attend
// over the experts and that form the tower:
//   meta unit:       MU(h; s) = relu(h · W(s) + b(s)),  W(s) = reshape(G_w s + c_w),  b(s) = G_b s + c_b
//   meta attention:  a_i = v · MU([e_i, t]; s),  α = softmax(a),  f = Σ_i α_i e_i        (t: the task's vector)
//   meta tower:      h₀ = f,  h_{l+1} = MU_l(h_l; s) + h_l  (the residual), one logit from the last
// A batch holds one domain, so each meta unit's weights are generated once a batch and applied as a
// dense layer. The tower has as many residual meta layers as training.tower has entries, at the
// experts' width (a residual keeps it); the logit's head is shared with a bias per domain (its base rate).
import * as tf from '@tensorflow/tfjs-core';
import { Dense, DomainEmbedding, MLP, applyExperts, mixExperts, namedGate, type Params } from './blocks.js';
import { featureEmbedding } from './parts.js';
import type { Model, StrategyInfo } from './model.js';

/** A layer whose weights and bias a scenario representation generates. */
export class MetaUnit {
  readonly gw: tf.Variable;
  readonly cw: tf.Variable;
  readonly gb: tf.Variable;
  readonly cb: tf.Variable;
  constructor(
    p: Params,
    name: string,
    readonly inDim: number,
    readonly outDim: number,
    sDim: number,
  ) {
    // The generated weights start as a He layer (c_w) with small scenario-dependent deviations (G_w).
    this.cw = p.he(`${name}/cw`, [inDim, outDim]);
    this.gw = p.normal(`${name}/gw`, [sDim, inDim * outDim], 0.01);
    this.cb = p.constant(`${name}/cb`, [outDim], 0);
    this.gb = p.normal(`${name}/gb`, [sDim, outDim], 0.01);
  }
  /** The unit's weights and bias for scenario representation `s` ([1, sDim]). */
  weights(s: tf.Tensor2D): { w: tf.Tensor2D; b: tf.Tensor1D } {
    const w = tf.add(tf.reshape(tf.matMul(s, this.gw), [this.inDim, this.outDim]), this.cw) as tf.Tensor2D;
    const b = tf.add(tf.reshape(tf.matMul(s, this.gb), [this.outDim]), this.cb) as tf.Tensor1D;
    return { w, b };
  }
  apply(h: tf.Tensor2D, s: tf.Tensor2D): tf.Tensor2D {
    const { w, b } = this.weights(s);
    return tf.fused.matMul({ a: h, b: w, bias: b, activation: 'relu' }) as tf.Tensor2D;
  }
}

export const m2m: StrategyInfo = {
  name: 'm2m',
  settings: ['experts'],
  cost: 2,
  summary: "M2M: shared experts, attention over them and a residual tower whose weights meta units generate from the domain's representation",
  create(ctx): Model {
    const { data, config, params, prior } = ctx;
    const dim = config.embeddingDim;
    const emb = featureEmbedding(ctx);
    const experts = Array.from({ length: config.experts }, (_, k) => new MLP(params, `expert${k}`, emb.outDim, config.hidden));
    const m = experts[0].outDim;
    const scenario = new DomainEmbedding(params, 'scenario', data.domains, dim);
    const knowledge = new Dense(params, 'scenario/mlp', dim, dim, 'relu');
    const task = params.normal('task/click', [1, dim], 0.05);
    const attention = new MetaUnit(params, 'attention', m + dim, m, dim);
    const score = params.glorot('attention/v', [m, 1]);
    const tower = config.tower.map((_, l) => new MetaUnit(params, `tower${l}`, m, m, dim));
    const head = new Dense(params, 'head', m, 1, 'linear');
    const bias = params.values('head/domain', [data.domains], prior.click);
    return {
      conversion: false,
      forward(b) {
        const x = emb.apply(b);
        const n = x.shape[0];
        // The scenario's knowledge, once for the batch (its rows share a domain).
        const s = knowledge.apply(tf.slice(scenario.apply(b), [0, 0], [1, dim]) as tf.Tensor2D);
        const e = applyExperts(experts, x);
        // [e_i, t]·W = e_i·W_e + t·W_t: the task's part is one row for the batch, and every expert's
        // scores come from one product over the experts stacked (one kernel each, not one per expert).
        const { w, b: wb } = attention.weights(s);
        const taskBias = tf.add(tf.reshape(tf.matMul(task, tf.slice(w, [m, 0], [dim, m])), [m]), wb) as tf.Tensor1D;
        const z = tf.fused.matMul({ a: tf.concat(e, 0) as tf.Tensor2D, b: tf.slice(w, [0, 0], [m, m]) as tf.Tensor2D, bias: taskBias, activation: 'relu' });
        const logits = tf.transpose(tf.reshape(tf.matMul(z, score), [e.length, n])) as tf.Tensor2D;
        let h = mixExperts(namedGate(tf.softmax(logits) as tf.Tensor2D, 'attention'), e);
        for (const unit of tower) h = tf.add(unit.apply(h, s), h) as tf.Tensor2D;
        return { click: tf.add(tf.reshape(head.apply(h), [n]), tf.gather(bias, b.domain)) as tf.Tensor1D };
      },
    };
  },
};
