// Which of a lift's fields each decision method reads: plain, CUPED, the confidence sequence, and the
// user jackknife where the replay made one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evidenceOf, fromLook, mdeOf } from '../../src/abtest/evidence.js';
import type { LiftResult, LookCell } from '../../src/abtest/readout.js';
import { readout } from '../helpers/readouts.js';

// Every field distinct, so a method reading the wrong one shows.
const lift = readout({
  lift: 0.01,
  ciLow: 0.02,
  ciHigh: 0.03,
  pValue: 0.04,
  pAdjusted: 0.05,
  seLog: 0.06,
  cupedLift: 0.11,
  cupedCiLow: 0.12,
  cupedCiHigh: 0.13,
  cupedPValue: 0.14,
  cupedPAdjusted: 0.15,
  cupedSeLog: 0.16,
  seqCiLow: 0.22,
  seqCiHigh: 0.23,
  seqPValue: 0.24,
  seqPAdjusted: 0.25,
}).lifts.find((l) => l.metric === 'ctr')!;

test('plain reads the delta method, CUPED its own fields, sequential the sequence after the last look with CUPED’s lift and standard error', () => {
  assert.deepEqual(evidenceOf(lift, 'plain'), { tested: true, lift: 0.01, ciLow: 0.02, ciHigh: 0.03, pValue: 0.04, pAdjusted: 0.05, seLog: 0.06 });
  assert.deepEqual(evidenceOf(lift, 'cuped'), { tested: true, lift: 0.11, ciLow: 0.12, ciHigh: 0.13, pValue: 0.14, pAdjusted: 0.15, seLog: 0.16 });
  assert.deepEqual(evidenceOf(lift, 'sequential'), { tested: true, lift: 0.11, ciLow: 0.22, ciHigh: 0.23, pValue: 0.24, pAdjusted: 0.25, seLog: 0.16 });
});

test('a CUPED interval or a sequence that could not be formed is not tested; an untested lift stays untested', () => {
  assert.equal(evidenceOf({ ...lift, cupedCiLow: NaN }, 'cuped').tested, false);
  assert.equal(evidenceOf({ ...lift, seqCiLow: NaN }, 'sequential').tested, false);
  assert.equal(evidenceOf({ ...lift, tested: false }, 'plain').tested, false);
});

test('where the replay made a jackknife, plain and CUPED read it (the point estimate stays theirs); the sequential method never does', () => {
  const jk: LiftResult = {
    ...lift,
    jackknifeSeLog: 0.31,
    jackknifeCiLow: 0.32,
    jackknifeCiHigh: 0.33,
    jackknifePValue: 0.34,
    jackknifePAdjusted: 0.35,
    cupedJackknifeSeLog: 0.41,
    cupedJackknifeCiLow: 0.42,
    cupedJackknifeCiHigh: 0.43,
    cupedJackknifePValue: 0.44,
    cupedJackknifePAdjusted: 0.45,
  };
  assert.deepEqual(evidenceOf(jk, 'plain'), { tested: true, lift: 0.01, ciLow: 0.32, ciHigh: 0.33, pValue: 0.34, pAdjusted: 0.35, seLog: 0.31 });
  assert.deepEqual(evidenceOf(jk, 'cuped'), { tested: true, lift: 0.11, ciLow: 0.42, ciHigh: 0.43, pValue: 0.44, pAdjusted: 0.45, seLog: 0.41 });
  assert.equal(evidenceOf(jk, 'sequential').ciLow, 0.22);
  assert.equal(evidenceOf({ ...jk, jackknifeCiLow: NaN }, 'plain').tested, false, 'a jackknife without an interval decides nothing');
});

test("a look's cell is read with its own CUPED standard error", () => {
  const cell = { tested: true, cupedLift: 0.5, seqCiLow: 0.1, seqCiHigh: 0.9, seqPValue: 0.01, seqPAdjusted: 0.02, seLog: 0.2 } as LookCell;
  assert.deepEqual(fromLook(cell), { tested: true, lift: 0.5, ciLow: 0.1, ciHigh: 0.9, pValue: 0.01, pAdjusted: 0.02, seLog: 0.2 });
});

test("each method's minimum detectable lift: the delta method's, CUPED's, or the sequence's at its planned end", () => {
  const l = { ...lift, mde: 0.1, cupedMde: 0.08, seqMde: 0.12 };
  assert.deepEqual(
    (['plain', 'cuped', 'sequential'] as const).map((m) => mdeOf(l, m)),
    [0.1, 0.08, 0.12],
  );
});
