// The sequential test over the looks, on cells built by hand: the confidence sequence is the running
// intersection of each look's mixture interval, tuned to the last look; the always-valid p-value is
// the running minimum of 1 / likelihood ratio, Holm-corrected over the CTR family at each look; the
// final look's values are the lifts'.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { armResults } from '../../src/abtest/readout.js';
import { liftsOf } from '../../src/abtest/lifts.js';
import { sequential, type Snapshot } from '../../src/abtest/looks.js';
import { cupedLogRatioLift } from '../../src/abtest/stats/cuped.js';
import { holmAdjust } from '../../src/abtest/stats/multiplicity.js';
import { confidenceSequenceRadius, mixtureLikelihoodRatio, mixtureVarianceFor } from '../../src/abtest/stats/sequential.js';
import { cells, cfg, scopes, truths } from '../helpers/hand-cells.js';

// Three looks with 60, 150 and 400 users per arm and domain; a snapshot's cells are arm × domain (a, b).
const rate = (a: number, d: number) => 0.1 * (1 + 0.12 * a) * (1 + 0.1 * d);
const snapshots: Snapshot[] = [60, 150, 400].map((users, l) => {
  const c = cells(rate, users);
  return { time: 100 * (l + 1), users: 2 * users, cells: [c[1], c[2], c[4], c[5]] };
});
const final = cells(rate, 400);
const alpha = cfg().rules.alpha;

test("each look's interval: exp(log q ± r) − 1 with r the radius at the look's variance and the mixing variance of the last look, intersected with the earlier looks'", () => {
  const lifts = liftsOf(final, armResults(final, scopes, cfg()), truths, scopes, cfg());
  const looks = sequential(snapshots, lifts, ['a', 'b'], cfg());
  assert.deepEqual(
    looks.map((l) => [l.time, l.users, l.cells.length]),
    [
      [100, 120, 4],
      [200, 300, 4],
      [300, 800, 4],
    ],
  );
  const at = (l: number) => looks[l].cells.find((c) => c.domain === 'a' && c.metric === 'ctr')!;
  const est = snapshots.map((s) => cupedLogRatioLift(s.cells[2].ctr, s.cells[0].ctr, alpha));
  const tau2 = mixtureVarianceFor(est[2].seLog ** 2, alpha);
  let low = -Infinity;
  let high = Infinity;
  let p = 1;
  for (let l = 0; l < 3; l++) {
    const logQ = Math.log1p(est[l].lift);
    const r = confidenceSequenceRadius(est[l].seLog ** 2, tau2, alpha);
    low = Math.max(low, logQ - r);
    high = Math.min(high, logQ + r);
    p = Math.min(p, 1 / mixtureLikelihoodRatio(logQ, est[l].seLog ** 2, tau2));
    assert.equal(at(l).seqCiLow, Math.expm1(low), `look ${l}`);
    assert.equal(at(l).seqCiHigh, Math.expm1(high), `look ${l}`);
    assert.equal(at(l).seqPValue, p, `look ${l}`);
    assert.equal(at(l).cupedLift, est[l].lift);
  }
  assert.ok(at(2).seqCiHigh - at(2).seqCiLow < at(0).seqCiHigh - at(0).seqCiLow, 'the sequence narrows');
  // The CTR cells are one family per look; the guardrail's p-value stands.
  for (const look of looks) {
    const ctr = look.cells.filter((c) => c.metric === 'ctr');
    assert.deepEqual(
      ctr.map((c) => c.seqPAdjusted),
      holmAdjust(ctr.map((c) => c.seqPValue)),
    );
    for (const c of look.cells.filter((x) => x.metric === 'ctcvr')) assert.ok(Object.is(c.seqPAdjusted, c.seqPValue));
  }
  const lift = lifts.find((l) => l.metric === 'ctr' && l.domain === 'a')!;
  assert.deepEqual([lift.seqCiLow, lift.seqCiHigh, lift.seqPValue, lift.seqPAdjusted], [at(2).seqCiLow, at(2).seqCiHigh, at(2).seqPValue, at(2).seqPAdjusted]);
});

test('a look below the small-cell floor is not tested and opens no interval; the sequence starts at the first tested look', () => {
  const thin: Snapshot[] = [{ time: 1, users: 6, cells: cells(rate, 3).filter((_, i) => i % 3 !== 0) }, ...snapshots.slice(1)];
  const lifts = liftsOf(final, armResults(final, scopes, cfg()), truths, scopes, cfg());
  const looks = sequential(thin, lifts, ['a', 'b'], cfg());
  const first = looks[0].cells.find((c) => c.domain === 'a' && c.metric === 'ctr')!;
  assert.equal(first.tested, false);
  assert.ok(Number.isNaN(first.seqCiLow) && Number.isNaN(first.seqPValue) && Number.isNaN(first.pValue));
  const second = looks[1].cells.find((c) => c.domain === 'a' && c.metric === 'ctr')!;
  assert.ok(second.tested && Number.isFinite(second.seqCiLow));
});
