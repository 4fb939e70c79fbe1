// Sizing a test from logged traffic alone: the pilot's numbers against a second computation, and how they scale with traffic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planTest } from '../../src/abtest/plan.js';
import { assignArm } from '../../src/abtest/assign.js';
import { addUser, emptyRatio, logRatioLift, minimumDetectableLift, normalQuantile } from '../../src/abtest/stats.js';
import { DEFAULT_DECISION_RULES } from '../../src/scenario/schema.js';
import { generateWorld } from '../../src/world/world.js';
import { scenario } from '../helpers/scenarios.js';

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
