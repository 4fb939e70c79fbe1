// Decisions per domain from synthetic readouts, one rule at a time, and their grading against the truth.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide } from '../../src/abtest/decide.js';
import { normalCdf } from '../../src/abtest/stats/distributions.js';
import type { ReplayResult } from '../../src/abtest/readout.js';
import { DEFAULT_DECISION_RULES } from '../../src/scenario/blocks.js';
import { readout } from '../helpers/readouts.js';

const rules = DEFAULT_DECISION_RULES;
const one = (ab: ReplayResult) => decide(ab, ['d'], rules)[0];

test('SHIP: a significant positive CTR lift after correction with non-inferior conversions; right when the truth agrees', () => {
  const d = one(readout({ lift: 0.12, ciLow: 0.05, ciHigh: 0.2, pAdjusted: 0.001, trueLift: 0.1, guard: { ciLow: -0.03, ciHigh: 0.2 } }));
  assert.equal(d.decision, 'ship');
  assert.equal(d.arm, 't');
  assert.equal(d.correct, true);
  // The same evidence when the truth says the arm does not help: a false ship, graded wrong.
  assert.equal(one(readout({ lift: 0.12, ciLow: 0.05, ciHigh: 0.2, pAdjusted: 0.001, trueLift: -0.01, guard: { ciLow: -0.03 } })).correct, false);
  // Significant before the correction only: no ship.
  assert.notEqual(one(readout({ lift: 0.12, ciLow: 0.01, pValue: 0.03, pAdjusted: 0.09, guard: { ciLow: -0.03 } })).decision, 'ship');
});

test('guardrail: a CTR winner that loses conversions beyond the margin is kept; one not yet shown non-inferior is undecided', () => {
  const breach = one(readout({ lift: 0.12, ciLow: 0.05, pAdjusted: 0.001, guard: { lift: -0.2, ciLow: -0.3, ciHigh: -0.08 } }));
  assert.equal(breach.decision, 'keep');
  assert.match(breach.reason, /loses conversions/);
  const open = one(readout({ lift: 0.12, ciLow: 0.05, pAdjusted: 0.001, guard: { ciLow: -0.2, ciHigh: 0.1 } }));
  assert.equal(open.decision, 'not enough data');
  assert.match(open.reason, /guardrail/);
});

test("a CTR winner held back by its guardrail is sized for its conversions: the users for their interval's lower end to clear −margin", () => {
  // CTR decided already (a tight interval); conversions noisy: se of log 0.06 on 2,000 users.
  const d = one(
    readout({ lift: 0.12, ciLow: 0.08, ciHigh: 0.16, seLog: 0.02, pAdjusted: 1e-6, guard: { lift: 0.01, ciLow: -0.1, ciHigh: 0.13, seLog: 0.06 } }),
  );
  assert.equal(d.decision, 'not enough data');
  const k = ((1.959963985 + 0.8416212336) * 0.06) / Math.abs(Math.log(1 - rules.guardrailMargin));
  assert.equal(d.usersNeeded, Math.ceil(2000 * k * k));
  assert.match(d.reason, /conversions are not yet shown within the −5\.0% guardrail \(conversions \+1\.0% \[-10\.0%, \+13\.0%\]\); needs ~[\d,]+ users/);
  // The CTR test alone would need fewer users than there are: the old sizing said "×1.0" here.
  assert.ok(d.trafficMultiple > 3, `${d.trafficMultiple}`);
});

test('KEEP: every arm rules out the smallest lift worth shipping; right when no arm truly beats the control', () => {
  const d = one(readout({ lift: -0.01, ciLow: -0.04, ciHigh: 0.03, trueLift: -0.02 }));
  assert.equal(d.decision, 'keep');
  assert.equal(d.arm, 'c');
  assert.equal(d.trueBest, 'c');
  assert.equal(d.correct, true);
  // An arm truly better by less than minLift (+3% < +5%) is not worth shipping: keeping is right.
  const small = one(readout({ lift: 0.01, ciLow: -0.02, ciHigh: 0.04, trueLift: 0.03 }));
  assert.equal(small.decision, 'keep');
  assert.equal(small.trueBest, 'c');
  assert.equal(small.trueBestLift, 0.03);
  assert.equal(small.correct, true);
});

