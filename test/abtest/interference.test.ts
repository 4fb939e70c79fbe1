import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateWorld } from '../../src/world/world.js';
import { candidatesOf, trainingInputs } from '../../src/data/inputs.js';
import { candidateTruth } from '../../src/data/candidate-truth.js';
import { countLearner, feedbackLoops, staticArm } from '../../src/abtest/feedback.js';
import { globalLifts } from '../../src/abtest/interference.js';
import type { FeedbackRound } from '../../src/data/serve-rounds.js';
import { scenario, scenarioPath } from '../helpers/scenarios.js';
import { loadScenario } from '../../src/scenario/load.js';
import { click, flat, grade, oracleAndNoisy, s, test2 } from '../helpers/feedback-test.js';

test('the global lift is expected clicks over impressions of the whole period, treatment over control, per domain and for all', () => {
  const row = (participant: string, domain: string, impressions: number, trueCtr: number) => ({ participant, domain, impressions, trueCtr }) as FeedbackRound;
  const rounds = [
    row('t', 'a', 100, 0.2),
    row('t', 'a', 300, 0.1),
    row('t', 'b', 100, 0.5),
    row('c', 'a', 200, 0.1),
    row('c', 'a', 200, 0.15),
    row('c', 'b', 100, 0.4),
  ];
  const g = globalLifts(rounds, 't', 'c', ['a', 'b']);
  assert.ok(Math.abs(g.get('a')! - (50 / 400 / (50 / 400) - 1)) < 1e-12);
  assert.ok(Math.abs(g.get('b')! - (0.5 / 0.4 - 1)) < 1e-12);
  assert.ok(Math.abs(g.get('all')! - (100 / 500 / (90 / 500) - 1)) < 1e-12);
});

test('static arms do not learn: every design is the same test, the estimates centre on the global lift and the intervals cover it', () => {
  const { rounds, make } = oracleAndNoisy(s.feedback!.rounds);
  const gs = grade(test2('oracle', 'noisy'), rounds, { salt: 1, assignments: 20, alpha: 0.05, click, bias: flat, make });
  const pooled = gs.filter((g) => g.design === 'pooled');
  const diverted = gs.filter((g) => g.design === 'diverted');
  assert.deepEqual(
    pooled.map(({ design: _, ...g }) => g),
    diverted.map(({ design: _, ...g }) => g),
  );
  for (const g of pooled) {
    assert.ok(g.globalLift > 0.02, `${g.domain}: the oracle beats the noisy ranking: ${g.globalLift}`);
    assert.ok(Math.abs(g.bias) < 2 * (g.sd / Math.sqrt(g.assignments)) + 0.005, `${g.domain}: bias ${g.bias} against sd ${g.sd}`);
    assert.ok(g.coverage >= 0.8, `${g.domain}: coverage ${g.coverage}`);
    assert.ok(Math.abs(g.rmse ** 2 - (g.bias ** 2 + (g.sd ** 2 * (g.assignments - 1)) / g.assignments)) < 1e-12, 'rmse² = bias² + variance');
  }
});

test('symbiosis: learners that retrain on the pooled log of both arms make the exploring Thompson arm look less better than its full rollout is; data-diverted logs come closer', () => {
  const lib = loadScenario(scenarioPath('library/symbiosis'));
  const world = generateWorld(lib, 1);
  const truth = candidateTruth(world, candidatesOf(trainingInputs(world))).click;
  const fb = lib.feedback!;
  const rounds = feedbackLoops(world, fb, truth, new Map(), flat);
  const make = (name: string) => countLearner(world, name, fb.learners[name]);
  const t = { ...fb.test!, rounds: fb.rounds, every: fb.every };
  const gs = grade(t, rounds, { world, salt: 1, assignments: 6, alpha: 0.05, click: truth, bias: flat, make });
  const at = (design: string) => gs.find((g) => g.design === design && g.domain === 'all')!;
  assert.ok(at('pooled').globalLift > 0.2, `Thompson beats most-popular in full rollout: ${at('pooled').globalLift}`);
  assert.ok(at('pooled').bias < -0.05, `pooled understates: ${JSON.stringify(at('pooled'))}`);
  assert.ok(Math.abs(at('diverted').bias) < Math.abs(at('pooled').bias) / 2, `diverted ${at('diverted').bias} vs pooled ${at('pooled').bias}`);
});

test('spillover: with a user memory that crosses domains, splitting each domain on its own overstates the arm that keeps showing one kind — the user-level test does not; without the memory the two designs agree', () => {
  const run = (userState: boolean) => {
    const sc = scenario('tiny', (r) => {
      r.traffic.replayRequests = 6000;
      r.feedback = { rounds: 4, ...(userState ? { userState: { similarBy: 'item_category', memory: 2, fatigue: 0.3 } } : {}) };
    });
    const world = generateWorld(sc, 1);
    const truth = candidateTruth(world, candidatesOf(trainingInputs(world))).click;
    // The treatment pushes one kind to the top of every slate, on every domain; the control ranks by the truth.
    const kind = world.items.cat[world.layout.categorical.findIndex((f) => f.name === 'item_category')]!;
    const pushy = Float32Array.from(truth, (c, k) => c + (kind[world.replay!.candItems[k]] === 1 ? 10 : 0));
    const arms = new Map([
      ['pushy', pushy],
      ['truth', Float32Array.from(truth)],
    ]);
    const rounds = feedbackLoops(world, { ...sc.feedback!, learners: {} }, truth, arms, flat);
    const t = { ...test2('pushy', 'truth'), designs: ['pooled' as const, 'per-domain' as const] };
    const make = (name: string) => staticArm(arms.get(name)!);
    const gs = grade(t, rounds, { salt: 1, assignments: 100, alpha: 0.05, click: truth, bias: flat, make, world });
    const [pooled, perDomain] = ['pooled', 'per-domain'].map((d) => gs.find((g) => g.design === d && g.domain === 'all')!);
    assert.ok(pooled.globalLift < -0.2, `the pushy arm loses: ${pooled.globalLift}`);
    return { pooled: pooled.bias, perDomain: perDomain.bias };
  };
  const tiring = run(true);
  assert.ok(tiring.perDomain > 0.015 && tiring.perDomain - tiring.pooled > 0.015, `with the memory: ${JSON.stringify(tiring)}`);
  const still = run(false);
  assert.ok(Math.abs(still.perDomain - still.pooled) < 0.01, `without it: ${JSON.stringify(still)}`);
});
