// The readout at a glance: each decision's rows carry its evidence, a few words of why, and the truth.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide } from '../../src/abtest/decide.js';
import { verdictRows } from '../../src/abtest/verdict.js';
import { DEFAULT_DECISION_RULES } from '../../src/scenario/blocks.js';
import { readout } from '../helpers/readouts.js';

const row = (...args: Parameters<typeof readout>) => verdictRows(decide(readout(...args), ['d'], DEFAULT_DECISION_RULES), 1)[0];

test('verdict rows: every decision keeps its lift and interval, says why in a few words, and grades itself against the truth', () => {
  const ship = row({ lift: 0.12, ciLow: 0.05, ciHigh: 0.2, pAdjusted: 0.001, trueLift: 0.1, guard: { ciLow: -0.03, ciHigh: 0.2 } });
  assert.deepEqual(ship, { domain: 'd', decision: 'SHIP t', evidence: '+12.0% [+5.0, +20.0]', why: 'conversions non-inferior', truth: 'right' });
  // Undecided: the best arm's lift and interval stay (an undecided +4% [−6, +15] is not an undecided 0%).
  const open = row({ lift: 0.04, ciLow: -0.06, ciHigh: 0.15, seLog: 0.05, trueLift: 0.1 });
  assert.equal(open.decision, 'NOT ENOUGH DATA');
  assert.equal(open.evidence, '+4.0% [-6.0, +15.0]');
  assert.match(open.why, /^×\d+\.\d traffic to see \+5\.0%$/);
  assert.equal(open.truth, 'ship +10.0%', 'one treatment: the truth need not name it');
  const keep = row({ lift: -0.01, ciLow: -0.04, ciHigh: 0.03, trueLift: -0.02 });
  assert.deepEqual([keep.decision, keep.why, keep.truth], ['KEEP', 'rules out +5.0%', 'right']);
  const breach = row({ lift: 0.12, ciLow: 0.05, pAdjusted: 0.001, trueLift: 0.1, guard: { lift: -0.2, ciLow: -0.3, ciHigh: -0.08 } });
  assert.deepEqual([breach.decision, breach.why], ['KEEP', 'loses conversions (-20.0%)']);
  assert.match(breach.truth, /^WRONG: ship \+10\.0%$/);
  // With two treatments the evidence and the truth name their arm.
  const two = verdictRows(decide(readout({ lift: 0.04, ciLow: -0.06, ciHigh: 0.15, seLog: 0.05, trueLift: 0.1 }), ['d'], DEFAULT_DECISION_RULES), 2)[0];
  assert.equal(two.evidence, 't +4.0% [-6.0, +15.0]');
  assert.equal(two.truth, 'ship t +10.0%');
});
