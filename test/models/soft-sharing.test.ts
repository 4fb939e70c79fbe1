// Soft parameter sharing recomputed: a domain's click logit is its tower over its own column; the
// training loss adds λ · Σ_l Σ_d ‖W_l^d − W̄_l‖², which is the paper's pairwise Σ_{d<e} ‖W_d − W_e‖² / D;
// so a domain's batch pulls the other domains' weights too when λ > 0, and leaves them alone at 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/tf/backend.js';
import { modelInputs } from '../../src/data/inputs.js';
import { FeatureEmbedding, MLP, Params, Tower } from '../../src/models/blocks.js';
import { strategy } from '../../src/models/registry.js';
import { spread } from '../../src/models/soft-sharing.js';
import type { Trainable } from '../../src/models/model.js';
import { priorOf, trainStep } from '../../src/train/step.js';
import { adam } from '../../src/train/adam.js';
import { stream } from '../../src/world/rng.js';
import { scenario } from '../helpers/scenarios.js';
import { assertClose, domainBatch } from '../helpers/models.js';

test('spread is the pairwise squared distance of corresponding weights over D', async () => {
  await selectBackend('wasm');
  const p = new Params(11);
  const cols = [0, 1, 2].map((d) => new MLP(p, `c${d}`, 5, [4, 3]));
  let pairwise = 0;
  for (let l = 0; l < 2; l++)
    for (let d = 0; d < 3; d++)
      for (let e = d + 1; e < 3; e++) {
        const a = cols[d].layers[l].w.dataSync();
        const b = cols[e].layers[l].w.dataSync();
        for (let i = 0; i < a.length; i++) pairwise += (a[i] - b[i]) ** 2;
      }
  const s = spread(cols);
  assert.ok(Math.abs(s.dataSync()[0] - pairwise / 3) < 1e-4 * pairwise, `${s.dataSync()[0]} vs ${pairwise / 3}`);
  tf.dispose([s, ...p.list]);
});

test("soft-sharing: tower_d(column_d(emb(x))), the penalty λ·spread only in training, pulling every domain's weights at λ > 0", async () => {
  await selectBackend('wasm');
  const run = (lambda: number) => {
    const s = scenario('tiny', (r) => {
      r.training.softSharing = lambda;
    });
    const p = modelInputs(s, 7);
    const config = s.training;
    const prior = priorOf(p.ds, p.split.train);
    const params = new Params(5);
    const model = strategy('soft-sharing').create({ data: p.ds, config, params, prior }) as Trainable;
    const P = new Params(5);
    const emb = new FeatureEmbedding(P, 'emb', p.ds.tableRows, p.ds.fc, p.ds.fn, config.embeddingDim);
    const cols = Array.from({ length: p.ds.domains }, (_, d) => new MLP(P, `col${d}`, emb.outDim, config.hidden));
    const towers = Array.from({ length: p.ds.domains }, (_, d) => new Tower(P, `tower${d}`, cols[0].outDim, config.tower, prior.click[d]));
    for (let d = 0; d < p.ds.domains; d++) {
      const b = domainBatch(p, d, 20);
      const out = model.forward(b, false);
      assert.equal(out.penalty, undefined, 'no penalty when scoring');
      assertClose(out.click.dataSync(), towers[d].apply(cols[d].apply(emb.apply(b))).dataSync(), `domain ${d}`);
      const trained = model.forward(b, true);
      if (lambda > 0) assertClose(trained.penalty!.dataSync(), [lambda * spread(cols).dataSync()[0]], 'penalty', 1e-3);
      else assert.equal(trained.penalty, undefined);
    }
    const other = params.list.find((v) => v.name.startsWith('col1/0/w#'))!;
    const before = Array.from(other.dataSync());
    const optimizer = adam(0.01);
    const rows = Array.from(p.split.train)
      .filter((r) => p.ds.domain[r] === 0)
      .slice(0, 64);
    const rng = stream(5, 'soft-sharing-test');
    for (let k = 0; k < 2; k++)
      trainStep(
        model,
        optimizer,
        params.list,
        p.ds,
        { domain: 0, rows: Int32Array.from(rows) },
        { ds: p.ds, train: p.split.train, history: p.history, rng },
        config,
      ).dispose();
    const moved = Array.from(other.dataSync()).some((x, i) => x !== before[i]);
    optimizer.dispose();
    tf.dispose([...params.list, ...P.list]);
    return moved;
  };
  assert.equal(run(0), false, "at λ = 0 domain 0's batches leave domain 1's column alone");
  assert.equal(run(0.01), true, "at λ > 0 they pull domain 1's column towards the mean too");
});
