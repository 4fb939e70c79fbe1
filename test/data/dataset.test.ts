import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchColumns, buildDataset, disposeBatch, epochBatches, makeBatch, rowsByDomain } from '../../src/data/dataset.js';
import { generateWorld } from '../../src/world/world.js';
import { stream } from '../../src/world/rng.js';
import { scenario } from '../helpers/scenarios.js';
import { selectBackend } from '../../src/tf/backend.js';

const w = generateWorld(scenario('tiny'), 2);
const ds = buildDataset(w);

test("a batch holds its rows' columns, whether made in fresh arrays or in columns reused from the last batch (smaller and larger batches after it)", async () => {
  await selectBackend(process.env.CROSSAB_BACKEND ?? 'wasm');
  const columns = new BatchColumns();
  for (const rows of [[5, 2, 9, 40], [7], [100, 101, 102, 103, 104, 105]]) {
    for (const reuse of [false, true]) {
      const b = makeBatch(ds, rows, 1, reuse ? columns : undefined);
      try {
        assert.equal(b.size, rows.length);
        // Row-wide columns: each row's fc or fn values in turn; per-row columns: one value a row.
        for (const [name, got, from, width] of [
          ['cat', b.cat, ds.cat, ds.fc],
          ['catMask', b.catMask, ds.catMask, ds.fc],
          ['num', b.num, ds.num, ds.fn],
        ] as const)
          assert.deepEqual(
            [...got.dataSync()],
            rows.flatMap((r) => [...from.subarray(r * width, (r + 1) * width)]),
            name,
          );
        for (const [name, got, from] of [
          ['domainIds', b.domainIds, ds.domain],
          ['activity', b.activity, ds.activity],
          ['click', b.click, ds.click],
          ['conv', b.conv, ds.conv],
        ] as const)
          assert.deepEqual(
            [...got.dataSync()],
            rows.map((r) => from[r]),
            name,
          );
      } finally {
        disposeBatch(b);
      }
    }
  }
});

test('an epoch: every row of every domain once, in single-domain batches of at most the batch size, in an order the seed fixes', () => {
  const byDomain = rowsByDomain(
    ds,
    Int32Array.from({ length: ds.n }, (_, k) => k),
  );
  byDomain.forEach((rows, d) => assert.ok(rows.every((r) => ds.domain[r] === d)));
  const batches = epochBatches(byDomain, 64, stream(1, 'epoch'));
  assert.ok(batches.every((b) => b.rows.length <= 64 && b.rows.every((r) => ds.domain[r] === b.domain)));
  const seen = batches.flatMap((b) => [...b.rows]).sort((a, b) => a - b);
  assert.deepEqual(
    seen,
    Array.from({ length: ds.n }, (_, k) => k),
  );
  const again = epochBatches(byDomain, 64, stream(1, 'epoch'));
  assert.deepEqual(
    again.map((b) => [...b.rows]),
    batches.map((b) => [...b.rows]),
  );
  assert.notDeepEqual(
    epochBatches(byDomain, 64, stream(2, 'epoch')).map((b) => b.rows[0]),
    batches.map((b) => b.rows[0]),
  );
});
