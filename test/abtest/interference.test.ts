import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateWorld } from '../../src/world/world.js';
import { candidatesOf, trainingInputs } from '../../src/data/inputs.js';
import { candidateTruth } from '../../src/data/candidate-truth.js';
import { countLearner, feedbackLoops, staticArm, type Participant } from '../../src/abtest/feedback.js';
import { globalLifts, gradeDesigns, serveTest, type InterferenceTest } from '../../src/abtest/interference.js';
import { userHash } from '../../src/abtest/assign.js';
import type { FeedbackRound } from '../../src/data/serve-rounds.js';
import { scenario, scenarioPath } from '../helpers/scenarios.js';
import { loadScenario } from '../../src/scenario/load.js';

const s = scenario('tiny', (r) => {
  r.traffic.replayRequests = 3000;
  r.feedback = { rounds: 4, learners: { pop: { kind: 'popular', warmStart: false }, ts: { kind: 'thompson', warmStart: false } } };
});
const w = generateWorld(s, 3);
const click = candidateTruth(w, candidatesOf(trainingInputs(w))).click;
const rq = w.replay!;
const flat = () => 1;
const test2 = (treatment: string, control: string, rounds = 4): InterferenceTest => ({
  treatment,
  control,
  designs: ['pooled', 'diverted'],
  split: 0.5,
  rounds,
  every: 1,
});

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

test('pooled: both arms learn every served row; diverted: each learns only its own users\u2019 rows; every request is served by its user\u2019s arm', () => {
  const logs = new Map<string, number[]>();
  const seen = new Map<string, Set<number>>();
  const spy = (name: string): Participant => {
    logs.set(name, []);
    seen.set(name, new Set());
    const inner = staticArm(Float32Array.from(click, (c) => (name === 'a' ? c : -c)));
    return { scoresFor: inner.scoresFor, learn: (served) => logs.get(name)!.push(...served.request) };
  };
  const salt = 7;
  let pooledRows = 0;
  const treated = (r: number) => userHash(salt, rq.user[r]) < 0.5;
  for (const design of ['pooled', 'diverted'] as const) {
    const { treatment, control } = serveTest(w, test2('a', 'b'), design, salt, click, flat, spy);
    const a = logs.get('a')!;
    const b = logs.get('b')!;
    assert.ok(a.length > 0 && b.length > 0);
    if (design === 'pooled') {
      assert.deepEqual(a, b);
      pooledRows = a.length;
    } else {
      assert.ok(a.every(treated) && b.every((r) => !treated(r)), 'diverted logs stay in their arm');
      assert.equal(a.length + b.length, pooledRows, 'between them, every served row once');
    }
    // Every user is in exactly one arm, and all impressions are counted once.
    const slate = s.domains.map((d) => d.slate);
    let all = 0;
    for (let r = 0; r < rq.n; r++) all += slate[rq.domain[r]];
    assert.equal(treatment[0].sumY + control[0].sumY, all);
    // The oracle-ordered arm 'a' clicks more than the reversed arm 'b'.
    assert.ok(treatment[0].sumX / treatment[0].sumY > control[0].sumX / control[0].sumY);
  }
});

test('static arms do not learn: every design is the same test, the estimates centre on the global lift and the intervals cover it', () => {
  const rounds = feedbackLoops(
    w,
    { ...s.feedback!, learners: {} },
    click,
    new Map([
      ['oracle', Float32Array.from(click)],
      ['noisy', Float32Array.from(click, (c, k) => c * (0.5 + ((k * 7919) % 101) / 100))],
    ]),
    flat,
  );
  const make = (name: string) =>
    staticArm(name === 'oracle' ? Float32Array.from(click) : Float32Array.from(click, (c, k) => c * (0.5 + ((k * 7919) % 101) / 100)));
  const gs = gradeDesigns(w, test2('oracle', 'noisy'), rounds, { salt: 1, assignments: 20, alpha: 0.05, click, bias: flat, make });
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
  const gs = gradeDesigns(world, t, rounds, { salt: 1, assignments: 6, alpha: 0.05, click: truth, bias: flat, make });
  const at = (design: string) => gs.find((g) => g.design === design && g.domain === 'all')!;
  assert.ok(at('pooled').globalLift > 0.2, `Thompson beats most-popular in full rollout: ${at('pooled').globalLift}`);
  assert.ok(at('pooled').bias < -0.05, `pooled understates: ${JSON.stringify(at('pooled'))}`);
  assert.ok(Math.abs(at('diverted').bias) < Math.abs(at('pooled').bias) / 2, `diverted ${at('diverted').bias} vs pooled ${at('pooled').bias}`);
});
