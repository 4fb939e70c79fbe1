import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateWorld } from '../../src/world/world.js';
import { candidatesOf, trainingInputs } from '../../src/data/inputs.js';
import { rankedReplay } from '../../src/abtest/replay.js';
import { rankSlates } from '../../src/data/slates.js';
import { candidateTruth } from '../../src/data/candidate-truth.js';
import { dynamicPath } from '../../src/abtest/dynamics.js';
import { itemKinds } from '../../src/world/memory.js';
import { DEFAULT_DECISION_RULES } from '../../src/scenario/blocks.js';
import { stream } from '../../src/world/rng.js';
import { scenario } from '../helpers/scenarios.js';

// The tiny world with a moving test period: many visits per user, so that memory and leaving matter.
const moving = (dynamics: Record<string, unknown>) =>
  scenario('tiny', (r) => {
    r.users.count = 400;
    r.traffic.replayRequests = 6000;
    r.dynamics = dynamics;
  });

function setUp(dynamics: Record<string, unknown>) {
  const w = generateWorld(moving(dynamics), 3);
  const truth = candidateTruth(w, candidatesOf(trainingInputs(w)));
  const rng = stream(3, 'dynamics-test');
  // A greedy arm (the true click probabilities) and a random one (uniform scores).
  const scores = new Map([
    ['greedy', Float32Array.from(truth.click)],
    ['random', Float32Array.from(truth.click, () => rng.next())],
  ]);
  return { w, truth, scores };
}

test("fatigue: each slate entry's click probability is the static one with its logit lowered by fatigue × the remembered stock, decayed per visit", () => {
  const { w, truth, scores } = setUp({ similarBy: 'item_category', memory: 3, fatigue: 0.7 });
  const slates = rankSlates(
    w.replay!,
    w.scenario.domains.map((d) => d.slate),
    scores.get('greedy')!,
  );
  const path = dynamicPath(w, w.scenario.dynamics!, slates, truth, Float64Array.from([1, 1, 1]));
  // Brute force: every user's stock of every kind, decayed eagerly at each of their visits.
  const { kinds } = itemKinds(w, w.scenario.dynamics!.similarBy, 'dynamics');
  const stock = new Map<number, Float64Array>();
  const decay = 2 ** (-1 / 3);
  let repeated = 0;
  for (let r = 0; r < w.replay!.n; r++) {
    const u = w.replay!.user[r];
    const st = stock.get(u) ?? new Float64Array(16);
    stock.set(u, st);
    for (let c = 0; c < st.length; c++) st[c] *= decay;
    for (let j = slates.start[r]; j < slates.start[r + 1]; j++) {
      const k = slates.cand[j];
      const s = st[kinds[w.replay!.candItems[k]]];
      const p = truth.click[k];
      const want = 1 / (1 + ((1 - p) / p) * Math.exp(0.7 * s));
      assert.ok(Math.abs(path.clickP[j] - want) < 1e-6, `request ${r}: ${path.clickP[j]} vs ${want}`);
      if (s > 0.5) repeated++;
    }
    for (let j = slates.start[r]; j < slates.start[r + 1]; j++) st[kinds[w.replay!.candItems[slates.cand[j]]]] += 1;
    assert.equal(path.alive[r], 1, 'no retention block: nobody leaves');
  }
  assert.ok(repeated > 1000, `only ${repeated} entries met a remembered kind`);
});

test("retention: the true long-term totals are what simulating the users gives, and the readout's interval covers them", () => {
  const { w, truth, scores } = setUp({ similarBy: 'item', memory: 5, retention: { leave: 0.05, perClick: 0.5, boredom: 1.5 } });
  const arms = [
    { name: 'random', strategy: 'random', share: 0.5 },
    { name: 'greedy', strategy: 'greedy', share: 0.5 },
  ];
  const readout = rankedReplay(w, truth, scores, { arms, control: 0, positionBias: null, rules: DEFAULT_DECISION_RULES });
  const salts = 60;
  let covered = 0;
  let sumLift = 0;
  let trueLift = NaN;
  for (let salt = 1; salt <= salts; salt++) {
    const ab = readout(salt);
    const clicks = ab.longTerm.find((l) => l.metric === 'clicks' && l.domain === 'all')!;
    trueLift = clicks.trueLift;
    if (clicks.covered) covered++;
    sumLift += clicks.lift;
    // Users who left make no more impressions: the served impressions fall short of the planned ones.
    const served = ab.results.filter((x) => x.domain === 'all' && x.segment === 'all').reduce((a, x) => a + x.impressions, 0);
    assert.ok(served < w.replay!.n * 2.8, `served ${served}`);
  }
  // The mean estimate over assignments is the true lift within its Monte Carlo error (the per-salt
  // interval is about ±0.1 wide here: ±0.013 for the mean of 60), and the 95% intervals cover it.
  assert.ok(Math.abs(sumLift / salts - trueLift) < 0.02, `mean estimate ${sumLift / salts} vs true ${trueLift}`);
  assert.ok(covered >= 52, `covered ${covered} of ${salts}`);
  // An A/A comparison: the same strategy in both arms has a true long-term lift of exactly 0.
  const aa = rankedReplay(w, truth, scores, {
    arms: [arms[1], { ...arms[1], name: 'greedy2' }],
    control: 0,
    positionBias: null,
    rules: DEFAULT_DECISION_RULES,
  })(7);
  for (const l of aa.longTerm) assert.equal(l.trueLift, 0);
});

test('the greedy arm repeats items and loses users to boredom; with boredom 0 it keeps more of them than the random arm', () => {
  const leaveShare = (boredom: number) => {
    const { w, truth, scores } = setUp({ similarBy: 'item', memory: 5, retention: { leave: 0.05, perClick: 0.5, boredom } });
    const arms = [
      { name: 'random', strategy: 'random', share: 0.5 },
      { name: 'greedy', strategy: 'greedy', share: 0.5 },
    ];
    const ab = rankedReplay(w, truth, scores, { arms, control: 0, positionBias: null, rules: DEFAULT_DECISION_RULES })(1);
    return ab.longTerm.find((l) => l.metric === 'visits' && l.domain === 'all')!.trueLift;
  };
  // Clicks keep users (perClick): without boredom the greedy arm, with more clicks, keeps more.
  assert.ok(leaveShare(0) > 0, `visits lift without boredom ${leaveShare(0)}`);
  assert.ok(leaveShare(3) < 0, `visits lift with boredom 3 ${leaveShare(3)}`);
});
