import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCandidateDataset, buildDataset } from '../../src/data/dataset.js';
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
