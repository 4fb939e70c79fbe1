// Off-policy estimates on display logs, against a truth we set: a uniform logger over 6 items and 2
// positions, a target that favours the best items, clicks drawn from known rates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateLogged, type DisplayLog, type SlotPolicy } from '../../src/ope/logged.js';
import { stream } from '../../src/world/rng.js';

const ITEMS = 6;
const K = 2;
const rate = (a: number, k: number) => (0.02 + 0.01 * a) * (k === 0 ? 1 : 0.6);
const target: SlotPolicy = (() => {
  const p = new Float64Array(ITEMS * K);
  const w = [0.02, 0.03, 0.05, 0.1, 0.3, 0.5];
  for (let a = 0; a < ITEMS; a++) for (let k = 0; k < K; k++) p[a * K + k] = w[a];
  return { items: ITEMS, positions: K, p };
})();
const truth = (() => {
  let v = 0;
  for (let k = 0; k < K; k++) for (let a = 0; a < ITEMS; a++) v += (target.p[a * K + k] * rate(a, k)) / K;
  return v;
})();

function uniformLog(n: number, seed: number): DisplayLog {
  const rng = stream(seed, 'logged-test');
  const log: DisplayLog = { item: new Int32Array(n), position: new Int32Array(n), click: new Uint8Array(n), propensity: new Float64Array(n).fill(1 / ITEMS) };
  for (let i = 0; i < n; i++) {
    log.item[i] = rng.int(ITEMS);
    log.position[i] = i % K;
    log.click[i] = rng.next() < rate(log.item[i], log.position[i]) ? 1 : 0;
  }
  return log;
}

test("IPW, SNIPW and DR cover the target's true CTR about 95% of the time over 300 logs; DM's shrunk model is biased towards the logger", () => {
  const covered: Record<string, number> = { ipw: 0, snipw: 0, dm: 0, dr: 0 };
  const seeds = 300;
  let dmError = 0;
  for (let s = 1; s <= seeds; s++) {
    const ev = evaluateLogged(uniformLog(4000, s), target);
    for (const e of ev.estimates) if (e.ciLow <= truth && truth <= e.ciHigh) covered[e.estimator]++;
    dmError += (ev.estimates.find((e) => e.estimator === 'dm')!.value - truth) / truth / seeds;
  }
  // 95% ± 2.5 sd of a binomial share over 300 logs: 91.2%–98.8%.
  for (const e of ['ipw', 'snipw', 'dr']) assert.ok(covered[e] / seeds > 0.912 && covered[e] / seeds < 0.988, `${e}: ${covered[e]} of ${seeds}`);
  assert.ok(dmError < -0.05, `DM's mean relative error ${dmError}`);
});

test('the weights: ESS is (Σw)²/Σw², the largest weight is π_e/π_b at the favourite item, and a target on unshown pairs is unsupported', () => {
  const log = uniformLog(3000, 7);
  const ev = evaluateLogged(log, target);
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < log.item.length; i++) {
    const w = target.p[log.item[i] * K + log.position[i]] * ITEMS;
    s += w;
    s2 += w * w;
  }
  assert.ok(Math.abs(ev.ess - (s * s) / s2) < 1e-6);
  assert.ok(Math.abs(ev.maxWeight - 0.5 * ITEMS) < 1e-12);
  assert.equal(ev.unsupported, 0);
  // Item 5 never shown at position 1: the target's 0.5 there is half a display's mass per position pair.
  const thin = { ...log, item: log.item.map((a, i) => (a === 5 && log.position[i] === 1 ? 4 : a)) };
  assert.ok(Math.abs(evaluateLogged(thin, target).unsupported - 0.25) < 1e-12);
});
