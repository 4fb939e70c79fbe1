import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateWorld } from '../../src/world/world.js';
import { candidatesOf, trainingInputs } from '../../src/data/inputs.js';
import { candidateTruth } from '../../src/data/candidate-truth.js';
import { rankedReplay } from '../../src/abtest/replay.js';
import { feedbackStage, retrainLoops } from '../../src/experiment/feedback-stage.js';
import { DEFAULT_DECISION_RULES } from '../../src/scenario/blocks.js';
import type { OfflineResults } from '../../src/train/parallel.js';
import { rawScenario, scenario } from '../helpers/scenarios.js';
import { crossab } from '../helpers/cli.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

test('a world without interference: two static arms in feedback.test have a global lift equal to the A/B true lift on every domain and for all, with the position curve applied', () => {
  const s = scenario('tiny', (r) => {
    r.abtest.positionBias = [1, 0.7, 0.5];
    r.feedback = { rounds: 3, test: { treatment: 'shared-bottom', control: 'separate', assignments: 3 } };
  });
  const p = trainingInputs(generateWorld(s, 2));
  const truth = candidateTruth(p.world, candidatesOf(p));
  // Stand-ins for the two trained arms: the truth itself, and the truth with a deterministic distortion.
  const scores = new Map([
    ['shared-bottom', Float32Array.from(truth.click)],
    ['separate', Float32Array.from(truth.click, (c, k) => c * (0.4 + ((k * 7919) % 97) / 80))],
  ]);
  const arms = [
    { name: 'separate', strategy: 'separate', share: 0.5 },
    { name: 'shared-bottom', strategy: 'shared-bottom', share: 0.5 },
  ];
  const ab = rankedReplay(p.world, truth, scores, { arms, control: 0, positionBias: s.abtest!.positionBias ?? null, rules: DEFAULT_DECISION_RULES })(1);
  const off = { trained: [] } as unknown as OfflineResults;
  const { rounds, designs } = feedbackStage(p, off, { scores, click: truth.click }, arms, s.feedback!, { salt: 1, alpha: 0.05 });
  assert.equal(new Set(rounds.map((r) => r.participant)).size, 2);
  assert.equal(designs.length, 2 * (1 + p.world.layout.domains.length), 'both designs, every domain and all');
  for (const d of designs) {
    const lift = ab.lifts.find((l) => l.arm === 'shared-bottom' && l.domain === d.domain && l.segment === 'all' && l.metric === 'ctr')!;
    assert.ok(Math.abs(d.globalLift - lift.trueLift) < 1e-9, `${d.design} ${d.domain}: global ${d.globalLift} against true lift ${lift.trueLift}`);
    assert.equal(d.assignments, 3, "the test's own count when --grade is not given");
  }
  const graded = feedbackStage(p, off, { scores, click: truth.click }, arms, s.feedback!, { salt: 1, assignments: 5, alpha: 0.05 });
  assert.ok(
    graded.designs.every((d) => d.assignments === 5),
    '--grade overrides it',
  );
});

test("retrainLoops: with arms 'retrain', each trained strategy runs its own arm's loop and each explore arm's over it; policy arms of other kinds stay static", () => {
  const s = scenario('tiny', (r) => {
    r.abtest = {
      arms: ['separate', 'shared-bottom', 'explore', 'random'],
      control: 'separate',
      policies: { explore: { kind: 'explore', strategy: 'shared-bottom', temperature: 0.5 }, random: { kind: 'uniform' } },
    };
    r.feedback = { arms: 'retrain' };
  });
  const arms = s.abtest!.arms.map((a) => ({ name: a, strategy: a, share: 0.25 }));
  const loops = retrainLoops(s, arms);
  assert.deepEqual(Object.fromEntries(loops), {
    separate: [{ participant: 'separate', temperature: null }],
    'shared-bottom': [
      { participant: 'shared-bottom', temperature: null },
      { participant: 'explore', temperature: 0.5 },
    ],
  });
  assert.equal(retrainLoops({ ...s, feedback: { ...s.feedback!, arms: 'static' } }, arms).size, 0);
  const tested = scenario('tiny', (r) => {
    r.abtest = s.abtest;
    r.feedback = { arms: 'retrain', test: { treatment: 'explore', control: 'shared-bottom', assignments: 7 } };
  });
  const withTest = retrainLoops(tested, arms, { salt: 9 }).get('shared-bottom')!;
  assert.deepEqual(withTest[1], { participant: 'explore', temperature: 0.5, test: { salt: 9, assignments: 7 } }, "the treatment's loop carries the test");
  assert.equal(withTest[0].test, undefined);
  assert.equal(retrainLoops(tested, arms, { salt: 9, assignments: 3 }).get('shared-bottom')![1].test!.assignments, 3, '--grade overrides it');
  // Two strategies' arms: the treatment's loop names the control's strategy and loop, for its worker to train again.
  const across = scenario('tiny', (r) => {
    r.abtest = s.abtest;
    r.feedback = { arms: 'retrain', test: { treatment: 'explore', control: 'separate' } };
  });
  const crossed = retrainLoops(across, arms, { salt: 2 });
  assert.deepEqual(crossed.get('shared-bottom')![1].test, {
    salt: 2,
    assignments: 20,
    partner: { strategy: 'separate', loop: { participant: 'separate', temperature: null } },
  });
  assert.equal(crossed.get('separate')![0].test, undefined, "the control's own worker runs only its rollout");
});

test("a test between two strategies' retrained arms: the treatment's worker trains the control's strategy again, and the designs equal those of a run in one thread to the last digit", () => {
  const raw = rawScenario('tiny');
  raw.strategies = ['shared-bottom', 'separate'];
  raw.abtest = { arms: ['shared-bottom', 'separate'], control: 'separate' };
  raw.traffic.replayRequests = 3000;
  raw.feedback = { rounds: 3, arms: 'retrain', test: { treatment: 'shared-bottom', control: 'separate', assignments: 3 } };
  const file = join(mkdtempSync(join(tmpdir(), 'crossab-cross-')), 'cross.json');
  writeFileSync(file, JSON.stringify(raw));
  const designs = (workers: string) => {
    const r = crossab(['run', file, '--json', '--no-report', '--workers', workers, '--backend', 'wasm', '--db', join(file, '..', `w${workers}.duckdb`)]);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout).feedback_designs as { design: string; domain: string; global_lift: number; bias: number }[];
  };
  const inWorkers = designs('2');
  assert.equal(inWorkers.length, 2 * 4, 'pooled and diverted, every domain and all');
  assert.ok(inWorkers.every((d) => Number.isFinite(d.global_lift) && Number.isFinite(d.bias)));
  assert.deepEqual(designs('1'), inWorkers);
});
