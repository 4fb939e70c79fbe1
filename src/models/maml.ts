// `maml`: per-user personalisation by first-order MAML (Finn et al., ICML 2017, Alg. 1 and §5.2's
// first-order approximation; applied to recommendation as in MeLU, Lee et al., KDD 2019, §3.3, where
// only the decision layers are locally adapted and embeddings are not).
// Base: embedded features + domain-ID embedding → shared bottom MLP → tower (one hidden layer → logit).
// Training loss = ordinary BCE on the batch + metaWeight · meta loss, where for a batch of users the
// tower θ is adapted on each user's support set (earlier impressions), θ'_u = θ − α ∇L_support(θ)
// (innerSteps times), and the query loss (later impressions) is taken at θ'_u; its gradient flows to θ
// as if θ'_u − θ were constant (first order). At scoring time the tower is adapted on the user's most
// recent `support` impressions before the request; users without history keep θ (zero gradient).
// `maml-serve` is the same model serving the replay while it adapts: each user's support grows with
// the impressions the arm itself served them during the test (train/serve-time.ts), as deployed
// per-user MAML does, instead of staying at the logged history.
import * as tf from '@tensorflow/tfjs-core';
import { DomainEmbedding, MLP } from './blocks.js';
import { featureEmbedding } from './parts.js';
import { PREDICT_CHUNK, type Predictions, type StepContext, type StepLoss, type StrategyInfo, type Trainable } from './model.js';
import { disposeBatch, makeBatch, type Batch, type Dataset } from '../data/dataset.js';
import { recentRows, type History } from '../data/history.js';

type TowerParams = [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor]; // W1 [.., H, t], b1 [.., t], W2 [.., t, 1], b2 [.., 1]

/**
 * Masked BCE-with-logits per group: [G, N] → [G]. Divided by the slot count N, not by the group's own
 * count, so a user with few impressions takes proportionally smaller adaptation steps (shrinkage
 * towards the meta-learned tower); a mean per group made cold-start users' scores worse (measured).
 */
function groupLoss(logits: tf.Tensor2D, y: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor1D {
  const bce = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, y)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
  return tf.div(tf.sum(tf.mul(bce, mask), 1), mask.shape[1]) as tf.Tensor1D;
}

/** One tower copy per group: h [G, N, H] → logits [G, N]. */
function groupTower(h: tf.Tensor3D, [w1, b1, w2, b2]: TowerParams): tf.Tensor2D {
  const a = tf.relu(tf.add(tf.matMul(h, w1 as tf.Tensor3D), tf.expandDims(b1, 1)));
  const out = tf.add(tf.matMul(a, w2 as tf.Tensor3D), tf.expandDims(b2, 1));
  return tf.squeeze(out, [2]) as tf.Tensor2D;
}

export interface MamlModel extends Trainable {
  /** Score with per-user adaptation (default) or with the meta-learned tower only. */
  adaptation: boolean;
  /** Serve the replay while adapting on the arm's own impressions (maml-serve). */
  serveTime: boolean;
  /** Support rows per adaptation. */
  support: number;
  /**
   * Probabilities for `rows` of `ds`; row k belongs to group qGroup[k], whose tower is adapted on
   * its `support` rows of `supportDs` (group g's are support[g·S …], mask 0 = padding).
   */
  scoreSupported(ds: Dataset, rows: Int32Array, qGroup: Int32Array, supportDs: Dataset, support: Int32Array, mask: Float32Array): Float32Array;
}

