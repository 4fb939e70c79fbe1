// Sizing a test from logged traffic alone: the pilot's numbers against a second computation, and how they scale with traffic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pilotNoise, planTest } from '../../src/abtest/plan.js';
import { assignArm } from '../../src/world/assign.js';
import { normalQuantile } from '../../src/abtest/stats/distributions.js';
import { minimumDetectableLift } from '../../src/abtest/stats/power.js';
import { logRatioLift } from '../../src/abtest/stats/ratio.js';
import { addUser, emptyRatio } from '../../src/util/ratio-sums.js';
import { DEFAULT_DECISION_RULES } from '../../src/scenario/blocks.js';
import { generateWorld } from '../../src/world/world.js';
import { scenario } from '../helpers/scenarios.js';
import { stream } from '../../src/world/rng.js';

test('plan: the pilot is the last stretch of logs as long as the test, split as the test will be; its plain detectable lift recomputed by hand', () => {
  const s = scenario('tiny');
  const w = generateWorld(s, 5);
  const rules = { ...DEFAULT_DECISION_RULES, correction: 'none' as const };
  const p = planTest(w, 2, rules, 5);
  assert.equal(p.testRequests, s.traffic.replayRequests);
  assert.equal(p.pilotRequests, s.traffic.replayRequests);
  assert.equal(p.family, 3);
  assert.equal(p.alpha, 0.05);
  // The head domain by hand: per-user sums in the window, users split by the same hash.
  const from = w.timeline.testEnd - s.traffic.replayRequests;
  const d = 0;
  const perUser = new Map<number, { x: number; y: number }>();
  for (let i = 0; i < w.logged.n; i++) {
    if (w.logged.domain[i] !== d || w.logged.time[i] < from) continue;
    const u = perUser.get(w.logged.user[i]) ?? { x: 0, y: 0 };
    u.x += w.logged.click[i];
    u.y += 1;
    perUser.set(w.logged.user[i], u);
  }
  const arms = [emptyRatio(), emptyRatio()];
  for (const [u, v] of perUser) addUser(arms[assignArm(5, u, [0.5, 0.5])], v.x, v.y);
  const se = logRatioLift(arms[0], arms[1]).seLog;
  const head = p.domains[0];
  assert.ok(Math.abs(head.mde - minimumDetectableLift(se, 0.05, 0.8)) < 1e-9, `${head.mde} vs ${minimumDetectableLift(se, 0.05, 0.8)}`);
  assert.equal(head.usersPerArm, (arms[0].users + arms[1].users) / 2);
  // Users needed for +5%: the standard error scales as 1/√users.
  const k = ((normalQuantile(0.975) + normalQuantile(0.8)) * se) / Math.log(1.05);
  assert.ok(Math.abs(head.usersNeeded - Math.ceil(2 * head.usersPerArm * k * k)) <= 1);
  for (const dp of p.domains) {
    assert.ok(dp.cupedMde <= dp.mde + 1e-12, `${dp.domain}: CUPED cannot size a test larger`);
    assert.ok(dp.sequentialUsersNeeded > dp.cupedUsersNeeded, 'a sequential test needs more users to reach the same power');
    assert.ok(dp.power > 0 && dp.power < 1);
  }
  // The tail domain has the fewest users and the largest detectable lift.
  assert.ok(p.domains[2].mde > p.domains[0].mde);
  // Holm over (3 − 1) treatment arms × 3 domains: each test sized at α / 6.
  const holm = planTest(w, 3, DEFAULT_DECISION_RULES, 5);
  assert.equal(holm.family, 6);
  assert.ok(Math.abs(holm.alpha - 0.05 / 6) < 1e-15);
});

test('plan: four times the users and traffic halve the standard error, so the detectable lift shrinks about as 1/√4', () => {
  const small = planTest(generateWorld(scenario('tiny'), 8), 2, DEFAULT_DECISION_RULES, 8);
  const big = planTest(
    generateWorld(
      scenario('tiny', (r) => {
        r.users.count *= 4;
        r.traffic.requests *= 4;
        r.traffic.replayRequests *= 4;
      }),
      8,
    ),
    2,
    DEFAULT_DECISION_RULES,
    8,
  );
  const logMde = (m: number) => Math.log1p(m);
  const ratio = logMde(big.domains[0].mde) / logMde(small.domains[0].mde);
  assert.ok(ratio > 0.35 && ratio < 0.65, `ratio ${ratio}`);
});

test('plan: the per-request and per-user variance of clicks are recovered from requests with known rates', () => {
  // 20,000 users with 1 to 6 requests of 4 slots; user u clicks each slot with probability q_u,
  // q_u uniform on [0.02, 0.18]: per request τ² = Var(4q) = 16·0.16²/12, v = E[4q(1 − q)].
  const rng = stream(3, 'plan-noise');
  const U = 20_000;
  const reqAt: number[] = [];
  const reqClicks: number[] = [];
  let v = 0;
  const qs = Float64Array.from({ length: U }, () => 0.02 + 0.16 * rng.next());
  for (let u = 0; u < U; u++) {
    v += 4 * qs[u] * (1 - qs[u]);
    const n = 1 + Math.floor(6 * rng.next());
    for (let r = 0; r < n; r++) {
      let c = 0;
      for (let j = 0; j < 4; j++) if (rng.next() < qs[u]) c++;
      reqAt.push(u);
      reqClicks.push(c);
    }
  }
  const [noise] = pilotNoise(1, U, Int32Array.from(reqAt), Float64Array.from(reqClicks));
  const tau2 = (16 * 0.16 ** 2) / 12;
  assert.ok(Math.abs(noise.tau2 / tau2 - 1) < 0.1, `τ² ${noise.tau2} vs ${tau2}`);
  assert.ok(Math.abs(noise.v / (v / U) - 1) < 0.05, `v ${noise.v} vs ${v / U}`);
  assert.ok(Math.abs(noise.m - 0.4) < 0.01);
  // Each request once, by a user of its own: no pair of requests shares a user, so no evidence of τ².
  const once = pilotNoise(1, 4, Int32Array.from([0, 1, 2, 3]), Float64Array.from([0, 1, 0, 2]));
  assert.equal(once[0].tau2, 0);
});

test('plan: a test longer than the logs is projected — more users, each with more requests, so the detectable lift shrinks but by less than √(test / pilot)', () => {
  const s = scenario('tiny', (r) => {
    r.traffic.replayRequests = 16 * r.traffic.requests;
  });
  const w = generateWorld(s, 5);
  const long = planTest(w, 2, DEFAULT_DECISION_RULES, 5);
  const pilot = planTest(
    generateWorld(
      scenario('tiny', (r) => (r.traffic.replayRequests = r.traffic.requests)),
      5,
    ),
    2,
    DEFAULT_DECISION_RULES,
    5,
  );
  assert.equal(long.projected, true);
  assert.equal(pilot.projected, false);
  assert.equal(long.pilotRequests, s.traffic.requests);
  for (const [k, d] of long.domains.entries()) {
    const p = pilot.domains[k];
    assert.ok(d.userVariance >= 0 && d.requestVariance > 0, `${d.domain}: variances`);
    assert.ok(d.usersPerArm > p.usersPerArm, `${d.domain}: the longer test reaches more users`);
    const shrink = Math.log1p(d.mde) / Math.log1p(p.mde);
    // 16× the requests: 1/4 of the standard error if every request came from a new user; returning users keep more of it.
    assert.ok(shrink > 0.25 && shrink < 0.6, `${d.domain}: ${shrink}`);
  }
});
