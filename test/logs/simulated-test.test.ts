// The log's test again in a fitted world: equal policies give lifts centred on 0, and a policy that
// favours the better items shows the true lift the world's click model implies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simulateTest, type DomainTruth } from '../../src/logs/simulated-test.js';
import type { SlotPolicy } from '../../src/ope/logged.js';
import { DEFAULT_DECISION_RULES } from '../../src/scenario/blocks.js';

const N = 10;
const K = 2;
const uniform: SlotPolicy = { items: N, positions: K, p: new Float64Array(N * K).fill(1 / N) };
const items = Float64Array.from({ length: N }, (_, a) => (a < 5 ? 0.5 : -0.5));
const truth: DomainTruth[] = [{ name: 'd', bias: Math.log(0.05 / 0.95), items, positions: new Float64Array(K) }];

test('equal policies: the true lift is 0 and the simulated lifts straddle it; most tests keep or cannot tell', () => {
  const r = simulateTest(
    truth,
    [
      { name: 'a', policies: [uniform], displays: [4000] },
      { name: 'b', policies: [uniform], displays: [4000] },
    ],
    0,
    DEFAULT_DECISION_RULES,
    3,
    60,
  );
  const [a, b] = r.trueCtr.map((x) => x.ctr);
  assert.ok(Math.abs(b / a - 1) < 0.02, `${a} ${b}`);
  const [lo, mid, hi] = r.spread[0].lift;
  assert.ok(lo < 0 && hi > 0 && Math.abs(mid) < 0.1, `${lo} ${mid} ${hi}`);
  assert.ok((r.spread[0].decisions['ship: b'] ?? 0) < 0.15);
});

test("a policy on the better half of the catalogue: its true lift is the click model's, and the simulated tests find it", () => {
  const better: SlotPolicy = { items: N, positions: K, p: Float64Array.from({ length: N * K }, (_, j) => (Math.floor(j / K) < 5 ? 0.2 : 0)) };
  const r = simulateTest(
    truth,
    [
      { name: 'a', policies: [uniform], displays: [20_000] },
      { name: 'b', policies: [better], displays: [20_000] },
    ],
    0,
    DEFAULT_DECISION_RULES,
    4,
    40,
  );
  const s = (x: number) => 1 / (1 + Math.exp(-x));
  const base = Math.log(0.05 / 0.95);
  const want = s(base + 0.5) / ((s(base + 0.5) + s(base - 0.5)) / 2) - 1;
  const got = r.trueCtr[1].ctr / r.trueCtr[0].ctr - 1;
  assert.ok(Math.abs(got - want) < 0.02, `${got} vs ${want}`);
  assert.ok(r.spread[0].lift[0] > 0, `${r.spread[0].lift}`);
  assert.ok((r.spread[0].decisions['ship: b'] ?? 0) > 0.9, JSON.stringify(r.spread[0].decisions));
  assert.equal(r.decisions[0].trueBest, 'b');
});
