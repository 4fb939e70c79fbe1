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
import { globalLifts, gradeDesigns } from '../../src/abtest/interference.js';
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
    // feedback.test between the two loops: graded beside the model, from copies of the trained weights.
    const s2 = scenario('tiny', (raw) => {
      raw.abtest = {
        arms: ['shared-bottom', 'wide'],
        control: 'shared-bottom',
        policies: { wide: { kind: 'explore', strategy: 'shared-bottom', temperature: 0.5 } },
      };
      raw.feedback = { rounds: 3, every: 1, arms: 'retrain', epochs: 1, learners: {}, test: { treatment: 'wide', control: 'shared-bottom' } };
    });
    const p2 = { ...p, world: { ...p.world, scenario: { ...s, feedback: s2.feedback } } };
    const withTest = [loops[0], { ...loops[1], test: { salt: 1, assignments: 2 } }];
    const r2 = retrainInRounds(p2, t, cds, withTest);
    assert.deepEqual(r2.rounds, r.rounds, "the test leaves each loop's full rollout as it was");
    assert.deepEqual(t.score(cds, all).click, before, 'the trained weights are restored after the test');
    assert.equal(r2.updates, 2 * 2 + (1 + 2) * 2 * 2 * 2, 'each served test updates both arms after each round but the last');
    assert.deepEqual(
      r2.tests.map((x) => `${x.design}/${x.salt}`),
      ['pooled/1', 'pooled/1', 'pooled/2', 'diverted/1', 'diverted/1', 'diverted/2'],
      "each design at the run's salt, then at salts 1..assignments",
    );
    const domains = p.world.layout.domains;
    const global = globalLifts(r.rounds, 'wide', 'shared-bottom', domains);
    const designs = gradeDesigns(p2.world, { ...s2.feedback!.test!, rounds: 3, every: 1 }, r.rounds, r2.tests, 0.05);
    assert.deepEqual(
      designs.map((d) => `${d.design}/${d.domain}`),
      ['pooled', 'diverted'].flatMap((d) => ['all', ...domains].map((x) => `${d}/${x}`)),
    );
    for (const d of designs) {
      assert.equal(d.assignments, 2);
      assert.equal(d.globalLift, global.get(d.domain));
      assert.ok(Number.isFinite(d.estimate) && d.ciLow < d.estimate && d.estimate < d.ciHigh, JSON.stringify(d));
    }
    assert.equal(retrainInRounds(p, t, cds, withTest).tests.length, 0, 'no feedback.test, nothing served');
  } finally {
    t.dispose();
  }
});

test("a test between two strategies' retrained arms: the control's model is given (trained again with the run's seed), serves from its own copy of its weights, and both models are put back", async () => {
  await selectBackend(process.env.CROSSAB_BACKEND ?? 'wasm');
  const s = scenario('tiny', (r) => {
    r.training.epochs = 1;
    r.users.count = 300;
    r.traffic.replayRequests = 2000;
    r.abtest = { arms: ['shared-bottom', 'separate'], control: 'separate' };
    r.feedback = {
      rounds: 3,
      every: 1,
      arms: 'retrain',
      epochs: 1,
      learners: {},
      test: { treatment: 'shared-bottom', control: 'separate', designs: ['pooled'] },
    };
  });
  const p = modelInputs(s, 4);
  const t = await fitStrategy(strategy('shared-bottom'), p.ds, p.split, p.history, s.training, 4);
  const partner = await fitStrategy(strategy('separate'), p.ds, p.split, p.history, s.training, 4);
  try {
    const cds = candidatesOf(p);
    const all = Int32Array.from({ length: cds.n }, (_, k) => k);
    const [mine, theirs] = [t, partner].map((m) => m.score(cds, all).click);
    const sep = { participant: 'separate', temperature: null };
    const loops = [{ participant: 'shared-bottom', temperature: null, test: { salt: 1, assignments: 2, partner: { strategy: 'separate', loop: sep } } }];
    const r = retrainInRounds(p, t, cds, loops, partner);
    assert.deepEqual(t.score(cds, all).click, mine, "the treatment's weights are restored");
    assert.deepEqual(partner.score(cds, all).click, theirs, "the control's weights are restored");
    assert.deepEqual(
      r.tests.map((x) => `${x.design}/${x.salt}`),
      ['pooled/1', 'pooled/1', 'pooled/2'],
    );
    assert.equal(r.updates, 2 + 3 * 2 * 2, 'its own loop, then both arms of each served test after each round but the last');
    // The control arm serves separate's scores: with its model swapped for the treatment's, the test comes out otherwise.
    const same = retrainInRounds(p, t, cds, loops, t);
    assert.notDeepEqual(
      same.tests.map((x) => x.control[0].sumX),
      r.tests.map((x) => x.control[0].sumX),
    );
    assert.deepEqual(
      same.tests.map((x) => x.control[0].sumY),
      r.tests.map((x) => x.control[0].sumY),
      'the same users in the control',
    );
    assert.throws(() => retrainInRounds(p, t, cds, loops), /feedback\.test: the control's model \(separate\) is not here to serve it/);
  } finally {
    t.dispose();
    partner.dispose();
  }
});