test('NOT ENOUGH DATA: the users for the minimum detectable lift to reach minLift, at the corrected level', () => {
  const d = one(readout({ lift: 0.04, ciLow: -0.06, ciHigh: 0.15, seLog: 0.05, trueLift: 0.1 }));
  assert.equal(d.decision, 'not enough data');
  assert.equal(d.correct, null);
  // One test in the family, so Holm's first level is α itself: (1.959964 + 0.841621)² · (0.05 / ln 1.05)² · 2000 users.
  const k = ((1.959963985 + 0.8416212336) * 0.05) / Math.log(1.05);
  assert.equal(d.usersNeeded, Math.ceil(2000 * k * k));
  assert.ok(Math.abs(d.trafficMultiple - d.usersNeeded / 2000) < 1e-12);
  assert.match(d.reason, /needs ~[\d,]+ users \(×\d+\.\d the traffic\)/);
  // Below the small-cell floor: scaled up to the floor, and said so.
  const small = one(
    readout({ tested: false, ciLow: Number.NaN, ciHigh: Number.NaN, seLog: Number.NaN }, { c: { users: 20, clicks: 2 }, t: { users: 20, clicks: 2 } }),
  );
  assert.equal(small.decision, 'not enough data');
  assert.match(small.reason, /fewer than 50 users or 10 clicks/);
  // Five times the clicks are needed to reach the floor of 10: five times the 40 users.
  assert.equal(small.usersNeeded, 200);
});

test('UNRELIABLE: a domain whose users are not split as configured, or where an arm has too few effective users', () => {
  const srm = one(readout({ lift: 0.12, ciLow: 0.05, pAdjusted: 0.001 }, { c: { users: 800 }, t: { users: 1200 } }));
  assert.equal(srm.decision, 'unreliable');
  assert.match(srm.reason, /SRM p = /);
  const heavy = one(readout({ lift: 0.12, ciLow: 0.05, pAdjusted: 0.001 }, { t: { maxUserShare: 0.08, effectiveUsers: 31.6 } }));
  assert.equal(heavy.decision, 'unreliable');
  assert.match(heavy.reason, /32 effective users \(fewer than 100; one user makes 8\.0% of its impressions\)/);
  assert.equal(heavy.correct, null);
  // A heavy user alone is no reason when the arm still has enough effective users.
  assert.equal(
    one(readout({ lift: 0.12, ciLow: 0.05, pAdjusted: 0.001, guard: { ciLow: -0.03 } }, { t: { maxUserShare: 0.08, effectiveUsers: 150 } })).decision,
    'ship',
  );
});

test('the guardrail is a one-sided non-inferiority test at guardrailAlpha (default α/2, the two-sided interval’s lower end), with its own power', () => {
  // Conversions −1.5% with se(log) 0.02: the lower bound is −5.3% at 97.5% (fails −5%) and −4.7% at 95% (clears it).
  const guard = {
    lift: -0.015,
    ciLow: Math.expm1(Math.log(0.985) - 1.959963985 * 0.02),
    ciHigh: Math.expm1(Math.log(0.985) + 1.959963985 * 0.02),
    seLog: 0.02,
  };
  const ab = readout({ lift: 0.12, ciLow: 0.05, ciHigh: 0.2, pAdjusted: 0.001, trueLift: 0.1, guard });
  const strict = one(ab);
  assert.equal(strict.decision, 'not enough data');
  const lenient = decide(ab, ['d'], { ...rules, guardrailAlpha: 0.05 })[0];
  assert.equal(lenient.decision, 'ship');
  // Its power if the arm truly leaves conversions alone: Φ(|log 0.95| / 0.02 − z).
  assert.ok(Math.abs(strict.guardrailPower - normalCdf(-Math.log(0.95) / 0.02 - 1.959963985)) < 1e-8, `${strict.guardrailPower}`);
  assert.ok(Math.abs(lenient.guardrailPower - normalCdf(-Math.log(0.95) / 0.02 - 1.644853627)) < 1e-8, `${lenient.guardrailPower}`);
  // Sized for the guardrail's own level: one-sided 5% needs fewer users than 2.5%.
  assert.ok(decide(ab, ['d'], { ...rules, guardrailAlpha: 0.05 })[0].decision === 'ship');
  const noisier = readout({ lift: 0.12, ciLow: 0.05, ciHigh: 0.2, pAdjusted: 0.001, guard: { ...guard, seLog: 0.06, ciLow: -0.2, ciHigh: 0.1 } });
  assert.ok(decide(noisier, ['d'], { ...rules, guardrailAlpha: 0.05 })[0].usersNeeded < one(noisier).usersNeeded);
});

