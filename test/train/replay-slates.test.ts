import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectBackend } from '../../src/tf/backend.js';
import { modelInputs } from '../../src/data/inputs.js';
import { fitStrategy } from '../../src/train/trainer.js';
import { strategy } from '../../src/models/registry.js';
import { chooseSlates, interleaveSlates } from '../../src/train/replay-slates.js';
import { REPLAY_CHUNK, replayChunks } from '../../src/world/world.js';
import { silent } from '../../src/util/events.js';
import { scenario } from '../helpers/scenarios.js';

test("a streamed replay's slates: every slot an offset into its request's candidates, no item twice in a slate; shards rank their chunks and together give the whole replay's slates", async () => {
  await selectBackend(process.env.CROSSAB_BACKEND ?? 'wasm');
  const s = scenario('tiny', (r) => {
    r.training.epochs = 1;
    r.traffic.replayRequests = 2 * REPLAY_CHUNK + 500;
    r.traffic.streamReplay = true;
  });
  const p = modelInputs(s, 2);
  const t = await fitStrategy(strategy('shared-bottom'), p.ds, p.split, p.history, s.training, 2);
  try {
    const whole = chooseSlates(p, t, 'shared-bottom', silent);
    assert.equal(whole.slateChunks.length, 3);
    assert.equal(
      whole.slateChunks.reduce((a, b) => a + b, 0),
      whole.slates.length,
    );
    // The first chunk's first requests, read against the chunk's own draw.
    const { rq } = replayChunks(p.world).next().value!;
    let at = 0;
    for (let r = 0; r < 200; r++) {
      const n = rq.candStart[r + 1] - rq.candStart[r];
      const slate = s.domains[rq.domain[r]].slate;
      const picked = [...whole.slates.subarray(at, at + slate)];
      at += slate;
      assert.ok(
        picked.every((o) => o < n),
        `request ${r}: offsets within its ${n} candidates`,
      );
      assert.equal(new Set(picked).size, slate, 'no item twice');
    }
    const shards = [0, 1].map((index) => chooseSlates(p, t, 'shared-bottom', silent, { index, count: 2 }));
    assert.deepEqual([...shards[0].slateChunks], [whole.slateChunks[0], 0, whole.slateChunks[2]]);
    assert.deepEqual([...shards[1].slateChunks], [0, whole.slateChunks[1], 0]);
    const c0 = whole.slateChunks[0];
    const c1 = whole.slateChunks[1];
    assert.deepEqual(shards[0].slates, Uint16Array.from([...whole.slates.subarray(0, c0), ...whole.slates.subarray(c0 + c1)]));
    assert.deepEqual(shards[1].slates, whole.slates.slice(c0, c0 + c1));
    assert.deepEqual(interleaveSlates(shards), whole, 'the shards interleaved are the whole replay');
  } finally {
    t.dispose();
  }
});

test('interleaveSlates: chunks back in order from the part that ranked each; a chunk ranked twice or never is an error', () => {
  // Four chunks of 2, 1, 3 and 2 slots; part 0 ranked chunks 0 and 2, part 1 chunks 1 and 3.
  const a = { slates: Uint16Array.from([1, 2, 5, 6, 7]), slateChunks: [2, 0, 3, 0] };
  const b = { slates: Uint16Array.from([3, 8, 9]), slateChunks: [0, 1, 0, 2] };
  assert.deepEqual(interleaveSlates([a, b]), { slates: Uint16Array.from([1, 2, 3, 5, 6, 7, 8, 9]), slateChunks: Int32Array.from([2, 1, 3, 2]) });
  assert.deepEqual(interleaveSlates([b, a]).slates, Uint16Array.from([1, 2, 3, 5, 6, 7, 8, 9]), 'the parts in any order');
  assert.throws(() => interleaveSlates([a, a]), /chunk 0 ranked by parts 0 and 1/);
  assert.throws(() => interleaveSlates([a]), /no part ranked chunk 1/);
  assert.throws(() => interleaveSlates([a, { ...b, slateChunks: [0, 1, 0] }]), /part 1 has 3 chunks, part 0 4/);
});
