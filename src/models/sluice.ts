// `sluice`: sluice networks (Ruder, Bingel, Augenstein & Søgaard, AAAI 2019, "Latent Multi-task
// Architecture Learning", §2) with domains as the tasks. Each domain has its own MLP column; each
// hidden layer's output h_{d,l} is split into two subspaces G_{d,l,1}, G_{d,l,2} (its first and second
// half), and a learned α^l of (2D × 2D) mixes every subspace of every domain (eq. 1):
//   [h̃_{1,l,1}; h̃_{1,l,2}; …; h̃_{D,l,2}] = α^l · [G_{1,l,1}; G_{1,l,2}; …; G_{D,l,2}],
// the mixed output feeding the domain's next layer. A domain's tower reads its β-weighted layer
// outputs (eq. 4, the skip connections): the paper sums β_{d,l}·h̃_{d,l} over layers of one width;
// crossab's layers narrow (64, 32), so the β-weighted outputs are concatenated. The subspaces are
// pushed apart by the orthogonality penalty (eq. 3), here per batch row so its weight does not
// depend on the batch size:
//   λ · Σ_l Σ_d ‖G_{d,l,1}ᵀ G_{d,l,2} / B‖²_F,   λ = training.sluiceOrthogonality (0.01 when absent).
// α starts as cross-stitch's best start (§4.1 of Misra et al.): 0.9 on a subspace's own, 0.1 shared
// over the other domains' same subspace, 0 across subspaces — so with α kept there and β = 1 it is
// cross-stitch per subspace. β starts at 1.
import * as tf from '@tensorflow/tfjs-core';
import { Dense } from './blocks.js';
import { featureEmbedding, domainTowers } from './parts.js';
import type { Model, StrategyInfo } from './model.js';
import { UserError } from '../util/errors.js';
import type { TrainingConfig } from '../scenario/schema.js';

export const DEFAULT_SLUICE_ORTHOGONALITY = 0.01;

/** α's start for D domains of two subspaces each, row-major (2D × 2D): row/column 2d + m is domain d's subspace m. */
export function sluiceAlphaStart(D: number): number[] {
  const self = D > 1 ? 0.9 : 1;
  const other = D > 1 ? 0.1 / (D - 1) : 0;
  const n = 2 * D;
  return Array.from({ length: n * n }, (_, k) => {
    const [r, c] = [Math.floor(k / n), k % n];
    if (r % 2 !== c % 2) return 0;
    return r === c ? self : other;
  });
}

/** [D, B, H] → the subspaces as rows, [2D, B·H/2], H even: row 2d + m is domain d's half m. */
function subspaceRows(stacked: tf.Tensor3D): tf.Tensor2D {
  const [D, B, H] = stacked.shape;
  return tf.reshape(tf.transpose(tf.reshape(stacked, [D, B, 2, H / 2]), [0, 2, 1, 3]), [2 * D, (B * H) / 2]);
}

/** The inverse of subspaceRows. */
function fromSubspaceRows(rows: tf.Tensor2D, D: number, B: number, H: number): tf.Tensor3D {
  return tf.reshape(tf.transpose(tf.reshape(rows, [D, 2, B, H / 2]), [0, 2, 1, 3]), [D, B, H]);
}

/** Σ_d ‖G_{d,1}ᵀ G_{d,2} / B‖²_F of one layer's outputs [D, B, H]. */
export function orthogonality(stacked: tf.Tensor3D): tf.Scalar {
  const [D, B, H] = stacked.shape;
  const g1 = tf.slice(stacked, [0, 0, 0], [D, B, H / 2]);
  const g2 = tf.slice(stacked, [0, 0, H / 2], [D, B, H / 2]);
  return tf.sum(tf.square(tf.div(tf.matMul(g1, g2, true, false), B)));
}

/** Each hidden layer splits into two equal subspaces: an odd width cannot. */
function refuseOddWidths(config: TrainingConfig): { field: string; reason: string } | null {
  const k = config.hidden.findIndex((h) => h % 2 !== 0);
  return k < 0 ? null : { field: `training.hidden[${k}]`, reason: `sluice splits every hidden layer into two equal subspaces: ${config.hidden[k]} is odd` };
}

export const sluice: StrategyInfo = {
  name: 'sluice',
  settings: ['sluiceOrthogonality'],
  cost: 3,
  refuse: refuseOddWidths,
  summary: 'one MLP column per domain, every layer split in two subspaces mixed across domains by a learned α, β-weighted skip connections to the towers',
  create(ctx): Model {
    const { data, config, params, prior } = ctx;
    const D = data.domains;
    const emb = featureEmbedding(ctx);
    const bad = refuseOddWidths(config);
    if (bad) throw new UserError(`${bad.field}: ${bad.reason}`);
    const dims = [emb.outDim, ...config.hidden];
    const columns = Array.from({ length: D }, (_, d) => config.hidden.map((h, l) => new Dense(params, `col${d}/${l}`, dims[l], h)));
    const alpha = config.hidden.map((_, l) => params.values(`alpha${l}`, [2 * D, 2 * D], sluiceAlphaStart(D)));
    const beta = params.constant('beta', [D, config.hidden.length], 1);
    const lambda = config.sluiceOrthogonality ?? DEFAULT_SLUICE_ORTHOGONALITY;
    const towers = domainTowers(
      ctx,
      'tower',
      config.hidden.reduce((a, h) => a + h, 0),
      prior.click,
    );
    return {
      conversion: false,
      forward(b, training) {
        const x = emb.apply(b);
        let xs: tf.Tensor2D[] = Array.from({ length: D }, () => x);
        const skips: tf.Tensor2D[] = [];
        const penalties: tf.Scalar[] = [];
        config.hidden.forEach((H, l) => {
          const stacked = tf.stack(
            columns.map((col, d) => col[l].apply(xs[d])),
            0,
          ) as tf.Tensor3D;
          if (training && lambda > 0) penalties.push(orthogonality(stacked));
          const B = stacked.shape[1];
          const mixed = fromSubspaceRows(tf.matMul(alpha[l], subspaceRows(stacked)), D, B, H);
          xs = tf.unstack(mixed, 0) as tf.Tensor2D[];
          skips.push(tf.mul(xs[b.domain], tf.slice(beta, [b.domain, l], [1, 1])) as tf.Tensor2D);
        });
        const click = towers[b.domain].apply(skips.length > 1 ? (tf.concat(skips, 1) as tf.Tensor2D) : skips[0]);
        return penalties.length ? { click, penalty: tf.mul(lambda, tf.addN(penalties)) as tf.Scalar } : { click };
      },
    };
  },
};
