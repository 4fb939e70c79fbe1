// Per-user capping: the cap is R's type-7 quantile of the users' positive impressions, and a user
// above it keeps their own CTR at a bounded weight.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { capPrimaryCells, cappedWeight, positiveQuantile } from '../../src/abtest/capping.js';
import { SEGMENTS } from '../../src/world/impressions.js';
import type { World } from '../../src/world/world.js';
import { emptyCovariateRatio } from '../../src/abtest/stats/cuped.js';
import { userSums } from '../../src/abtest/user-sums.js';
import type { ArmResult, Cell, ReplayConfig } from '../../src/abtest/readout.js';

test("the cap is R's quantile(x, q) (type 7) over the users who were there; zeros are users who were not", () => {
  // R: quantile(c(1, 2, 3, 4, 100), 0.9) = 61.6; quantile(1:10, 0.99) = 9.91; quantile(c(5), 0.99) = 5.
  assert.ok(Math.abs(positiveQuantile([1, 2, 0, 3, 4, 100, 0], 0.9) - 61.6) < 1e-12);
  assert.ok(
    Math.abs(
      positiveQuantile(
        Float64Array.from({ length: 10 }, (_, k) => k + 1),
        0.99,
      ) - 9.91,
    ) < 1e-12,
  );
  assert.equal(positiveQuantile([0, 5, 0], 0.99), 5);
  assert.equal(positiveQuantile([0, 0], 0.99), 0);
  assert.equal(positiveQuantile([3, 1, 2], 1), 3);
});

test('a user above the cap counts at the cap, their clicks scaled alike (their CTR kept); below it, unchanged', () => {
  assert.equal(cappedWeight(400, 50), 0.125);
  assert.equal(400 * cappedWeight(400, 50), 50);
  assert.equal(cappedWeight(30, 50), 1);
  assert.equal(cappedWeight(50, 50), 1);
  assert.equal(cappedWeight(10, 0), 1, 'no cap where no one was');
});

test("capping the replay's primary cells: each arm's domain cell is rebuilt from the capped users (clicks scaled with impressions), its effective users and heaviest share re-read from them; other cells stay", () => {
  const U = 6;
  const S = SEGMENTS.length + 1;
  const D = 1;
  const count = (D + 3) * S;
  const w = { users: { count: U }, layout: { domains: ['head'] } } as unknown as World;
  const sums = userSums(D + 3, U);
  const pre = userSums(D + 3, U);
  // Domain key 1 is the one domain. Users 0–2 in arm 0, 3–5 in arm 1; user 5 is heavy.
  const imps = [2, 4, 6, 2, 4, 60];
  const clicks = [1, 1, 3, 0, 2, 30];
  imps.forEach((y, u) => {
    sums.imps[U + u] = y;
    sums.clicks[U + u] = clicks[u];
    pre.imps[U + u] = y / 2;
    pre.clicks[U + u] = clicks[u] / 2;
  });
  const armOf = Int32Array.from([0, 0, 0, 1, 1, 1]);
  const cell = (): Cell => ({ ctr: emptyCovariateRatio(), ctcvr: emptyCovariateRatio(), heaviest: 1, expected: 7 });
  const cells = Array.from({ length: 2 * count }, cell);
  const result = (arm: string, segment: string) => ({ arm, domain: 'head', segment, effectiveUsers: -1, maxUserShare: -1 }) as unknown as ArmResult;
  const results = [result('a', 'all'), result('b', 'all'), result('a', 'heavy')];
  const cfg = { arms: [{ name: 'a' }, { name: 'b' }] } as unknown as ReplayConfig;
  const out = capPrimaryCells(w, cells, results, sums, pre, cfg, 0.5, armOf);
  // The median of 2, 4, 6, 2, 4, 60 (R type 7) is 4: users 2 and 5 count 4 impressions, user 2's 3 clicks as 2, user 5's 30 as 2.
  const b = out.cells[1 * count + 1 * S].ctr;
  assert.equal(b.sumY, 2 + 4 + 4);
  assert.equal(b.sumX, 0 + 2 + 2);
  assert.equal(out.cells[0 * count + 1 * S].ctr.sumX, 1 + 1 + 2);
  assert.equal(out.cells[1 * count + 1 * S].expected, 7, 'the expected clicks are the uncapped arm’s');
  assert.equal(out.results[1].maxUserShare, 4 / 10);
  assert.equal(out.results[1].effectiveUsers, 10 ** 2 / (4 + 16 + 16));
  assert.equal(out.results[2].effectiveUsers, -1, 'a segment’s cell is not capped');
  assert.equal(out.cells[0].ctr.sumY, 0, 'nor is the all-domains cell');
  assert.equal(out.sums.clicks[U + 5], 2);
  assert.equal(sums.clicks[U + 5], 30, 'the uncapped sums are left as they were');
});
