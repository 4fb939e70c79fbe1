import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fatigued, itemKinds, Stocks } from '../../src/world/memory.js';
import { generateWorld } from '../../src/world/world.js';
import { scenario } from '../helpers/scenarios.js';

test('fatigued: the logit falls by fatigue × stock; no stock or no fatigue leaves p as it is', () => {
  const logit = (p: number) => Math.log(p / (1 - p));
  for (const [p, f, s] of [
    [0.1, 0.7, 1],
    [0.5, 2, 0.25],
    [0.9, 0.3, 4],
  ])
    assert.ok(Math.abs(logit(fatigued(p, f, s)) - (logit(p) - f * s)) < 1e-12);
  assert.equal(fatigued(0.3, 0, 5), 0.3);
  assert.equal(fatigued(0.3, 1, 0), 0.3);
});

test('Stocks: an impression adds one, which halves every `memory` of the user’s visits; users and kinds are apart', () => {
  const st = new Stocks(3, 4, 2);
  st.add(0, 1);
  st.add(0, 1);
  assert.equal(st.get(0, 1), 2);
  st.visits[0] += 2;
  assert.ok(Math.abs(st.get(0, 1) - 1) < 1e-12, 'two visits later: half');
  st.add(0, 1);
  st.visits[0] += 1;
  assert.ok(Math.abs(st.get(0, 1) - 2 * 2 ** -0.5) < 1e-12, 'the added one decays with the rest');
  assert.equal(st.get(0, 2), 0);
  assert.equal(st.get(1, 1), 0);
  st.visits[1] += 5;
  assert.ok(Math.abs(st.get(0, 1) - 2 * 2 ** -0.5) < 1e-12, "another user's visits do not age this one's memory");
});

test("itemKinds: the named categorical item feature's values, the first one when none is named, or each item alone; an unknown feature names the block", () => {
  const w = generateWorld(scenario('tiny'), 1);
  const j = w.layout.categorical.findIndex((f) => f.name === 'item_category');
  const byCategory = itemKinds(w, 'item_category', 'dynamics');
  assert.equal(byCategory.kinds, w.items.cat[j]);
  assert.equal(byCategory.count, w.layout.categorical[j].vocab + 1);
  assert.equal(itemKinds(w, undefined, 'dynamics').kinds, w.items.cat[j], 'item_id is not a kind');
  const each = itemKinds(w, 'item', 'dynamics');
  assert.equal(each.count, w.items.count);
  assert.deepEqual([...each.kinds.subarray(0, 3)], [0, 1, 2]);
  assert.throws(() => itemKinds(w, 'colour', 'feedback.userState'), /^Error: feedback\.userState: no categorical item feature 'colour'/);
});
