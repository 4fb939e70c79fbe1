// A run as JSON: the store's column names, from the tables' declarations, and null for what is undefined.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide } from '../../src/abtest/decide.js';
import { gradeDecisions } from '../../src/abtest/grade.js';
import { abJson, decisionsJson } from '../../src/report/run-json.js';
import { DEFAULT_DECISION_RULES } from '../../src/scenario/blocks.js';
import { jsonRow, table } from '../../src/store/tables.js';
import { readout } from '../helpers/readouts.js';

test('decisions and grades print under their stored column names; an undefined metric is null, not NaN or absent', () => {
  const ab = readout({ lift: 0.04, ciLow: -0.06, ciHigh: 0.15, seLog: 0.05, trueLift: 0.1 });
  const [d] = decisionsJson(decide(ab, ['d'], DEFAULT_DECISION_RULES));
  const columns = (name: 'ab_decisions' | 'ab_grades') =>
    table(name)
      .columns.map((c) => c.name)
      .filter((c) => c !== 'run_id');
  assert.deepEqual(Object.keys(d), columns('ab_decisions'));
  assert.equal(d.decision, 'not enough data');
  assert.equal(d.arm, null, 'no arm without a decision');
  assert.equal(typeof d.p_adjusted, 'number');
  assert.equal(d.look, null, 'no look without a decision');
  const [g] = gradeDecisions(() => ab, ['d'], DEFAULT_DECISION_RULES, 2).map((x) => jsonRow('ab_grades', x));
  assert.deepEqual(Object.keys(g), columns('ab_grades'));
  assert.equal(g.overstatement, null, 'nothing shipped, nothing overstated');
  assert.equal(g.true_return, 0);
});

test("each arm's cells under the store's names: the treatment's with its CTR lift's columns, the control's with them null; every name is a stored column", () => {
  const ab = readout({ lift: 0.04, ciLow: 0.01, ciHigh: 0.07, cupedLift: 0.05, trueLift: 0.045 });
  const rows = abJson(ab);
  const t = rows.find((r) => r.arm === 't')!;
  const c = rows.find((r) => r.arm === 'c')!;
  assert.deepEqual([t.lift, t.ci_low, t.ci_high, t.cuped_lift, t.true_lift, t.covered], [0.04, 0.01, 0.07, 0.05, 0.045, true]);
  assert.equal(t.users, 1000);
  assert.equal(c.lift, null);
  assert.equal(c.covered, null);
  assert.deepEqual(Object.keys(c), Object.keys(t), 'the same columns on every row');
  const stored = new Set<string>([...table('ab_results').columns, ...table('ab_lifts').columns].map((x) => x.name));
  for (const k of Object.keys(t)) assert.ok(stored.has(k), `'${k}' is not a column of ab_results or ab_lifts`);
});
