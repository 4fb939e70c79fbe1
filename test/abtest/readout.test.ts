// The readout's steps on cells built by hand: each arm's totals per scope, each treatment's lift over
// the control with its true lift, whether the interval holds it, the small-cell floor, and the
// multiplicity correction over the primary family (per-domain CTR cells only) by test or by domain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { armResults, correctFamilies, liftsOf, type Cell, type ReplayConfig, type Scopes } from '../../src/abtest/readout.js';
import { addUserWithCovariate, emptyCovariateRatio } from '../../src/abtest/stats/cuped.js';
import { logRatioLift } from '../../src/abtest/stats/ratio.js';
import { holmAdjust } from '../../src/abtest/stats/multiplicity.js';
import { DEFAULT_DECISION_RULES } from '../../src/scenario/blocks.js';

// Scopes: 'all', 'a', 'b' (segment 'all' only).
const DOMAINS = ['all', 'a', 'b'];
const scopes: Scopes = { count: 3, of: (d) => [0, 1 + d], domain: (s) => DOMAINS[s], segment: () => 'all' };
const cfg = (rules = DEFAULT_DECISION_RULES): ReplayConfig => ({
  arms: [
    { name: 'ctl', strategy: 'base', share: 0.5 },
    { name: 'new', strategy: 'better', share: 0.5 },
  ],
  control: 0,
  salt: 1,
  positionBias: null,
  rules,
});

/** Cells of `users` users per arm and domain, each with `imps` impressions and clicks at `rate` (varied by user), `conv` a click's conversion rate. */
function cells(rate: (arm: number, d: number) => number, users: number): Cell[] {
  const out: Cell[] = [];
  for (let a = 0; a < 2; a++)
    for (let s = 0; s < 3; s++) {
      const cell: Cell = { ctr: emptyCovariateRatio(), ctcvr: emptyCovariateRatio(), heaviest: 0, expected: 0 };
      const domains = s === 0 ? [0, 1] : [s - 1];
      for (const d of domains)
        for (let u = 0; u < users; u++) {
          const imps = 5 + (u % 7);
          const clicks = Math.round(imps * rate(a, d) * (0.5 + ((u * 37) % 11) / 10));
          addUserWithCovariate(cell.ctr, clicks, imps, (u % 3) + clicks / 2, imps);
          addUserWithCovariate(cell.ctcvr, u % 4 === 0 ? Math.min(1, clicks) : 0, imps, 0, imps);
          cell.heaviest = Math.max(cell.heaviest, imps);
          cell.expected += imps * rate(a, d);
        }
      out.push(cell);
    }
  return out;
}

const truths = {
  clicks: new Map([
    ['base', Float64Array.from([200, 100, 100])],
    ['better', Float64Array.from([230, 110, 120])],
  ]),
  convs: new Map([
    ['base', Float64Array.from([20, 10, 10])],
    ['better', Float64Array.from([22, 11, 11])],
  ]),
};

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

test("liftsOf: the log-scale lift and interval of each treatment cell, the true lift from the truth's sums, coverage, and Holm over the primary family", () => {
  const c = cells((a, d) => 0.1 * (1 + 0.15 * a) * (1 + 0.1 * d), 400);
  const r = armResults(c, scopes, cfg());
  const lifts = liftsOf(c, r, truths, scopes, cfg());
  assert.equal(lifts.length, 3 * 2, 'one treatment × three scopes × two metrics');
  for (const [s, domain] of DOMAINS.entries()) {
    const l = lifts.find((x) => x.metric === 'ctr' && x.domain === domain)!;
    const est = logRatioLift(c[3 + s].ctr, c[s].ctr, DEFAULT_DECISION_RULES.alpha);
    assert.deepEqual([l.lift, l.ciLow, l.ciHigh, l.pValue], [est.lift, est.ciLow, est.ciHigh, est.pValue], domain);
    assert.equal(l.trueLift, truths.clicks.get('better')![s] / truths.clicks.get('base')![s] - 1);
    assert.equal(l.covered, l.ciLow <= l.trueLift && l.trueLift <= l.ciHigh);
    assert.equal(l.family, domain === 'all' ? 'exploratory' : 'primary', 'the primary family: CTR on each domain');
  }
  const primary = lifts.filter((l) => l.family === 'primary');
  assert.deepEqual(
    primary.map((l) => l.pAdjusted),
    holmAdjust(primary.map((l) => l.pValue)),
  );
  assert.ok(lifts.filter((l) => l.family !== 'primary').every((l) => Number.isNaN(l.pAdjusted)));
  // Below the small-cell floor: the point estimate stays, the interval and p-value go.
  const few = cells(() => 0.1, 3);
  const thin = liftsOf(few, armResults(few, scopes, cfg()), truths, scopes, cfg()).find((l) => l.metric === 'ctr' && l.domain === 'a')!;
  assert.equal(thin.tested, false);
  assert.ok(Number.isFinite(thin.lift) && Number.isNaN(thin.ciLow) && Number.isNaN(thin.pValue) && thin.covered === null);
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
