import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDataset } from '../../src/data/dataset.js';
import { buildCandidateDataset, candidateEncoder } from '../../src/data/candidates.js';
import { generateWorld } from '../../src/world/world.js';
import { sliceRequests } from '../../src/world/traffic.js';
import { scenario } from '../helpers/scenarios.js';

test("a request's candidates are encoded exactly as the logged rows of the items it showed (fields, masks, numerics, activity), by the candidates' own one-pass encoder", () => {
  // The default's feature mix (user, item and context fields, categorical and numeric, partly exposed) on a small world.
  const w = generateWorld(
    scenario('default', (r) => {
      r.users.count = 3000;
      r.items.count = 800;
      r.traffic.requests = 3000;
      r.traffic.replayRequests = 100;
    }),
    4,
  );
  const ds = buildDataset(w);
  const { validEnd: from, testEnd: to } = w.timeline;
  const rq = sliceRequests(w.loggedRequests, from, to, w.truth.dim);
  const cds = buildCandidateDataset(w, ds, rq, w.loggedExperience.subarray(from, to));
  const { fc, fn } = ds;
  let compared = 0;
  for (let r = 0; r < rq.n; r++) {
    for (let row = w.loggedRow[from + r]; row < w.loggedRow[from + r + 1]; row++) {
      let k = rq.candStart[r];
      while (rq.candItems[k] !== w.logged.item[row]) k++;
      assert.deepEqual(cds.cat.subarray(k * fc, (k + 1) * fc), ds.cat.subarray(row * fc, (row + 1) * fc));
      assert.deepEqual(cds.catMask.subarray(k * fc, (k + 1) * fc), ds.catMask.subarray(row * fc, (row + 1) * fc));
      assert.deepEqual(cds.num.subarray(k * fn, (k + 1) * fn), ds.num.subarray(row * fn, (row + 1) * fn));
      assert.deepEqual(
        [cds.domain[k], cds.user[k], cds.time[k], cds.activity[k], cds.request[k]],
        [ds.domain[row], ds.user[row], ds.time[row], ds.activity[row], r],
      );
      compared++;
    }
  }
  assert.ok(compared > 2000, `${compared} rows compared`);
  assert.ok(ds.catMask.some((m) => m === 0) && ds.num.some((v) => v !== 0));
});

test('the streaming encoder: chunk after chunk the same rows as encoding each chunk alone, in buffers it reuses while they fit and grows when a chunk needs more', () => {
  const w = generateWorld(scenario('tiny'), 3);
  const ds = buildDataset(w);
  const { validEnd: from, testEnd: to } = w.timeline;
  const encode = candidateEncoder(w, ds, true);
  const cut = [from, from + 40, from + 60, to];
  let last: Int32Array | null = null;
  let held = 0;
  for (let c = 0; c + 1 < cut.length; c++) {
    const rq = sliceRequests(w.loggedRequests, cut[c], cut[c + 1], w.truth.dim);
    const exp = w.loggedExperience.subarray(cut[c], cut[c + 1]);
    const got = encode(rq, exp);
    const alone = buildCandidateDataset(w, ds, rq, exp);
    assert.equal(got.n, alone.n);
    for (const k of ['cat', 'catMask', 'num', 'domain', 'user', 'time', 'activity', 'request'] as const) assert.deepEqual(got[k], alone[k], `chunk ${c}: ${k}`);
    // The second chunk (20 requests) fits in the first's buffers; the third (the rest) does not.
    if (c === 1) assert.equal(got.cat.buffer, last!.buffer, 'reused');
    if (c === 2) assert.notEqual(got.cat.buffer, last!.buffer, 'grown');
    held = Math.max(held, got.cat.buffer.byteLength);
    last = got.cat;
  }
  assert.ok(held >= last!.byteLength);
});
