// `adatt`: AdaTT, Adaptive Task-to-Task Fusion (Li et al., KDD 2023, §3.2–3.3, eq. 1–6) with domains
// as the tasks. Every domain owns `specificExperts` native experts per fusion level (plus `experts`
// shared ones in an optional shared fusion unit). Domain d's fusion unit combines
//   f_d = v_dᵀ E_d + g_d(x_d)ᵀ E,   g_d = softmax(W_d x_d) over every expert E of the level,
// i.e. the residual form f_d = (pad(v_d) + g_d)ᵀ E: a learned linear combination of its own experts
// (task-specific learning) plus a gated mixture over all domains' experts (adaptive transfer). Levels
// stack: each domain's fused output is its experts' input at the next level; the shared unit fuses
// every expert with its own gate. Towers per domain on the top level.
import * as tf from '@tensorflow/tfjs-core';
import { Gate, MLP, levelExperts, mixExperts } from './blocks.js';
import { featureEmbedding, domainTowers } from './parts.js';
import type { Model, StrategyInfo } from './model.js';

export function adaptiveTaskToTaskFusion(name: string, sharedUnit: boolean): StrategyInfo {
  return {
    name,
    settings: ['experts', 'levels', 'specificExperts'],
    cost: 6,
    summary: sharedUnit ? 'AdaTT with a shared fusion unit' : 'AdaTT: per-domain fusion units (native linear fusion + gated fusion over all experts)',
    create(ctx): Model {
      const { data, config, params, prior } = ctx;
      const D = data.domains;
      const S = config.specificExperts;
      const E = sharedUnit ? config.experts : 0;
      const L = config.levels;
      const emb = featureEmbedding(ctx);
      const hDim = config.hidden[config.hidden.length - 1];
      const total = D * S + E;
      const levels = Array.from({ length: L }, (_, l) => {
        const inDim = l === 0 ? emb.outDim : hDim;
        const p = params.scope(`level${l}`);
        return {
          native: Array.from({ length: D }, (_, d) => Array.from({ length: S }, (_, k) => new MLP(p, `d${d}e${k}`, inDim, config.hidden))),
          shared: Array.from({ length: E }, (_, k) => new MLP(p, `shared${k}`, inDim, config.hidden)),
          gates: Array.from({ length: D }, (_, d) => new Gate(p, `gate${d}`, inDim, total)),
          // v_d: the native experts' linear-fusion weights, starting as their mean.
          v: Array.from({ length: D }, (_, d) => p.constant(`v${d}`, [S], 1 / S)),
          sharedGate: E > 0 && l < L - 1 ? new Gate(p, 'gateShared', inDim, total) : null,
        };
      });
      const towers = domainTowers(ctx, 'tower', hDim, prior.click);
      return {
        conversion: false,
        forward(b) {
          const d0 = b.domain;
          // v_d on every row as 1·v_d, not broadcastTo: tfjs differentiates broadcastTo as Tile, one
          // slice and one add per row (2,560 kernels a step here, half of AdaTT's time), and a
          // broadcast product as one sum. The same values either way (1·v is v).
          const ones = tf.ones([b.size, 1]);
          const x = emb.apply(b);
          let inputs: tf.Tensor2D[] = Array.from({ length: D }, () => x);
          let sharedIn = x;
          for (let l = 0; l < L; l++) {
            const lv = levels[l];
            const top = l === L - 1;
            // Every domain's experts feed every gate, so all are computed; the top level fuses only d0.
            const { domain: native, shared } = levelExperts(lv.native, lv.shared, inputs, sharedIn, l === 0);
            const all = [...native.flat(), ...shared];
            const fuse = (d: number) =>
              tf.add(
                mixExperts(lv.gates[d].apply(inputs[d]), all),
                mixExperts(tf.mul(ones, tf.reshape(lv.v[d], [1, S])) as tf.Tensor2D, native[d]),
              ) as tf.Tensor2D;
            if (top) {
              const out = fuse(d0);
              inputs = [];
              inputs[d0] = out;
            } else {
              inputs = Array.from({ length: D }, (_, d) => fuse(d));
              if (lv.sharedGate) sharedIn = mixExperts(lv.sharedGate.apply(sharedIn), all);
              else sharedIn = x;
            }
          }
          return { click: towers[d0].apply(inputs[d0]) };
        },
      };
    },
  };
}
