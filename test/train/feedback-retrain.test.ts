import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectBackend } from '../../src/tf/backend.js';
import { candidatesOf, modelInputs } from '../../src/data/inputs.js';
import { candidateTruth } from '../../src/data/candidate-truth.js';
import { fitStrategy } from '../../src/train/trainer.js';
import { strategy } from '../../src/models/registry.js';
import { retrainInRounds } from '../../src/train/feedback-retrain.js';
import { feedbackLoops } from '../../src/abtest/feedback.js';
import { policyScores } from '../../src/abtest/policy-arm.js';
import { scenario } from '../helpers/scenarios.js';

test('a retrained arm serves its first round as the trained model, then from weights fine-tuned on its own log; an explore arm starts as the static explore arm; the trained weights are put back', async () => {
  await selectBackend(process.env.CROSSAB_BACKEND ?? 'wasm');
  const s = scenario('tiny', (r) => {
    r.training.epochs = 1;
    r.users.count = 300;
    r.traffic.replayRequests = 3000;
    r.feedback = { rounds: 3, every: 1, arms: 'retrain', epochs: 1, learners: {} };
    r.abtest = {
      ...r.abtest,
      arms: ['shared-bottom', 'wide'],
      control: 'shared-bottom',
      policies: { wide: { kind: 'explore', strategy: 'shared-bottom', temperature: 0.5 } },
    };
  });
  const p = modelInputs(s, 3);
  const t = await fitStrategy(strategy('shared-bottom'), p.ds, p.split, p.history, s.training, 3);
  try {
    const cds = candidatesOf(p);
    const all = Int32Array.from({ length: cds.n }, (_, k) => k);
    const before = t.score(cds, all).click;
    const loops = [
      { participant: 'shared-bottom', temperature: null },
      { participant: 'wide', temperature: 0.5 },
    ];
    const r = retrainInRounds(p, t, cds, loops);
    assert.deepEqual(t.score(cds, all).click, before, 'the trained weights are restored after the loops');
    assert.equal(r.updates, 2 * (3 - 1), 'an update after each round but the last, per loop');
    assert.deepEqual(retrainInRounds(p, t, cds, loops).rounds, r.rounds, 'deterministic');
    const click = candidateTruth(p.world, cds).click;
    const statics = feedbackLoops(
      p.world,
      s.feedback!,
      click,
      new Map([
        ['shared-bottom', before],
        ['wide', policyScores(p.world, 'wide', s.abtest!.policies!.wide, before)],
      ]),
      () => 1,
    );
    const key = (x: { participant: string; round: number; domain: string }) => `${x.participant}/${x.round}/${x.domain}`;
    const stat = new Map(statics.map((x) => [key(x), x]));
    let moved = 0;
    for (const x of r.rounds) {
      assert.equal(x.kind, 'retrained');
      const st = stat.get(key(x))!;
      assert.equal(x.impressions, st.impressions, 'the same requests are served');
      const { kind: _a, ...mine } = x;
      const { kind: _b, ...theirs } = st;
      if (x.round === 1) assert.deepEqual(mine, theirs, `${key(x)}: round 1 is served before any update`);
      else if (Math.abs(x.gini - st.gini) > 1e-9 || Math.abs(x.trueCtr - st.trueCtr) > 1e-9) moved++;
    }
    assert.ok(moved >= 6, `only ${moved} of 8 later rounds differ from the static arm's`);
  } finally {
    t.dispose();
  }
});
