// What the arms served: a held replay ranked from candidate scores, and a streamed replay rebuilt from
// the slots the workers chose, give the same slates, the same true probabilities and the same expected
// outcomes per request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scenario } from '../helpers/scenarios.js';
import { modelInputs, candidatesOf } from '../../src/data/inputs.js';
import { candidateTruth } from '../../src/data/candidate-truth.js';
import { positionCurve } from '../../src/data/slates.js';
import { stream } from '../../src/world/rng.js';
import { heldReplay } from '../../src/world/world.js';
import { servedByScores, servedBySlates } from '../../src/abtest/served.js';

test('ranked by scores: each request shows its top k by score with each slot’s true probabilities; its expected clicks are Σ p·bias(position) and conversions Σ p·bias·pcv; the same slots handed over as offsets serve the same', () => {
  const p = modelInputs(
    scenario('tiny', (r) => {
      r.traffic.replayRequests = 1500;
    }),
    5,
  );
  const w = p.world;
  const truth = candidateTruth(w, candidatesOf(p));
  const rng = stream(7, 'served-test');
  const { rq } = heldReplay(w, 'test');
  const n = rq.candStart[rq.n];
  const scores = new Map([
    ['a', Float32Array.from({ length: n }, () => rng.next())],
    ['b', Float32Array.from({ length: n }, () => rng.next())],
  ]);
  const arms = [
    { name: 'a', strategy: 'a', share: 0.5 },
    { name: 'b', strategy: 'b', share: 0.5 },
    { name: 'a-again', strategy: 'a', share: 0 },
  ];
  const curve = [1, 0.7, 0.5];
  const bias = positionCurve(curve);
  const held = servedByScores(w, truth, scores, arms, bias);
  assert.equal(held.requests.n, rq.n);
  assert.deepEqual([...held.ranked.keys()], ['a', 'b'], 'one set of slates per distinct strategy');
  const slateOf = w.scenario.domains.map((d) => d.slate);
  const chosen = new Map<string, Uint16Array>();
  for (const [name, sl] of held.ranked) {
    const sc = scores.get(name)!;
    const offsets = new Uint16Array(sl.click.length);
    for (let r = 0; r < rq.n; r++) {
      const k = sl.start[r + 1] - sl.start[r];
      assert.equal(k, slateOf[rq.domain[r]]);
      // The slate is the top k: each shown slot's true probability belongs to a candidate at least as
      // high as every candidate left out.
      const order = Array.from({ length: rq.candStart[r + 1] - rq.candStart[r] }, (_, c) => rq.candStart[r] + c).sort((x, y) => sc[y] - sc[x] || x - y);
      let clicks = 0;
      let convs = 0;
      for (let j = 0; j < k; j++) {
        const c = order[j];
        assert.equal(sl.click[sl.start[r] + j], truth.click[c]);
        assert.equal(sl.conv[sl.start[r] + j], truth.conv[c]);
        offsets[sl.start[r] + j] = c - rq.candStart[r];
        clicks += truth.click[c] * curve[Math.min(j, 2)];
        convs += truth.click[c] * curve[Math.min(j, 2)] * truth.conv[c];
      }
      assert.ok(Math.abs(sl.expClicks[r] - clicks) < 1e-12 && Math.abs(sl.expConvs[r] - convs) < 1e-12, `request ${r}`);
    }
    chosen.set(name, offsets);
  }
  const streamed = servedBySlates(w, chosen, arms, bias);
  assert.deepEqual(streamed.requests, { n: rq.n, time: rq.time, user: rq.user, domain: rq.domain });
  for (const [name, sl] of held.ranked) {
    const other = streamed.ranked.get(name)!;
    assert.deepEqual(other.start, sl.start);
    assert.deepEqual(other.click, sl.click);
    assert.deepEqual(other.conv, sl.conv);
    assert.deepEqual(other.expClicks, sl.expClicks);
  }
});

test('a strategy without scores or slates, and slates of the wrong length, are refused by name', () => {
  const p = modelInputs(
    scenario('tiny', (r) => {
      r.traffic.replayRequests = 200;
    }),
    5,
  );
  const truth = candidateTruth(p.world, candidatesOf(p));
  const arms = [{ name: 'x', strategy: 'x', share: 1 }];
  assert.throws(() => servedByScores(p.world, truth, new Map(), arms, () => 1), /no candidate scores for strategy 'x'/);
  assert.throws(() => servedBySlates(p.world, new Map(), arms, () => 1), /no slates for strategy 'x'/);
  assert.throws(() => servedBySlates(p.world, new Map([['x', new Uint16Array(1e6)]]), arms, () => 1), /'x' chose 1000000 slots, the replay has \d+/);
});
