// Each treatment's lift over the control on cells built by hand: the log-scale estimate and interval,
// the true lift from the truth's sums, whether the interval holds it, the small-cell floor, and Holm
// over the primary family (per-domain CTR cells only).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { armResults } from '../../src/abtest/readout.js';
import { liftsOf } from '../../src/abtest/lifts.js';
import { logRatioLift } from '../../src/abtest/stats/ratio.js';
import { holmAdjust } from '../../src/abtest/stats/multiplicity.js';
import { DEFAULT_DECISION_RULES } from '../../src/scenario/blocks.js';
import { cells, cfg, DOMAINS, scopes, truths } from '../helpers/hand-cells.js';

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
