// The long-term readout's parts on the tiny world's replay: who was planned a visit (intent to treat),
// the truth's clicks and visits weighted by staying, and the lift of the mean per planned user.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateWorld, heldReplay } from '../../src/world/world.js';
import { armsOf } from '../../src/world/assign.js';
import { longTermLifts, longTermTruth, scheduledUsers } from '../../src/abtest/long-term.js';
import { scenario } from '../helpers/scenarios.js';

const w = generateWorld(scenario('tiny'), 7);
const { rq } = heldReplay(w, 'the test');
const U = w.users.count;
const D = w.layout.domains.length;

test('planned users: every user with a replay request, and per domain those with one there', () => {
  const s = scheduledUsers(w);
  const seen = new Set(Array.from(rq.user));
  for (let u = 0; u < U; u++) assert.equal(s[u], seen.has(u) ? 1 : 0);
  for (let d = 0; d < D; d++) {
    const there = new Set(Array.from(rq.user).filter((_, r) => rq.domain[r] === d));
    for (let u = 0; u < U; u++) assert.equal(s[(1 + d) * U + u], there.has(u) ? 1 : 0);
  }
});

test("the truth weighs each visit by the chance its user is still there; a treatment doubling every planned user's clicks lifts them +100%", () => {
  const alive = Float64Array.from({ length: rq.n }, (_, r) => (r % 2 ? 0.5 : 1));
  const expClicks = new Float64Array(rq.n).fill(0.2);
  const t = longTermTruth(w, { alive, expClicks });
  const weight = alive.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(t.visits[0] - weight) < 1e-9 && Math.abs(t.clicks[0] - 0.2 * weight) < 1e-9);
  assert.ok(Math.abs(t.visits.slice(1).reduce((a, b) => a + b, 0) - weight) < 1e-9, 'the domains share the visits out');

  const cfg = {
    arms: [
      { name: 'c', strategy: 'c', share: 0.5 },
      { name: 't', strategy: 't', share: 0.5 },
    ],
    control: 0,
    salt: 3,
    rules: { alpha: 0.05 },
  };
  const arm = armsOf(cfg.salt, U, [0.5, 0.5]);
  const scheduled = scheduledUsers(w);
  const K = D + 1;
  const clicks = new Float64Array(K * U);
  const visits = new Float64Array(K * U);
  // Each planned user: 1 click per visit in the control, 2 in the treatment, visits alternating 1 and 3.
  for (let k = 0; k < K; k++)
    for (let u = 0; u < U; u++)
      if (scheduled[k * U + u]) {
        visits[k * U + u] = u % 2 ? 3 : 1;
        clicks[k * U + u] = visits[k * U + u] * (arm[u] === 1 ? 2 : 1);
      }
  const truth = new Map([
    ['c', { clicks: new Float64Array(K).fill(10), visits: new Float64Array(K).fill(5) }],
    ['t', { clicks: new Float64Array(K).fill(20), visits: new Float64Array(K).fill(5) }],
  ]);
  const lifts = longTermLifts(w, { clicks, visits }, scheduled, truth, cfg, false);
  assert.equal(lifts.length, K * 2);
  const all = lifts.find((l) => l.domain === 'all' && l.metric === 'clicks')!;
  assert.equal(
    all.users + all.controlUsers,
    scheduled.subarray(0, U).reduce((a, b) => a + b, 0),
    'every planned user counts',
  );
  assert.equal(all.trueLift, 1);
  // Per user, the treatment's clicks are its visits doubled: the lift is +100% up to the arms' mix of 1s and 3s.
  const mean = (a: 0 | 1, v: Float64Array) => {
    let s = 0;
    let n = 0;
    for (let u = 0; u < U; u++)
      if (scheduled[u] && arm[u] === a) {
        s += v[u];
        n++;
      }
    return s / n;
  };
  assert.ok(Math.abs(all.perUser - mean(1, clicks)) < 1e-12 && Math.abs(all.controlPerUser - mean(0, clicks)) < 1e-12);
  assert.ok(Math.abs(all.lift - (mean(1, clicks) / mean(0, clicks) - 1)) < 1e-9);
  assert.ok(all.ciLow < all.lift && all.lift < all.ciHigh);
  const lean = longTermLifts(w, { clicks, visits }, scheduled, truth, cfg, true);
  assert.ok(!lean.some((l) => l.domain === 'all'), "a lean readout leaves 'all' out");
});
