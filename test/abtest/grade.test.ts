// Grading the decision procedure over re-randomised readouts: each share counted as defined.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gradeDecisions } from '../../src/abtest/grade.js';
import { DEFAULT_DECISION_RULES } from '../../src/scenario/schema.js';
import { readout } from '../helpers/readouts.js';

test('grades count right decisions, false ships, missed wins and overstatement for both procedures', () => {
  // The treatment truly wins by 10%. Salt 1: a clear corrected win; salt 2: significant only before
  // the correction (the naive reader ships, the rules do not decide); salt 3: an uninformative test.
  const bySalt = {
    1: readout({ lift: 0.2, ciLow: 0.1, ciHigh: 0.3, pValue: 0.0001, pAdjusted: 0.0001, trueLift: 0.1, guard: { ciLow: -0.01, ciHigh: 0.3 } }),
    2: readout({ lift: 0.15, ciLow: 0.01, ciHigh: 0.3, pValue: 0.03, pAdjusted: 0.09, trueLift: 0.1, guard: { ciLow: -0.01 } }),
    3: readout({ lift: 0.02, ciLow: -0.1, ciHigh: 0.15, pValue: 0.7, pAdjusted: 0.7, trueLift: 0.1, covered: true }),
  } as const;
  const g = gradeDecisions((salt) => bySalt[salt as 1 | 2 | 3], ['d'], DEFAULT_DECISION_RULES, 3);
  const rules = g.find((x) => x.method === 'decisions')!;
  const naive = g.find((x) => x.method === 'naive')!;
  assert.equal(rules.assignments, 3);
  assert.ok(Math.abs(rules.ship - 1 / 3) < 1e-12 && Math.abs(rules.notEnoughData - 2 / 3) < 1e-12);
  assert.ok(Math.abs(rules.correct - 1 / 3) < 1e-12);
  assert.ok(Math.abs(rules.missedWin - 2 / 3) < 1e-12);
  assert.equal(rules.falseShip, 0);
  assert.ok(Math.abs(rules.overstatement - 0.1) < 1e-12, 'shipped at +20% against a true +10%');
  assert.ok(Math.abs(naive.correct - 2 / 3) < 1e-12);
  assert.ok(Math.abs(naive.overstatement - (0.1 + 0.05) / 2) < 1e-12);
  assert.ok(Math.abs(naive.keep - 1 / 3) < 1e-12);
  assert.equal(rules.coverage, 1);
});

test('an arm that truly loses and is shipped is a false ship', () => {
  const r = readout({ lift: 0.2, ciLow: 0.1, ciHigh: 0.3, pValue: 0.0001, pAdjusted: 0.0001, trueLift: -0.05, guard: { ciLow: -0.01 } });
  const [rules, naive] = gradeDecisions(() => r, ['d'], DEFAULT_DECISION_RULES, 4);
  assert.equal(rules.falseShip, 1);
  assert.equal(rules.correct, 0);
  assert.equal(rules.missedWin, 0, 'no arm truly wins, so none was missed');
  assert.equal(naive.falseShip, 1);
});
