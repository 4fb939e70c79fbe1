// Each user's logged rows in time order, and "the k most recent before t" by binary search: checked
// against a plain filter over every row of the tiny world's logs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { modelInputs } from '../../src/data/inputs.js';
import { buildHistory, recentRows } from '../../src/data/history.js';
import { scenario } from '../helpers/scenarios.js';

test("a user's history is their rows in time order; recentRows is the last k before t", () => {
  const p = modelInputs(scenario('tiny'), 7);
  const { ds } = p;
  const h = buildHistory(ds, p.world.users.count);
  const out = new Int32Array(16);
  for (const u of [0, 3, 17, 250, p.world.users.count - 1]) {
    const mine = Array.from({ length: ds.n }, (_, r) => r).filter((r) => ds.user[r] === u);
    assert.deepEqual(Array.from(h.rows.subarray(h.start[u], h.start[u + 1])), mine, `user ${u}`);
    for (let k = 1; k < mine.length; k++) assert.ok(ds.time[mine[k - 1]] <= ds.time[mine[k]]);
    for (const t of [0, ds.time[mine[Math.floor(mine.length / 2)]] ?? 0, 1e9]) {
      const before = mine.filter((r) => ds.time[r] < t);
      const want = before.slice(Math.max(0, before.length - 5));
      const n = recentRows(h, u, t, 5, out);
      assert.deepEqual(Array.from(out.subarray(0, n)), want, `user ${u} before ${t}`);
    }
  }
});
