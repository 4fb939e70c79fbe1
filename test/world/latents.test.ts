// The latent arithmetic under the truth: orthonormal directions, and an entity's summed latent is the
// sum of its exposed features' latents (an unexposed feature adds nothing; item IDs only when asked).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { directions, dot, entityLatents } from '../../src/world/latents.js';
import { generateWorld } from '../../src/world/world.js';
import { stream } from '../../src/world/rng.js';
import { scenario } from '../helpers/scenarios.js';

test('directions are orthonormal up to the dimension', () => {
  const L = 6;
  const d = directions(stream(3, 'test'), L, L);
  for (let a = 0; a < L; a++) for (let b = 0; b < L; b++) assert.ok(Math.abs(dot(d[a], 0, d[b], 0, L) - (a === b ? 1 : 0)) < 1e-5, `${a}·${b}`);
});

test("an item's summed latent is its exposed features' latents, in float32; the item ID's latent only with itemIds", () => {
  const w = generateWorld(scenario('tiny'), 7);
  const { layout, items, truth } = w;
  const L = truth.dim;
  const every = { exposedCat: layout.categorical.map(() => true), exposedNum: layout.numeric.map(() => true) };
  const withIds = entityLatents(layout, truth, items, { source: 'item', ...every, itemIds: true });
  const without = entityLatents(layout, truth, items, { source: 'item', ...every, itemIds: false });
  const none = entityLatents(layout, truth, items, {
    source: 'item',
    exposedCat: every.exposedCat.map(() => false),
    exposedNum: every.exposedNum.map(() => false),
    itemIds: true,
  });
  const idAt = layout.categorical.findIndex((f) => f.name === 'item_id');
  assert.ok(idAt >= 0, 'the tiny world has item IDs');
  for (const i of [0, 5, items.count - 1]) {
    for (let k = 0; k < L; k++) {
      // Summed in feature order as float32: the ID's latent is one of the terms.
      let acc = 0;
      layout.categorical.forEach((f, j) => {
        if (f.source !== 'item') return;
        const v = f.name === 'item_id' ? i + 1 : items.cat[j]![i];
        acc = Math.fround(acc + truth.catLatent[j][v * L + k]);
      });
      layout.numeric.forEach((f, j) => {
        if (f.source === 'item') acc = Math.fround(acc + items.num[j]![i] * truth.numDir[j][k]);
      });
      assert.equal(withIds[i * L + k], acc, `item ${i}, coordinate ${k}`);
      assert.equal(none[i * L + k], 0);
    }
    const idLatent = Array.from({ length: L }, (_, k) => truth.catLatent[idAt][(i + 1) * L + k]);
    assert.ok(
      idLatent.some((x, k) => Math.abs(withIds[i * L + k] - without[i * L + k] - x) < 1e-5 && x !== 0),
      'the ID is the difference',
    );
  }
});
