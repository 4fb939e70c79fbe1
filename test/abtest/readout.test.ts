// The readout's steps on cells built by hand: each arm's totals per scope, and the multiplicity
// correction over a family by test or by domain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { armResults, correctFamilies } from '../../src/abtest/readout.js';
import { cells, cfg, scopes } from '../helpers/hand-cells.js';
import { holmAdjust } from '../../src/abtest/stats/multiplicity.js';
import { DEFAULT_DECISION_RULES } from '../../src/scenario/blocks.js';

test('armResults: per arm and scope the users, impressions, clicks, CTR, CVR, expected CTR, heaviest user share and Kish users', () => {
  const c = cells((a, d) => 0.1 + 0.02 * a + 0.01 * d, 40);
  const r = armResults(c, scopes, cfg());
  assert.deepEqual(
    r.map((x) => [x.arm, x.strategy, x.domain]),
    [
      ['ctl', 'base', 'all'],
      ['ctl', 'base', 'a'],
      ['ctl', 'base', 'b'],
      ['new', 'better', 'all'],
      ['new', 'better', 'a'],
      ['new', 'better', 'b'],
    ],
  );
  const [x, cell] = [r[4], c[4]];
  assert.deepEqual([x.users, x.impressions, x.clicks], [40, cell.ctr.sumY, cell.ctr.sumX]);
  assert.equal(x.ctr, cell.ctr.sumX / cell.ctr.sumY);
  assert.equal(x.cvr, cell.ctcvr.sumX / cell.ctr.sumX);
  assert.equal(x.expectedCtr, cell.expected / cell.ctr.sumY);
  assert.equal(x.maxUserShare, 11 / cell.ctr.sumY);
  assert.equal(x.effectiveUsers, (cell.ctr.sumY * cell.ctr.sumY) / cell.ctr.sumYY);
});

test('correctFamilies: one family of every test, or one per domain', () => {
  const tests = [
    { domain: 'a', p: 0.01 },
    { domain: 'a', p: 0.04 },
    { domain: 'b', p: 0.03 },
  ];
  const p = (t: { p: number }) => t.p;
  assert.deepEqual(correctFamilies(tests, p, { ...DEFAULT_DECISION_RULES, correction: 'holm', correctionScope: 'metric' }), holmAdjust([0.01, 0.04, 0.03]));
  const byDomain = correctFamilies(tests, p, { ...DEFAULT_DECISION_RULES, correction: 'holm', correctionScope: 'domain' });
  assert.deepEqual(byDomain, [...holmAdjust([0.01, 0.04]), 0.03]);
  assert.deepEqual(correctFamilies(tests, p, { ...DEFAULT_DECISION_RULES, correction: 'none', correctionScope: 'metric' }), [0.01, 0.04, 0.03]);
});
