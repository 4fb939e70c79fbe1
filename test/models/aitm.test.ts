// AITM (Xi et al. 2021, eq. 1–6) from its own weights: the click logit is the click tower's; the
// conversion tower's input is the attention-weighted sum over {transfer(q_click), q_conv} with
// weights softmax(⟨h1(u), h2(u)⟩/√k); the calibrator is 0.6 · mean(max(σ(ctcvr) − σ(click), 0)).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/tf/backend.js';
import { modelInputs } from '../../src/data/inputs.js';
import { makeBatch } from '../../src/data/dataset.js';
import { Dense, FeatureEmbedding, MLP, Params } from '../../src/models/blocks.js';
import { aitm } from '../../src/models/aitm.js';
import { scenario } from '../helpers/scenarios.js';

test('the adaptive information transfer and the calibrator, recomputed', async () => {
  await selectBackend('wasm');
  const p = modelInputs(scenario('tiny'), 7);
  const config = p.world.scenario.training;
  const prior = { click: [-2, -2.5, -3], clickAll: -2.4, cvr: [-1, -1.2, -1.4] };
  const model = aitm.create({ data: p.ds, config, params: new Params(41), prior });
  const P = new Params(41);
  const emb = new FeatureEmbedding(P, 'emb', p.ds.tableRows, p.ds.fc, p.ds.fn, config.embeddingDim);
  const bottom = new MLP(P, 'bottom', emb.outDim, config.hidden);
  const k = config.tower.at(-1)!;
  const d = 1;
  const clickBody = new MLP(P, `click${d}`, bottom.outDim, config.tower);
  const convBody = new MLP(P, `conv${d}`, bottom.outDim, config.tower);
  const clickHead = new Dense(P, `click${d}/head`, k, 1, 'linear', prior.click[d]);
  const pc = 1 / (1 + Math.exp(-prior.click[d])) / (1 + Math.exp(-prior.cvr[d]));
  const convHead = new Dense(P, `conv${d}/head`, k, 1, 'linear', Math.log(pc / (1 - pc)));
  const transfer = new Dense(P, 'ait/transfer', k, k);
  const [h1, h2, h3] = ['h1', 'h2', 'h3'].map((n) => new Dense(P, `ait/${n}`, k, k, 'linear'));
  const b = makeBatch(
    p.ds,
    Array.from(p.split.test)
      .filter((r) => p.ds.domain[r] === d)
      .slice(0, 25),
    d,
  );
  const out = model.forward(b, false);
  const shared = bottom.apply(emb.apply(b));
  const qClick = clickBody.apply(shared);
  const qConv = convBody.apply(shared);
  const t = transfer.apply(qClick);
  const dotOf = (u: tf.Tensor2D) => tf.div(tf.sum(tf.mul(h1.apply(u), h2.apply(u)), 1), Math.sqrt(k)).dataSync();
  const [st, sq] = [dotOf(t), dotOf(qConv)];
  const [ht, hq] = [h3.apply(t).arraySync() as number[][], h3.apply(qConv).arraySync() as number[][]];
  const click = clickHead.apply(qClick).dataSync();
  const z = Array.from(st, (_, i) => {
    const wt = 1 / (1 + Math.exp(sq[i] - st[i]));
    return ht[i].map((x, j) => wt * x + (1 - wt) * hq[i][j]);
  });
  const ctcvr = convHead.apply(tf.tensor2d(z)).dataSync();
  const gotClick = out.click.dataSync();
  const gotConv = out.ctcvr!.dataSync();
  click.forEach((v, i) => assert.ok(Math.abs(gotClick[i] - v) < 1e-5, `click ${i}`));
  ctcvr.forEach((v, i) => assert.ok(Math.abs(gotConv[i] - v) < 1e-4, `ctcvr ${i}: ${gotConv[i]} vs ${v}`));
  const sig = (x: number) => 1 / (1 + Math.exp(-x));
  const penalty = (0.6 * Array.from(ctcvr).reduce((a, v, i) => a + Math.max(0, sig(v) - sig(click[i])), 0)) / ctcvr.length;
  assert.ok(Math.abs(out.penalty!.dataSync()[0] - penalty) < 1e-6, `penalty ${out.penalty!.dataSync()[0]} vs ${penalty}`);
});
