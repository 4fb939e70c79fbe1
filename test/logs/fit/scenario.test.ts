// A fitted scenario from hand-made moments: shares that still sum to 1 at six digits, the click model
// as the truth relative to the best position, the log's arms as policy arms; a log of too few items refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scenarioOf } from '../../../src/logs/fit/scenario.js';
import type { Fitted } from '../../../src/logs/fit/moments.js';

const domain = (name: string, share: number, items: number) => ({
  name,
  source: name.toUpperCase(),
  share,
  items,
  baseCtr: { value: 0.02, low: 0.01, high: 0.03 },
  positionCtr: [],
  clickModel: {
    bias: -4,
    items: Array.from({ length: items }, (_, k) => k / 10),
    positions: [0.5, 0.1, -0.2],
    itemIds: Array.from({ length: items }, (_, k) => `i${k}`),
  },
});
const fitted = (items: [number, number]): Fitted => ({
  dataset: 'x',
  control: 'random',
  cut: 50,
  span: 100,
  domains: [domain('a', 1 / 3, items[0]), domain('b', 2 / 3, items[1])],
  positionBias: [1, 0.67, 0.5],
  features: [{ name: 'f', source: 'user', kind: 'categorical', vocab: 3, skew: 1, domains: ['a', 'b'] }],
  assumptions: [],
});

test('the fitted moments as a scenario: six-digit shares summing to 1, positions relative to the best, the arms as policies', () => {
  const s = scenarioOf(fitted([6, 9]), 'x-fit', 3, 1000, 500, [{ name: 'random', policy: { kind: 'uniform' } }]);
  assert.deepEqual(
    s.domains.map((d) => d.share),
    [0.333333, 0.666667],
  );
  assert.deepEqual(
    s.domains.map((d) => [d.candidates, d.slate, d.catalogue]),
    [
      [6, 3, 0.4],
      [9, 3, 0.6],
    ],
  );
  assert.equal(s.items.count, 15);
  assert.deepEqual(s.truth.fitted!.domains.a.positions, [0, -0.4, -0.7]);
  assert.deepEqual(s.abtest!.arms, ['random', 'separate', 'shared-bottom']);
  assert.equal(s.abtest!.control, 'random');
  assert.deepEqual(s.abtest!.positionBias, [1, 0.67, 0.5]);
  assert.equal(s.users.count, 1000);
});

test('a log of fewer than ten items is refused in one line (a world could not give the padding a fitted logit)', () => {
  assert.throws(() => scenarioOf(fitted([3, 4]), 'x-fit', 3, 1000, 500), /fit: the log shows 7 items over its domains; a world needs at least 10/);
});
