import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/tf/backend.js';
import { modelInputs } from '../../src/data/inputs.js';
import { fitStrategy } from '../../src/train/trainer.js';
import { strategy } from '../../src/models/registry.js';
import { deadShare, expertDiagnostics, gateSpread } from '../../src/train/experts.js';
import { variable } from '../helpers/models.js';
import { scenario } from '../helpers/scenarios.js';

test('gateSpread: mean weight per expert and the mean entropy over ln(n); deadShare: the columns never above zero', () => {
  const w = Float32Array.from([0.5, 0.5, 0, 1, 0, 0]);
  const { weight, entropy } = gateSpread(w, 2, 3);
  assert.deepEqual([...weight], [0.75, 0.25, 0]);
  assert.ok(Math.abs(entropy - Math.log(2) / 2 / Math.log(3)) < 1e-12, 'row 1: ln 2, row 2: 0');
  assert.ok(Math.abs(gateSpread(Float32Array.from([0.25, 0.25, 0.25, 0.25]), 1, 4).entropy - 1) < 1e-6, 'even: 1');
  assert.equal(deadShare(Float32Array.from([0, 1, 0, 0, 2, -1]), 2, 3), 2 / 3, 'columns 0 and 2');
  assert.equal(deadShare(Float32Array.from([0, 0]), 1, 2), 1);
});

test("expertDiagnostics: a gate pushed onto one expert reads as collapsed (entropy near 0, the others idle) and an expert whose outputs are all zero as dead; each domain's own gate only, a one-gate model's gate on every domain", async () => {
  await selectBackend(process.env.CROSSAB_BACKEND ?? 'wasm');
  const s = scenario('tiny', (r) => {
    r.training.epochs = 1;
  });
  const p = modelInputs(s, 5);
  const fit = (name: string) => fitStrategy(strategy(name), p.ds, p.split, p.history, s.training, 5);
  const mmoe = await fit('mmoe');
  const omoe = await fit('omoe');
  const ple = await fit('ple');
  const plain = await fit('shared-bottom');
  try {
    // mmoe: gate 1 (domain 'mid') all on expert 2; expert 0's last layer never fires.
    variable(mmoe.params, 'mmoe/gate1/w').assign(tf.zerosLike(variable(mmoe.params, 'mmoe/gate1/w')));
    variable(mmoe.params, 'mmoe/gate1/b').assign(tf.tensor1d([0, 0, 30]));
    variable(mmoe.params, 'mmoe/expert0/1/w').assign(tf.zerosLike(variable(mmoe.params, 'mmoe/expert0/1/w')));
    variable(mmoe.params, 'mmoe/expert0/1/b').assign(tf.fill([16], -1));
    const m = expertDiagnostics(mmoe.model, p.ds, p.split.test);
    assert.deepEqual([...new Set(m.map((r) => `${r.domain}:${r.gate}`))], ['head:gate0', 'mid:gate1', 'tail:gate2'], "each domain's own gate");
    const mid = m.filter((r) => r.domain === 'mid');
    assert.deepEqual(
      mid.map((r) => r.expert),
      [0, 1, 2],
    );
    assert.ok(mid[0].entropy < 1e-6 && mid[2].weight > 0.999 && mid[0].weight < 1e-6 && mid[1].weight < 1e-6, JSON.stringify(mid));
    for (const r of m.filter((x) => x.expert === 0)) assert.equal(r.deadShare, 1, `${r.domain}: expert 0 is dead`);
    const head = m.filter((r) => r.domain === 'head');
    assert.ok(head[0].entropy > 0.5, 'an untouched gate spreads');
    assert.ok(
      head.slice(1).every((r) => r.deadShare < 1),
      'the others live',
    );
    const o = expertDiagnostics(omoe.model, p.ds, p.split.test);
    assert.deepEqual([...new Set(o.map((r) => `${r.domain}:${r.gate}`))], ['head:gate0', 'mid:gate0', 'tail:gate0'], 'one gate, read on every domain');
    const pl = new Set(expertDiagnostics(ple.model, p.ds, p.split.test).map((r) => `${r.domain}:${r.gate}`));
    assert.ok(pl.has('mid:level0/gate1') && pl.has('mid:level0/gateShared') && !pl.has('mid:level0/gate0'), [...pl].join(' '));
    assert.deepEqual(expertDiagnostics(plain.model, p.ds, p.split.test), [], 'no gates, no rows');
    // Reading the gates leaves the model's predictions as they were (the probe is off afterwards).
    const rows = p.split.test.subarray(0, 50);
    const before = mmoe.predict(rows).click;
    expertDiagnostics(mmoe.model, p.ds, rows);
    assert.deepEqual(mmoe.predict(rows).click, before);
  } finally {
    for (const t of [mmoe, omoe, ple, plain]) t.dispose();
  }
});
