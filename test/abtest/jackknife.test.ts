// The user-level jackknife: the leave-one-user-out variance of the plain and the CUPED log-lift,
// checked against a brute-force recomputation, against the delta method where users are many and
// alike, and against the delta method's blind spot: one user carrying an arm.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import seedrandom from 'seedrandom';
import { jackknifeInterval, jackknifeVariance, type CellUsers } from '../../src/abtest/jackknife.js';
import { addUserWithCovariate, cupedLogLift, cupedLogRatioLift, emptyCovariateRatio, type CovariateRatio } from '../../src/abtest/stats/cuped.js';
import { logRatioLift } from '../../src/abtest/stats/ratio.js';

type User = [number, number, number, number];

function arm(rng: () => number, n: number, heavy = 0): User[] {
  return Array.from({ length: n }, (_, i) => {
    const y = i < heavy ? 400 : 1 + Math.floor(rng() * 12);
    const rate = 0.05 + 0.25 * rng();
    const q = Math.floor(rng() * 20);
    const x = Math.round(y * rate * (0.6 + 0.8 * rng()));
    return [x, y, Math.round(q * rate), q];
  });
}

const cell = (us: User[]): CovariateRatio => {
  const r = emptyCovariateRatio();
  for (const [x, y, p, q] of us) addUserWithCovariate(r, x, y, p, q);
  return r;
};
const users = (us: User[]): CellUsers => ({
  n: us.length,
  x: Float64Array.from(us, (u) => u[0]),
  y: Float64Array.from(us, (u) => u[1]),
  p: Float64Array.from(us, (u) => u[2]),
  q: Float64Array.from(us, (u) => u[3]),
});
const plainLog = (t: CovariateRatio, c: CovariateRatio) => Math.log(t.sumX / t.sumY / (c.sumX / c.sumY));

/** The jackknife by rebuilding each leave-one-out cell from scratch. */
function bruteForce(t: User[], c: User[], stat: (t: CovariateRatio, c: CovariateRatio) => number): number {
  let total = 0;
  for (const [own, other, isT] of [
    [t, c, true],
    [c, t, false],
  ] as const) {
    const n = own.length;
    const v = own.map((_, i) => {
      const left = cell(own.filter((__, j) => j !== i));
      return isT ? stat(left, cell(other)) : stat(cell(other), left);
    });
    const m = v.reduce((a, b) => a + b, 0) / n;
    total += ((n - 1) / n) * v.reduce((a, b) => a + (b - m) ** 2, 0);
  }
  return total;
}

test('the jackknife of the plain and the CUPED log-lift equals a brute-force leave-one-user-out recomputation (CUPED refits θ each time)', () => {
  const rng = seedrandom('jackknife-brute');
  const t = arm(rng, 60);
  const c = arm(rng, 55);
  for (const stat of [plainLog, cupedLogLift]) {
    const fast = jackknifeVariance(cell(t), cell(c), users(t), users(c), stat);
    const slow = bruteForce(t, c, stat);
    assert.ok(Math.abs(fast / slow - 1) < 1e-8, `${stat.name}: ${fast} vs ${slow}`);
  }
  // CUPED's point estimate is cupedLogRatioLift's.
  assert.ok(Math.abs(cupedLogLift(cell(t), cell(c)) - Math.log1p(cupedLogRatioLift(cell(t), cell(c)).lift)) < 1e-12);
});

test('with many alike users the jackknife variance is the delta method’s; with one user carrying an arm it is several times larger', () => {
  const rng = seedrandom('jackknife-delta');
  const t = arm(rng, 3000);
  const c = arm(rng, 3000);
  const delta = logRatioLift(cell(t), cell(c)).seLog ** 2;
  const jk = jackknifeVariance(cell(t), cell(c), users(t), users(c), plainLog);
  assert.ok(Math.abs(jk / delta - 1) < 0.05, `jackknife ${jk}, delta ${delta}`);
  const th = arm(rng, 80, 1);
  const ch = arm(rng, 80, 1);
  const deltaHeavy = logRatioLift(cell(th), cell(ch)).seLog ** 2;
  const jkHeavy = jackknifeVariance(cell(th), cell(ch), users(th), users(ch), plainLog);
  assert.ok(jkHeavy > 1.3 * deltaHeavy, `heavy: jackknife ${jkHeavy}, delta ${deltaHeavy}`);
});

test('the jackknife interval: exp(log q ± z·se) − 1 with its two-sided p-value; no variance, no interval', () => {
  const j = jackknifeInterval(Math.log(1.1), 0.0025, 0.05);
  assert.ok(Math.abs(j.ciLow - (1.1 * Math.exp(-1.959963984540054 * 0.05) - 1)) < 1e-12);
  assert.ok(Math.abs(j.ciHigh - (1.1 * Math.exp(1.959963984540054 * 0.05) - 1)) < 1e-12);
  assert.ok(Math.abs(j.pValue - 0.0566238) < 1e-7, `${j.pValue}`); // R: 2 * pnorm(-log(1.1) / 0.05)
  assert.ok(Number.isNaN(jackknifeInterval(0.1, 0, 0.05).ciLow));
});