export function mamlStrategy(name: string, adaptation: boolean, serveTime = false): StrategyInfo {
  return {
    name,
    settings: ['maml'],
    cost: 6,
    kind: 'maml',
    trainsAs: serveTime ? 'maml' : undefined,
    summary: serveTime
      ? 'first-order MAML adapted per user on the impressions it serves them during the test'
      : adaptation
        ? 'first-order MAML: tower adapted per user on recent history'
        : 'the maml model scored without per-user adaptation',
    create(ctx): MamlModel {
      const { data, config, params, prior } = ctx;
      const m = config.maml;
      const emb = featureEmbedding(ctx);
      const dom = new DomainEmbedding(params, 'emb', data.domains, config.embeddingDim);
      const bottom = new MLP(params, 'bottom', emb.outDim + config.embeddingDim, config.hidden);
      const H = bottom.outDim;
      const t = config.tower[0] ?? 16;
      const theta: TowerParams = [
        params.he('tower/w1', [H, t]),
        params.constant('tower/b1', [t], 0),
        params.glorot('tower/w2', [t, 1]),
        params.constant('tower/b2', [1], prior.clickAll),
      ];
      const features = (b: Batch) => bottom.apply(tf.concat([emb.apply(b), dom.apply(b)], 1));
      const tile = (g: number): TowerParams => tf.tidy(() => theta.map((p) => tf.tile(tf.expandDims(p, 0), [g, ...p.shape.map(() => 1)]))) as TowerParams;

      /** Adapted tower copies for G groups of S support rows (outside any gradient tape). */
      const adapt = (hS: tf.Tensor3D, yS: tf.Tensor2D, mS: tf.Tensor2D): TowerParams => {
        let cur = tile(hS.shape[0]);
        for (let step = 0; step < m.innerSteps; step++) {
          const next = tf.tidy(() => {
            // Summing the groups' mean losses gives each copy exactly its own group's gradient.
            const grads = tf.grads((w1: tf.Tensor, b1: tf.Tensor, w2: tf.Tensor, b2: tf.Tensor) => tf.sum(groupLoss(groupTower(hS, [w1, b1, w2, b2]), yS, mS)))(
              cur,
            );
            return cur.map((p, k) => tf.sub(p, tf.mul(grads[k], m.innerLr))) as TowerParams;
          });
          tf.dispose(cur);
          cur = next;
        }
        return cur;
      };

      let trainUsers: Int32Array | null = null;
      let step = 0;
      let userTrainRows: Map<number, Int32Array> | null = null;
      const model: MamlModel = {
        conversion: false,
        adaptation,
        serveTime,
        support: m.support,
        scoreSupported(ds, rows, qGroup, supportDs, support, mask) {
          return scoreAdapted(makeBatch(ds, rows), qGroup, makeBatch(supportDs, support), mask, m.support);
        },
        forward(b) {
          const logits = tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(features(b), theta[0] as tf.Tensor2D), theta[1])), theta[2] as tf.Tensor2D), theta[3]);
          return { click: tf.reshape(logits, [-1]) as tf.Tensor1D };
        },
        stepLoss(ctx: StepContext): StepLoss | null {
          if (m.metaWeight === 0 || step++ % m.metaEvery !== 0) return null;
          if (!trainUsers) {
            // Users with enough training history to split into support and query.
            userTrainRows = new Map();
            const byUser = new Map<number, number[]>();
            for (const r of ctx.train) {
              const u = ctx.ds.user[r];
              if (!byUser.has(u)) byUser.set(u, []);
              byUser.get(u)!.push(r);
            }
            for (const [u, rows] of byUser)
              if (rows.length >= 4)
                userTrainRows.set(
                  u,
                  Int32Array.from(rows).sort((a, b) => ctx.ds.time[a] - ctx.ds.time[b]),
                );
            trainUsers = Int32Array.from(userTrainRows.keys()).sort();
          }
          if (trainUsers.length === 0) return null;
          const G = Math.min(m.metaUsers, trainUsers.length);
          const S = m.support;
          const sRows = new Int32Array(G * S);
          const qRows = new Int32Array(G * S);
          const sMask = new Float32Array(G * S);
          const qMask = new Float32Array(G * S);
          for (let g = 0; g < G; g++) {
            const rows = userTrainRows!.get(trainUsers[ctx.rng.int(trainUsers.length)])!;
            const len = Math.min(rows.length, 2 * S);
            const from = ctx.rng.int(rows.length - len + 1);
            const ns = len >> 1;
            for (let k = 0; k < S; k++) {
              sRows[g * S + k] = rows[from + Math.min(k, ns - 1)];
              sMask[g * S + k] = k < ns ? 1 : 0;
              qRows[g * S + k] = rows[from + ns + Math.min(k, len - ns - 1)];
              qMask[g * S + k] = k < len - ns ? 1 : 0;
            }
          }
          const sb = makeBatch(ctx.ds, sRows);
          const qb = makeBatch(ctx.ds, qRows);
          const yS = tf.reshape(sb.click, [G, S]) as tf.Tensor2D;
          const mS = tf.tensor2d(sMask, [G, S]);
          const yQ = tf.reshape(qb.click, [G, S]) as tf.Tensor2D;
          const mQ = tf.tensor2d(qMask, [G, S]);
          const hS = tf.tidy(() => tf.reshape(features(sb), [G, S, H]) as tf.Tensor3D);
          const adapted = adapt(hS, yS, mS);
          // θ'_u − θ per group; θ broadcast over the groups (the same values as tiling it).
          const delta = tf.tidy(() => adapted.map((a, k) => tf.sub(a, tf.expandDims(theta[k], 0))));
          tf.dispose([...adapted, hS]);
          return {
            loss: () => {
              // Broadcast, not tiled: the same sums, and θ's gradient is one sum over the groups
              // (tfjs's Tile gradient is a slice and an add per group: 256 kernels a step).
              const fast = theta.map((p, k) => tf.add(tf.expandDims(p, 0), delta[k])) as TowerParams;
              const hQ = tf.reshape(features(qb), [G, S, H]) as tf.Tensor3D;
              return tf.mul(tf.mean(groupLoss(groupTower(hQ, fast), yQ, mQ)), m.metaWeight * m.metaEvery) as tf.Scalar;
            },
            dispose: () => {
              tf.dispose([...delta, yS, mS, yQ, mQ]);
              disposeBatch(sb);
              disposeBatch(qb);
            },
          };
        },
        predictRows(ds: Dataset, rows: Int32Array, history: History, supportDs: Dataset = ds): Predictions {
          const click = new Float32Array(ds.n);
          const S = m.support;
          const chunk = PREDICT_CHUNK / 4;
          for (let s0 = 0; s0 < rows.length; s0 += chunk) {
            const q = rows.subarray(s0, Math.min(rows.length, s0 + chunk));
            // Consecutive rows of the same user and time (a request's candidates) share one adaptation.
            const qGroup = new Int32Array(q.length);
            const firstOf: number[] = [];
            q.forEach((r, k) => {
              const prev = k > 0 ? q[k - 1] : -1;
              if (k === 0 || ds.user[r] !== ds.user[prev] || ds.time[r] !== ds.time[prev]) firstOf.push(r);
              qGroup[k] = firstOf.length - 1;
            });
            const G = firstOf.length;
            const support = new Int32Array(G * S);
            const mask = new Float32Array(G * S);
            firstOf.forEach((r, g) => {
              const n = model.adaptation ? recentRows(history, ds.user[r], ds.time[r], S, support, g * S) : 0;
              for (let k = 0; k < S; k++) {
                if (k >= n) support[g * S + k] = 0; // padding, masked out
                mask[g * S + k] = k < n ? 1 : 0;
              }
            });
            const p = scoreAdapted(makeBatch(ds, q), qGroup, makeBatch(supportDs, support), mask, S);
            q.forEach((r, k) => {
              click[r] = p[k];
            });
          }
          return { click };
        },
      };

      /** Probabilities for query rows; group g's tower is adapted on its S support rows (mask 0 = padding). */
      function scoreAdapted(qb: Batch, qGroup: Int32Array, sb: Batch, mask: Float32Array, S: number): Float32Array {
        const G = sb.size / S;
        const hS = tf.tidy(() => tf.reshape(features(sb), [G, S, H]) as tf.Tensor3D);
        const yS = tf.reshape(sb.click, [G, S]) as tf.Tensor2D;
        const mS = tf.tensor2d(mask, [G, S]);
        const adapted = mask.some((x) => x > 0) ? adapt(hS, yS, mS) : tile(G);
        const groups = tf.tensor1d(qGroup, 'int32');
        const out = tf.tidy(() => {
          const perQuery = adapted.map((p) => tf.gather(p, groups)) as TowerParams;
          return tf.sigmoid(groupTower(tf.reshape(features(qb), [qb.size, 1, H]) as tf.Tensor3D, perQuery)).dataSync() as Float32Array;
        });
        tf.dispose([...adapted, hS, yS, mS, groups]);
        disposeBatch(qb);
        disposeBatch(sb);
        return out;
      }
      return model;
    },
  };
}
