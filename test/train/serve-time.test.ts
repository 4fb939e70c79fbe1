import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectBackend } from '../../src/tf/backend.js';
import { candidatesOf, modelInputs } from '../../src/data/inputs.js';
import { fitStrategy } from '../../src/train/trainer.js';
import { strategy } from '../../src/models/registry.js';
import { SERVE_CHUNK, serveWhileAdapting } from '../../src/train/serve-time.js';
import type { MamlModel } from '../../src/models/maml.js';
import { scenario } from '../helpers/scenarios.js';

test('maml-serve trains as maml does, serves the first chunk as maml scores it, and adapts later requests on the impressions it served', async () => {
  await selectBackend(process.env.CROSSAB_BACKEND ?? 'wasm');
  const s = scenario('tiny', (r) => {
    r.training.epochs = 1;
    r.users.count = 300;
    r.traffic.replayRequests = 1200;
  });
  const p = modelInputs(s, 4);
  const plain = await fitStrategy(strategy('maml'), p.ds, p.split, p.history, s.training, 4);
  const serving = await fitStrategy(strategy('maml-serve'), p.ds, p.split, p.history, s.training, 4);
  try {
    const cds = candidatesOf(p);
    const all = Int32Array.from({ length: cds.n }, (_, k) => k);
    const before = plain.score(cds, all).click;
    assert.deepEqual(serving.score(cds, all).click, before, 'same training, same weights');
    const served = serveWhileAdapting(p, serving.model as MamlModel, cds, 'maml-serve', 4);
    assert.deepEqual(serveWhileAdapting(p, serving.model as MamlModel, cds, 'maml-serve', 4).scores, served.scores, 'deterministic');
    assert.equal(served.chunks, Math.ceil(p.world.replay!.n / SERVE_CHUNK));
    const rq = p.world.replay!;
    // The first chunk has only the logged history to adapt on: maml's own scores (to float32 rounding of a batched pass).
    for (let k = 0; k < rq.candStart[SERVE_CHUNK]; k++) assert.ok(Math.abs(served.scores[k] - before[k]) < 1e-5, `candidate ${k}`);
    // A user's later requests see what was served to them in earlier chunks: their scores move.
    const firstChunk = new Set(Array.from(rq.user.subarray(0, SERVE_CHUNK)));
    let moved = 0;
    let later = 0;
    for (let r = 2 * SERVE_CHUNK; r < rq.n; r++) {
      if (!firstChunk.has(rq.user[r])) continue;
      later++;
      for (let k = rq.candStart[r]; k < rq.candStart[r + 1]; k++) if (Math.abs(served.scores[k] - before[k]) > 1e-4) moved++;
    }
    assert.ok(later > 20, `only ${later} later requests by first-chunk users`);
    assert.ok(moved > later, `only ${moved} candidate scores moved over ${later} requests`);
  } finally {
    plain.dispose();
    serving.dispose();
  }
});
