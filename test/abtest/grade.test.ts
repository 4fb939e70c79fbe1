// Grading the decision procedure over re-randomised readouts: each share counted as defined.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gradeDecisions } from '../../src/abtest/grade.js';
import { DEFAULT_DECISION_RULES } from '../../src/scenario/blocks.js';
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
  const rules = g.find((x) => x.method === 'cuped')!;
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
  // True return: the rules shipped the +10% arm once in three, the naive reader twice; the oracle ships it always.
  assert.equal(rules.oracleReturn, 0.1);
  assert.ok(Math.abs(rules.trueReturn - 0.1 / 3) < 1e-12);
  assert.ok(Math.abs(rules.returnShare - 1 / 3) < 1e-12);
  assert.ok(Math.abs(naive.returnShare - 2 / 3) < 1e-12);
});

test('an arm that truly loses and is shipped is a false ship', () => {
  const r = readout({ lift: 0.2, ciLow: 0.1, ciHigh: 0.3, pValue: 0.0001, pAdjusted: 0.0001, trueLift: -0.05, guard: { ciLow: -0.01 } });
  const g = gradeDecisions(() => r, ['d'], DEFAULT_DECISION_RULES, 4);
  const rules = g.find((x) => x.method === 'plain')!;
  const naive = g.find((x) => x.method === 'naive')!;
  assert.equal(rules.falseShip, 1);
  assert.equal(rules.correct, 0);
  assert.equal(rules.missedWin, 0, 'no arm truly wins, so none was missed');
  assert.equal(naive.falseShip, 1);
  // A shipped loss returns the loss; with no winning arm the oracle keeps (0) and there is no share.
  assert.equal(rules.trueReturn, -0.05);
  assert.equal(rules.oracleReturn, 0);
  assert.ok(Number.isNaN(rules.returnShare));
});

test('peeking ships at the first significant look; the sequential rules stop at the first decisive one; A/A arms give the false-positive rate', () => {
  // Two looks: significant (uncorrected, fixed-horizon) at the first only; the confidence sequence decides nowhere.
  const r = readout({ lift: 0.01, ciLow: -0.08, ciHigh: 0.1, pValue: 0.8, pAdjusted: 0.8, seqPValue: 0.6, seqPAdjusted: 0.6, trueLift: 0 });
  const first = structuredClone(r.looks[0]);
  first.cells[0] = { ...first.cells[0], lift: 0.3, pValue: 0.01, seqPValue: 0.3, seqPAdjusted: 0.3, seqCiLow: -0.1, seqCiHigh: 0.7 };
  r.looks = [first, r.looks[0]];
  // The treatment serves the control's strategy: an A/A arm, true lift 0.
  r.arms[1].strategy = 'c';
  const g = gradeDecisions(() => r, ['d'], DEFAULT_DECISION_RULES, 2);
  const by = (m: string) => g.find((x) => x.method === m)!;
  assert.equal(by('peeking').ship, 1);
  assert.equal(by('peeking').falseShip, 1);
  assert.equal(by('peeking').meanLook, 1);
  assert.equal(by('peeking').aaFalsePositive, 1);
  assert.equal(by('naive').ship, 0);
  assert.equal(by('naive').aaFalsePositive, 0);
  // The last look's sequence [−8%, +10%] does not rule out +5%: not decided, so no look.
  assert.equal(by('sequential').notEnoughData, 1);
  assert.ok(Number.isNaN(by('sequential').meanLook));
  assert.equal(by('sequential').aaFalsePositive, 0);
  assert.ok(Math.abs(by('plain').intervalWidth - Math.log(1.1 / 0.92)) < 1e-12);
});
