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

test('a display logged at a propensity far below 1/n is named twice (tiny propensity, dominant weight) and no interval of a CTR leaves [0, 1]', () => {
  const clean = evaluateLogged(uniformLog(3000, 11), target);
  assert.deepEqual(clean.warnings, []);
  // OBD's women BTS row: one display at 1e-6 where its neighbours sit near 1/6.
  const log = uniformLog(3000, 11);
  const k = log.item.findIndex((a, i) => a === 5 && log.click[i] === 1);
  log.propensity[k] = 1e-6;
  const ev = evaluateLogged(log, target);
  assert.deepEqual(ev.warnings, ['dominant-weight', 'propensity-below-1/n']);
  assert.ok(ev.maxWeight > 4e5, `${ev.maxWeight}`);
  for (const e of ev.estimates) assert.ok(e.ciLow >= 0 && e.ciHigh <= 1, `${e.estimator}: [${e.ciLow}, ${e.ciHigh}]`);
  // Wide enough to cross 0 without the clip: the clip, not luck, keeps it inside.
  const ipw = ev.estimates.find((e) => e.estimator === 'ipw')!;
  assert.ok(ipw.value - 1.96 * ipw.se < 0 || ipw.value + 1.96 * ipw.se > 1, `${ipw.value} ± ${ipw.se}`);
  // Just above 1/n the propensity is plausible, but its weight (~495 against ~3,000 in all) still dominates.
  const uniform = { ...target, p: target.p.map(() => 1 / ITEMS) };
  const rare = uniformLog(3000, 11);
  rare.propensity[k] = 1.01 / 3000;
  assert.deepEqual(evaluateLogged(rare, uniform).warnings, ['dominant-weight']);
  rare.propensity[k] = 0.05;
  assert.deepEqual(evaluateLogged(rare, uniform).warnings, []);
});
