// `aitm`: Adaptive Information Transfer Multi-task (Xi et al., KDD 2021, §3.2–3.4, eq. 1–6) for the
// click → conversion funnel, alongside ESMM (`shared-bottom-esmm`). A shared bottom feeds a click
// tower and a conversion tower per domain; the conversion tower predicts P(click and conversion) on
// every impression, and receives information from the click tower through the AIT module:
//   p = h_transfer(q_click);  for u ∈ {p, q_conv}: w_u = softmax_u(⟨h1(u), h2(u)⟩ / √k),
//   z = Σ_u w_u h3(u);  ŷ_conv = σ(head(z)),
// trained with both cross-entropies plus the behavioural-expectation calibrator
//   α · mean(max(ŷ_conv − ŷ_click, 0))  (a conversion cannot be likelier than its click; α = 0.6).
import * as tf from '@tensorflow/tfjs-core';
import { Dense, MLP } from './blocks.js';
import { featureEmbedding } from './parts.js';
import type { Model, StrategyInfo } from './model.js';

const CALIBRATOR = 0.6;

export const aitm: StrategyInfo = {
  name: 'aitm',
  summary: 'click and conversion towers with adaptive information transfer and a calibrator (AITM)',
  create(ctx): Model {
    const { data, config, params, prior } = ctx;
    const emb = featureEmbedding(ctx);
    const bottom = new MLP(params, 'bottom', emb.outDim, config.hidden);
    const tower = config.tower.length ? config.tower : [bottom.outDim];
    const k = tower[tower.length - 1];
    const clickBody = Array.from({ length: data.domains }, (_, d) => new MLP(params, `click${d}`, bottom.outDim, tower));
    const convBody = Array.from({ length: data.domains }, (_, d) => new MLP(params, `conv${d}`, bottom.outDim, tower));
    const clickHead = Array.from({ length: data.domains }, (_, d) => new Dense(params, `click${d}/head`, k, 1, 'linear', prior.click[d]));
    // The conversion head starts at the base rate of click-and-convert: logit(pCTR · pCVR).
    const ctcvrPrior = (d: number) => {
      const p = 1 / (1 + Math.exp(-prior.click[d])) / (1 + Math.exp(-prior.cvr[d]));
      return Math.log(p / (1 - p));
    };
    const convHead = Array.from({ length: data.domains }, (_, d) => new Dense(params, `conv${d}/head`, k, 1, 'linear', ctcvrPrior(d)));
    const transfer = new Dense(params, 'ait/transfer', k, k);
    const [h1, h2, h3] = ['h1', 'h2', 'h3'].map((n) => new Dense(params, `ait/${n}`, k, k, 'linear'));
    return {
      conversion: true,
      forward(b) {
        const d = b.domain;
        const shared = bottom.apply(emb.apply(b));
        const qClick = clickBody[d].apply(shared);
        const qConv = convBody[d].apply(shared);
        const p = transfer.apply(qClick);
        const score = (u: tf.Tensor2D) => tf.div(tf.sum(tf.mul(h1.apply(u), h2.apply(u)), 1, true), Math.sqrt(k));
        const w = tf.softmax(tf.concat([score(p), score(qConv)], 1)); // [B, 2]
        const [wp, wq] = tf.split(w, 2, 1);
        const z = tf.add(tf.mul(wp, h3.apply(p)), tf.mul(wq, h3.apply(qConv))) as tf.Tensor2D;
        const click = tf.reshape(clickHead[d].apply(qClick), [-1]) as tf.Tensor1D;
        const ctcvr = tf.reshape(convHead[d].apply(z), [-1]) as tf.Tensor1D;
        const penalty = tf.mul(CALIBRATOR, tf.mean(tf.relu(tf.sub(tf.sigmoid(ctcvr), tf.sigmoid(click))))) as tf.Scalar;
        return { click, ctcvr, penalty };
      },
    };
  },
};
