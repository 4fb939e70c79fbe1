// Users and items: cold-start users are born after training, the configured share of them; each
// domain's catalogue has its configured size with its overlap drawn from one common pool, and no item
// twice; attributes are 1..vocab for their own source and absent for the other.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildLayout } from '../../src/world/layout.js';
import { drawItems, drawUsers } from '../../src/world/population.js';
import { scenario } from '../helpers/scenarios.js';

test('cold starts, catalogues with their overlap, attributes by source', () => {
  const s = scenario('tiny', (r) => (r.items.overlap = 0.5));
  const layout = buildLayout(s);
  const users = drawUsers(s, layout, 7, 0.7);
  const born = Array.from(users.birth).filter((b) => b > 0);
  assert.equal(born.length, Math.round(s.users.coldStartShare * s.users.count));
  assert.ok(born.every((b) => b >= 0.7 && b < 1));
  const items = drawItems(s, layout, 7);
  const sets = items.catalogues.map((c) => new Set(c));
  s.domains.forEach((d, k) => {
    const size = Math.max(1, Math.round(d.catalogue * s.items.count));
    assert.equal(items.catalogues[k].length, size, d.name);
    assert.equal(sets[k].size, size, `${d.name}: no item twice`);
  });
  // The common pool's first items are in every catalogue: the smallest catalogue's shared part.
  const sharedOfSmallest = Math.round(s.items.overlap * Math.min(...items.catalogues.map((c) => c.length)));
  const inAll = [...sets[0]].filter((i) => sets.every((x) => x.has(i)));
  assert.ok(inAll.length >= sharedOfSmallest, `${inAll.length} items in every catalogue, at least ${sharedOfSmallest}`);
  layout.categorical.forEach((f, j) => {
    if (f.name === 'item_id') return;
    const own = f.source === 'user' ? users.cat[j] : f.source === 'item' ? items.cat[j] : null;
    const other = f.source === 'user' ? items.cat[j] : users.cat[j];
    assert.equal(other, null, `${f.name} belongs to one source`);
    if (own)
      assert.ok(
        Array.from(own).every((v) => v >= 1 && v <= f.vocab),
        f.name,
      );
  });
});
