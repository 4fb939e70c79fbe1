import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalCdf } from '../../../src/abtest/stats/distributions.js';
import { ratioWithVariance, logRatioLift } from '../../../src/abtest/stats/ratio.js';
import { emptyRatio, addUser } from '../../../src/util/ratio-sums.js';

test('the delta method reduces to p(1-p)/n when every user has one impression', () => {
  const r = emptyRatio();
  for (let u = 0; u < 1000; u++) addUser(r, u % 10 === 0 ? 1 : 0, 1);
  const { ratio, variance } = ratioWithVariance(r);
  assert.equal(ratio, 0.1);
  assert.ok(Math.abs(variance - (0.1 * 0.9 * 1000) / 999 / 1000) < 1e-12);
});

test("clustered variance grows when a user's impressions are correlated", () => {
  // Same CTR, same impressions: 100 users × 10 impressions, clicks all-or-nothing per user vs spread.
  const clustered = emptyRatio();
  const spread = emptyRatio();
  for (let u = 0; u < 100; u++) {
    addUser(clustered, u % 10 === 0 ? 10 : 0, 10);
    addUser(spread, 1, 10);
  }
  assert.ok(ratioWithVariance(clustered).variance > 10 * ratioWithVariance(spread).variance);
});

test('relative lift: estimate, interval and p-value', () => {
  const c = emptyRatio();
  const t = emptyRatio();
  for (let u = 0; u < 20000; u++) {
    addUser(c, u % 10 === 0 ? 1 : 0, 1);
    addUser(t, u % 8 === 0 ? 1 : 0, 1);
  }
  const l = logRatioLift(t, c);
  assert.ok(Math.abs(l.lift - 0.25) < 1e-9);
  assert.ok(l.ciLow < 0.25 && l.ciHigh > 0.25 && l.ciLow > 0.15);
  assert.ok(l.pValue < 1e-6);
});

/** Per-user (clicks, impressions) → the ratio and its delta-method variance, computed here from scratch. */
function byHand(users: [number, number][]): { ratio: number; variance: number } {
  const n = users.length;
  const mx = users.reduce((a, [x]) => a + x, 0) / n;
  const my = users.reduce((a, [, y]) => a + y, 0) / n;
  let vx = 0;
  let vy = 0;
  let cxy = 0;
  for (const [x, y] of users) {
    vx += (x - mx) ** 2;
    vy += (y - my) ** 2;
    cxy += (x - mx) * (y - my);
  }
  const r = mx / my;
  return { ratio: r, variance: (vx / (n - 1) - 2 * r * (cxy / (n - 1)) + r * r * (vy / (n - 1))) / (n * my * my) };
}

const clustered = (users: [number, number][]) => {
  const r = emptyRatio();
  for (const [x, y] of users) addUser(r, x, y);
  return r;
};

test('log-ratio lift: interval exp(log q ± z·se) − 1 from an independent computation; never below −100%; no certainty from zero variance', () => {
  const t: [number, number][] = Array.from({ length: 40 }, (_, u) => [(u * 7) % 5, 10 + (u % 4)]);
  const c: [number, number][] = Array.from({ length: 40 }, (_, u) => [(u * 3) % 4, 10 + (u % 3)]);
  const ht = byHand(t);
  const hc = byHand(c);
  const se = Math.sqrt(ht.variance / ht.ratio ** 2 + hc.variance / hc.ratio ** 2);
  const logQ = Math.log(ht.ratio / hc.ratio);
  const l = logRatioLift(clustered(t), clustered(c));
  assert.ok(Math.abs(l.seLog - se) < 1e-12);
  assert.ok(Math.abs(l.lift - (ht.ratio / hc.ratio - 1)) < 1e-12);
  assert.ok(Math.abs(l.ciLow - (Math.exp(logQ - 1.959963985 * se) - 1)) < 1e-8);
  assert.ok(Math.abs(l.ciHigh - (Math.exp(logQ + 1.959963985 * se) - 1)) < 1e-8);
  assert.ok(Math.abs(l.pValue - 2 * (1 - normalCdf(Math.abs(logQ / se)))) < 1e-12);
  // Two users, very noisy: the delta method on the ratio scale went to −303%; the log scale cannot.
  const tiny = logRatioLift(
    clustered([
      [0, 5],
      [1, 1],
    ]),
    clustered([
      [3, 5],
      [0, 5],
    ]),
  );
  assert.ok(tiny.ciLow > -1 && tiny.ciHigh > tiny.lift, JSON.stringify(tiny));
  // A treatment arm without a click: the estimate is −100% but there is no interval and no p-value.
  const zero = logRatioLift(
    clustered([
      [0, 5],
      [0, 4],
      [0, 6],
    ]),
    clustered([
      [1, 5],
      [0, 5],
      [2, 5],
    ]),
  );
  assert.equal(zero.lift, -1);
  assert.ok(Number.isNaN(zero.ciLow) && Number.isNaN(zero.pValue));
  // Identical users in both arms: zero variance is not certainty.
  const flat = logRatioLift(
    clustered([
      [1, 10],
      [1, 10],
    ]),
    clustered([
      [1, 10],
      [1, 10],
    ]),
  );
  assert.equal(flat.lift, 0);
  assert.ok(Number.isNaN(flat.pValue));
});

test('a cell with no spread is not analysable: a zero or negative variance estimate gives no interval, not certainty from the other arm', () => {
  const flat = emptyRatio();
  for (let u = 0; u < 50; u++) addUser(flat, 1, 10);
  const spread = emptyRatio();
  for (let u = 0; u < 50; u++) addUser(spread, u % 3, 10);
  assert.equal(ratioWithVariance(flat).variance, 0);
  const l = logRatioLift(spread, flat);
  assert.ok(Math.abs(l.lift - (spread.sumX / spread.sumY / 0.1 - 1)) < 1e-12);
  assert.ok(Number.isNaN(l.ciLow) && Number.isNaN(l.pValue) && Number.isNaN(l.seLog), JSON.stringify(l));
  // Rounding can leave Var(x − R·y) a hair below zero; that is no spread either, never a clamp to 0.
  const odd = { users: 3, sumX: 0.3, sumY: 3, sumXX: 0.030000000000000002 - 1e-17, sumYY: 3, sumXY: 0.3 };
  const v = ratioWithVariance(odd).variance;
  assert.ok(v === 0 || Number.isNaN(v), `${v}`);
});
