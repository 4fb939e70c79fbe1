import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gini, serveInRounds } from '../../src/data/serve-rounds.js';
import { generateWorld } from '../../src/world/world.js';
import { candidatesOf, trainingInputs } from '../../src/data/inputs.js';
import { candidateTruth } from '../../src/data/candidate-truth.js';
import { scenario } from '../helpers/scenarios.js';

test('gini: 0 for equal counts, (n − 1) / n when one item has everything, and the textbook value in between', () => {
  assert.equal(gini([3, 3, 3, 3]), 0);
  assert.ok(Math.abs(gini([0, 0, 0, 5]) - 0.75) < 1e-12);
  // 1, 2, 3, 4: Σ|xᵢ − xⱼ| / (2 n² mean) = 20 / (2 · 16 · 2.5) = 0.25.
  assert.ok(Math.abs(gini([4, 1, 3, 2]) - 0.25) < 1e-12);
  assert.equal(gini([0, 0]), 0);
});

test('serveInRounds: updates after every `every` rounds on what was served since the last, never after the last round; outcomes do not depend on learning', () => {
  const s = scenario('tiny', (r) => {
    r.traffic.replayRequests = 2000;
  });
  const w = generateWorld(s, 2);
  const click = candidateTruth(w, candidatesOf(trainingInputs(w))).click;
  const rq = w.replay!;
  const updates: { after: number; served: number; clicks: number }[] = [];
  let round = 0;
  const scoresFor = (c0: number, c1: number) => {
    round++;
    return click.slice(c0, c1);
  };
  const o = { rounds: 5, every: 2, name: 'p', kind: 'static' as const, click, bias: () => 1, scoresFor };
  const rounds = serveInRounds(w, { ...o, learn: (x) => updates.push({ after: round, served: x.cand.length, clicks: x.clicked.reduce((a, b) => a + b, 0) }) });
  assert.deepEqual(
    updates.map((u) => u.after),
    [2, 4],
  );
  const slots = (from: number, to: number) => {
    let n = 0;
    for (let r = from; r < to; r++) n += s.domains[rq.domain[r]].slate;
    return n;
  };
  const cut = (t: number) => Math.floor((t * rq.n) / 5);
  assert.equal(updates[0].served, slots(cut(0), cut(2)));
  assert.equal(updates[1].served, slots(cut(2), cut(4)));
  const sum = (t0: number, t1: number) => rounds.filter((r) => r.round > t0 && r.round <= t1).reduce((a, r) => a + r.clicks, 0);
  assert.equal(updates[0].clicks, sum(0, 2));
  assert.equal(updates[1].clicks, sum(2, 4));
  round = 0;
  assert.deepEqual(serveInRounds(w, o), rounds, 'the same scores give the same rounds with or without a learner');
});