test('few effective users: the domain is decided on the user jackknife when the replay made one (fixed-horizon methods, down to jackknifeMinEffectiveUsers), else refused', () => {
  const jk = {
    jackknifeSeLog: 0.03,
    jackknifeCiLow: 0.06,
    jackknifeCiHigh: 0.19,
    jackknifePValue: 0.0002,
    jackknifePAdjusted: 0.0004,
    cupedJackknifeSeLog: 0.03,
    cupedJackknifeCiLow: 0.06,
    cupedJackknifeCiHigh: 0.19,
    cupedJackknifePValue: 0.0002,
    cupedJackknifePAdjusted: 0.0004,
  };
  // The delta method's interval is narrower still (0.09–0.16) and would ship as well; the jackknife's decides.
  const guard = {
    ciLow: -0.03,
    ciHigh: 0.05,
    jackknifeSeLog: 0.02,
    jackknifeCiLow: -0.04,
    jackknifeCiHigh: 0.06,
    cupedJackknifeSeLog: 0.02,
    cupedJackknifeCiLow: -0.04,
    cupedJackknifeCiHigh: 0.06,
  };
  const ab = readout(
    { lift: 0.12, ciLow: 0.09, ciHigh: 0.16, pAdjusted: 0.0001, trueLift: 0.1, ...jk, guard },
    { t: { maxUserShare: 0.08, effectiveUsers: 70 } },
  );
  for (const method of ['plain', 'cuped'] as const) {
    const d = decide(ab, ['d'], rules, method)[0];
    assert.equal(d.decision, 'ship', method);
    assert.equal(d.ciLow, 0.06, `${method} reads the jackknife interval`);
    assert.match(d.reason, /\(user jackknife: 70 effective users\)$/);
  }
  // The sequential method never uses it; below the jackknife's own floor, or switched off, the domain is refused.
  assert.equal(decide(ab, ['d'], rules, 'sequential')[0].decision, 'unreliable');
  assert.equal(decide(ab, ['d'], { ...rules, jackknifeMinEffectiveUsers: 80 })[0].decision, 'unreliable');
  const none = readout({ lift: 0.12, ciLow: 0.09, ciHigh: 0.16, pAdjusted: 0.0001, guard }, { t: { effectiveUsers: 70 } });
  assert.equal(one(none).decision, 'unreliable', 'no jackknife made (rules.jackknife off in the replay)');
  // A jackknife interval that is too wide leaves the domain without enough data, sized on its standard error.
  const wide = readout(
    {
      lift: 0.04,
      ciLow: -0.01,
      ciHigh: 0.09,
      pAdjusted: 0.2,
      ...jk,
      jackknifeCiLow: -0.1,
      jackknifeCiHigh: 0.2,
      cupedJackknifeCiLow: -0.1,
      cupedJackknifeCiHigh: 0.2,
      cupedJackknifePAdjusted: 0.5,
    },
    { t: { effectiveUsers: 70 } },
  );
  const undecided = one(wide);
  assert.equal(undecided.decision, 'not enough data');
  const k = ((1.959963985 + 0.8416212336) * 0.03) / Math.log(1.05);
  assert.equal(undecided.usersNeeded, Math.ceil(2000 * k * k));
});
