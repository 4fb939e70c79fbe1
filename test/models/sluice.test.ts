// Sluice networks written out from their variables with plain tfjs ops: each layer's two halves of
// every domain's column mixed by α (2D × 2D, row 2d + m = domain d's half m), the tower reading the
// β-weighted layer outputs side by side, and the orthogonality penalty λ·Σ‖G₁ᵀG₂ / B‖² in training.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/tf/backend.js';
import { modelInputs } from '../../src/data/inputs.js';
import { Params } from '../../src/models/blocks.js';
import { orthogonality, sluiceAlphaStart } from '../../src/models/sluice.js';
import { strategy } from '../../src/models/registry.js';
import { embed } from '../../src/tf/embed.js';
import { parseScenario, ScenarioError } from '../../src/scenario/load.js';
import { checkScenarioStrategies } from '../../src/models/registry.js';
import { resolveStrategies } from '../../src/experiment/plan.js';
import { scenario } from '../helpers/scenarios.js';
import { assertClose, domainBatch, variable, writtenTower } from '../helpers/models.js';

test('α starts at 0.9 on each subspace itself, 0.1 over the other domains’ same subspace, 0 across subspaces', () => {
  const a = sluiceAlphaStart(3);
  const at = (r: number, c: number) => a[r * 6 + c];
  assert.equal(at(0, 0), 0.9);
  assert.equal(at(0, 2), 0.05, "domain 0's first half from domain 1's first half");
  assert.equal(at(0, 1), 0, 'never from another subspace');
  assert.equal(at(5, 3), 0.05);
  for (let r = 0; r < 6; r++) assert.ok(Math.abs([0, 1, 2, 3, 4, 5].reduce((s, c) => s + at(r, c), 0) - 1) < 1e-12, `row ${r} sums to 1`);
  assert.deepEqual(sluiceAlphaStart(1), [1, 0, 0, 1]);
});

test('orthogonality is Σ_d ‖G_{d,1}ᵀ G_{d,2} / B‖²_F, zero for orthogonal halves', async () => {
  await selectBackend('wasm');
  // One domain, B = 2, H = 4: G1 = [[1, 0], [0, 1]], G2 = [[2, 0], [0, 3]] → G1ᵀG2 / 2 = diag(1, 1.5).
  const x = tf.tensor3d([
    [
      [1, 0, 2, 0],
      [0, 1, 0, 3],
    ],
  ]);
  assert.ok(Math.abs(orthogonality(x).dataSync()[0] - (1 + 2.25)) < 1e-6);
  const orth = tf.tensor3d([
    [
      [1, 0, 0, 0],
      [0, 0, 0, 3],
    ],
  ]);
  assert.equal(orthogonality(orth).dataSync()[0], 0);
});

test('sluice: α-mixed halves through every layer, the β-weighted outputs concatenated into the tower, the penalty only in training', async () => {
  await selectBackend('wasm');
  const lambda = 0.3;
  const s = scenario('tiny', (r) => {
    r.training.sluiceOrthogonality = lambda;
  });
  const p = modelInputs(s, 7);
  const config = s.training;
  const prior = { click: [-2, -2.5, -3], clickAll: -2.4, cvr: [0, 0, 0] };
  const params = new Params(4);
  const model = strategy('sluice').create({ data: p.ds, config, params, prior });
  const w = (n: string) => variable(params, n) as tf.Tensor;
  // Move α and β off their start so every entry counts.
  config.hidden.forEach((_, l) => (w(`alpha${l}`) as tf.Variable).assign(tf.randomNormal(w(`alpha${l}`).shape, 0, 0.4, 'float32', 20 + l)));
  (w('beta') as tf.Variable).assign(tf.randomNormal(w('beta').shape, 1, 0.3, 'float32', 30));
  const D = p.ds.domains;
  for (let d = 0; d < D; d++) {
    const b = domainBatch(p, d, 12);
    const B = b.size;
    const e = embed(w('emb/table') as tf.Tensor2D, b, p.ds.fc, p.ds.fn, config.embeddingDim);
    let xs = Array.from({ length: D }, () => e);
    const skips: tf.Tensor[] = [];
    let penalty = 0;
    config.hidden.forEach((H, l) => {
      const hs = xs.map((xi, k) => tf.relu(tf.add(tf.matMul(xi, w(`col${k}/${l}/w`)), w(`col${k}/${l}/b`))));
      // Halves as rows: row 2k + m is domain k's half m, each [B, H/2].
      const halves = hs.flatMap((h) => [tf.slice(h, [0, 0], [B, H / 2]), tf.slice(h, [0, H / 2], [B, H / 2])]);
      for (let k = 0; k < D; k++) penalty += tf.sum(tf.square(tf.div(tf.matMul(halves[2 * k], halves[2 * k + 1], true, false), B))).dataSync()[0];
      const alpha = w(`alpha${l}`).arraySync() as number[][];
      const mixedHalf = (row: number) => halves.reduce((acc: tf.Tensor, g, c) => tf.add(acc, tf.mul(g, alpha[row][c])), tf.zeros([B, H / 2]));
      xs = Array.from({ length: D }, (_, k) => tf.concat([mixedHalf(2 * k), mixedHalf(2 * k + 1)], 1) as tf.Tensor2D);
      skips.push(tf.mul(xs[d], (w('beta').arraySync() as number[][])[d][l]));
    });
    const want = writtenTower(params, d, config.tower.length, tf.concat(skips, 1));
    const served = model.forward(b, false);
    assertClose(served.click.dataSync(), want.dataSync(), `domain ${d}`, 1e-5);
    assert.equal(served.penalty, undefined, 'no penalty when serving');
    const trained = model.forward(b, true);
    assert.ok(Math.abs(trained.penalty!.dataSync()[0] - lambda * penalty) <= 1e-5 * Math.max(1, lambda * penalty), `the penalty, domain ${d}`);
  }
  tf.dispose(params.list);
});

test('an odd hidden width is refused before anything runs, naming the field: at load when the scenario names sluice, when resolved when a flag does', () => {
  const raw = JSON.parse(JSON.stringify(scenario('tiny')));
  raw.training.hidden = [16, 7];
  const s = parseScenario(raw, 'x.json');
  const odd = /training\.hidden\[1\]: sluice splits every hidden layer into two equal subspaces: 7 is odd$/;
  assert.throws(
    () => checkScenarioStrategies({ ...s, strategies: ['sluice'] }, 'x.json'),
    (e: Error) => e instanceof ScenarioError && e.message === 'x.json: training.hidden[1]: sluice splits every hidden layer into two equal subspaces: 7 is odd',
  );
  assert.throws(() => checkScenarioStrategies({ ...s, abtest: { ...s.abtest!, arms: ['separate', 'sluice'] } }, 'x.json'), odd);
  assert.doesNotThrow(() => checkScenarioStrategies(s, 'x.json'), 'other strategies take odd widths');
  assert.throws(() => resolveStrategies(s, ['shared-bottom', 'sluice']), odd);
  assert.throws(
    () =>
      strategy('sluice').create({
        data: modelInputs(scenario('tiny'), 7).ds,
        config: s.training,
        params: new Params(1, '', true),
        prior: { click: [0, 0, 0], clickAll: 0, cvr: [0, 0, 0] },
      }),
    odd,
  );
});
