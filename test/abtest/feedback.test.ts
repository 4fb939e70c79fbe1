import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateWorld } from '../../src/world/world.js';
import { candidatesOf, trainingInputs } from '../../src/data/inputs.js';
import { candidateTruth } from '../../src/data/candidate-truth.js';
import { feedbackLoops } from '../../src/abtest/feedback.js';
import { scenario } from '../helpers/scenarios.js';

test('feedback loops: a most-popular learner from an empty log locks in after one round; Thompson concentrates gradually and learns; a static arm does not drift', () => {
  const s = scenario('tiny', (r) => {
    r.traffic.replayRequests = 6000;
    r.feedback = { rounds: 4, learners: { pop: { kind: 'popular', warmStart: false }, ts: { kind: 'thompson', warmStart: false } } };
  });
  const w = generateWorld(s, 5);
  const truth = candidateTruth(w, candidatesOf(trainingInputs(w)));
  const rounds = feedbackLoops(w, s.feedback!, truth.click, new Map([['oracle', Float32Array.from(truth.click)]]), () => 1);
  const of = (p: string, d: string) => rounds.filter((r) => r.participant === p && r.domain === d);
  assert.equal(rounds.length, 3 * 3 * 4, 'participants × domains × rounds');
  for (const d of ['head', 'mid']) {
    const pop = of('pop', d);
    const ts = of('ts', d);
    const oracle = of('oracle', d);
    // An empty log ranks at random: round 1 spreads over the catalogue.
    assert.ok(pop[0].coverage > 0.9 && pop[0].gini < 0.6, `${d}: round 1 ${JSON.stringify(pop[0])}`);
    assert.ok(pop[1].gini - pop[0].gini > 0.25, `${d}: most-popular Gini ${pop.map((r) => r.gini.toFixed(3))}`);
    assert.ok(pop[3].gini - pop[1].gini < 0.03, `${d}: locked in after round 1: ${pop.map((r) => r.gini.toFixed(3))}`);
    for (let t = 1; t < 4; t++) assert.ok(ts[t].gini >= ts[t - 1].gini - 0.01, `${d}: Thompson ${ts.map((r) => r.gini.toFixed(3))}`);
    assert.ok(ts[3].trueCtr > ts[0].trueCtr * 1.1, `${d}: Thompson learns: ${ts.map((r) => r.trueCtr.toFixed(3))}`);
    assert.ok(Math.abs(oracle[3].gini - oracle[0].gini) < 0.03, `${d}: static ${oracle.map((r) => r.gini.toFixed(3))}`);
    for (const r of [...pop, ...ts, ...oracle]) assert.ok(r.impressions > 0 && r.clicks <= r.impressions);
  }
});
