// `mlora`: MLoRA, Multi-domain Low-Rank Adaptive network (Yang et al., CIKM 2024, "MLoRA: Multi-Domain
// Low-Rank Adaptive Network for CTR Prediction"). Every hidden layer of the shared network gets, per
// domain d, a low-rank delta on its weights and a bias of its own:
//   h' = act(h·W + b + (h·A_d)·B_d + b_d),   A_d ∈ R^{in×r}, B_d ∈ R^{r×out}
// as the authors' MLoRAFCN layer computes it (model_zoo/MLoRA/mlora_fcn.py: A with the kernel's
// initialiser, B and b_d at zero, so every domain starts as the shared network; all trained jointly;
// its dropout on the shared part is left out, as no crossab strategy uses dropout).
// A domain costs r·(in + out) + out parameters a layer instead of in·out: the rank is
// `training.loraRank` (4 when absent). One tower per domain on top, as in shared-bottom.
import * as tf from '@tensorflow/tfjs-core';
import { Dense, type Params } from './blocks.js';
import { featureEmbedding, domainTowers } from './parts.js';
import { dense } from '../tf/dense.js';
import type { Model, StrategyInfo } from './model.js';

export const DEFAULT_LORA_RANK = 4;

export class LoraLayer {
  readonly shared: Dense;
  readonly a: tf.Variable[];
  readonly b: tf.Variable[];
  readonly bias: tf.Variable[];
  constructor(p: Params, name: string, inDim: number, outDim: number, domains: number, rank: number) {
    this.shared = new Dense(p, name, inDim, outDim, 'linear');
    this.a = Array.from({ length: domains }, (_, d) => p.glorot(`${name}/a${d}`, [inDim, rank]));
    this.b = Array.from({ length: domains }, (_, d) => p.constant(`${name}/b${d}`, [rank, outDim], 0));
    this.bias = Array.from({ length: domains }, (_, d) => p.constant(`${name}/bias${d}`, [outDim], 0));
  }
  apply(x: tf.Tensor2D, d: number): tf.Tensor2D {
    const shared = this.shared.apply(x);
    // The delta as two thin products, never as an in × out matrix.
    const delta = dense(tf.matMul(x, this.a[d]) as tf.Tensor2D, this.b[d] as tf.Tensor2D, this.bias[d] as tf.Tensor1D, 'linear');
    return tf.relu(tf.add(shared, delta)) as tf.Tensor2D;
  }
}

export const mlora: StrategyInfo = {
  name: 'mlora',
  settings: ['loraRank'],
  summary: "MLoRA: shared layers plus each domain's low-rank delta A_d·B_d (rank training.loraRank)",
  create(ctx): Model {
    const { config, params, prior, data } = ctx;
    const emb = featureEmbedding(ctx);
    const rank = config.loraRank ?? DEFAULT_LORA_RANK;
    let inDim = emb.outDim;
    const layers = config.hidden.map((h, k) => {
      const layer = new LoraLayer(params, `lora/${k}`, inDim, h, data.domains, rank);
      inDim = h;
      return layer;
    });
    const towers = domainTowers(ctx, 'tower', inDim, prior.click);
    return {
      conversion: false,
      forward(b) {
        const h = layers.reduce((x, layer) => layer.apply(x, b.domain), emb.apply(b));
        return { click: towers[b.domain].apply(h) };
      },
    };
  },
};
