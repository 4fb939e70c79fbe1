// Admission before anything is generated: an oversized scenario is refused with the field to change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { admit } from '../../src/experiment/budget.js';
import { worldFootprint } from '../../src/world/footprint.js';
import { scenario } from '../helpers/scenarios.js';

test('admit names the field behind an oversized world: users for the A/B sums, requests for the impressions', () => {
  const old = process.env.CROSSAB_MEMORY_LIMIT;
  process.env.CROSSAB_MEMORY_LIMIT = '2G';
  try {
    const plan = { strategies: ['shared-bottom'], arms: 2, copies: 1, workers: 1, backend: 'wasm' as const };
    admit(scenario('tiny'), plan, 'tiny.json');
    assert.throws(
      () =>
        admit(
          scenario('tiny', (r) => {
            r.users.count = 5_000_000;
          }),
          plan,
          'tiny.json',
        ),
      /tiny\.json: users\.count: this run needs ~\d+\.\d+ GB/,
    );
    assert.throws(
      () =>
        admit(
          scenario('tiny', (r) => {
            r.traffic.requests = 20_000_000;
          }),
          plan,
          'tiny.json',
        ),
      /tiny\.json: traffic\.requests: .*over the 2\.00 GB allowed here/,
    );
    process.env.CROSSAB_MEMORY_LIMIT = 'lots';
    assert.throws(() => admit(scenario('tiny'), plan, 'tiny.json'), /CROSSAB_MEMORY_LIMIT must be a size such as 4G/);
  } finally {
    if (old === undefined) delete process.env.CROSSAB_MEMORY_LIMIT;
    else process.env.CROSSAB_MEMORY_LIMIT = old;
  }
});

test("a replay too large to hold is admitted when it streams (its cost is the slates, not the candidates); held, it is refused naming the replay's candidates, not the logged impressions", () => {
  const old = process.env.CROSSAB_MEMORY_LIMIT;
  process.env.CROSSAB_MEMORY_LIMIT = '20G';
  try {
    const plan = { strategies: ['shared-bottom'], arms: 2, copies: 3, workers: 2, backend: 'wasm' as const };
    // The case: the default's training traffic, 6M users and 18M replay requests (~640M candidates).
    const big = (streamReplay?: boolean) =>
      scenario('default', (r) => {
        r.users.count = 6_000_000;
        r.traffic.replayRequests = 18_000_000;
        if (streamReplay !== undefined) r.traffic.streamReplay = streamReplay;
      });
    admit(big(), plan, 'big.json');
    assert.throws(
      () => admit(big(false), plan, 'big.json'),
      /big\.json: traffic\.replayRequests: 639,000,000 replay candidates × 14 features is more than one array can hold .*let the replay stream/,
    );
    const w = worldFootprint(big());
    assert.equal(w.streamed, true);
    // Per replay request: 13 bytes of who, where and when, and per arm 10 bytes a slot (3.95 slots a request by the traffic mix) + 16.
    const expected = 18_000_000 * (13 + 2 * (3.95 * 10 + 16));
    assert.ok(Math.abs(w.servedBytes / expected - 1) < 1e-9, `${w.servedBytes} vs ${expected}`);
    assert.equal(w.byField['traffic.replayRequests'], 0);
    assert.equal(worldFootprint(scenario('default')).streamed, false);
  } finally {
    if (old === undefined) delete process.env.CROSSAB_MEMORY_LIMIT;
    else process.env.CROSSAB_MEMORY_LIMIT = old;
  }
});

test('a model too large for the wasm heap is sized on the node backend too: refused where its native memory would not fit, admitted where it would', () => {
  const old = process.env.CROSSAB_MEMORY_LIMIT;
  // The tiny world with a million-value feature: ~1 GB of wasm heap for its 31 MB embedding table, ~2 GB natively on node.
  const big = scenario('tiny', (r) => {
    r.features[1].vocab = 1_000_000;
  });
  // Five such features (0.48 GB of tables): over what the wasm heap can address at all.
  const huge = scenario('tiny', (r) => {
    for (const i of [0, 1, 2, 4, 5]) r.features[i].vocab = 1_000_000;
    r.training.embeddingDim = 24;
  });
  const plan = (backend: 'wasm' | 'node') => ({ strategies: ['shared-bottom'], arms: 0, copies: 1, workers: 1, backend });
  try {
    process.env.CROSSAB_MEMORY_LIMIT = '2G';
    admit(big, plan('wasm'), 'big.json');
    assert.throws(
      () => admit(big, plan('node'), 'big.json'),
      /big\.json: features\[1\]\.vocab: this run needs ~2\.\d\d GB of memory \(the models being trained\), over the 2\.00 GB/,
    );
    process.env.CROSSAB_MEMORY_LIMIT = '4G';
    admit(big, plan('node'), 'big.json');
    process.env.CROSSAB_MEMORY_LIMIT = '19G';
    assert.throws(() => admit(huge, plan('wasm'), 'huge.json'), /on the wasm backend needs ~14\.\d GB of heap .* or use --backend node/);
    assert.throws(
      () => admit(huge, plan('node'), 'huge.json'),
      /huge\.json: features\[0\]\.vocab: this run needs ~2\d\.\d GB of memory \(the models being trained\), over the 19\.0 GB/,
    );
  } finally {
    if (old === undefined) delete process.env.CROSSAB_MEMORY_LIMIT;
    else process.env.CROSSAB_MEMORY_LIMIT = old;
  }
});

test("a test between two strategies' retrained arms: the treatment's worker holds both models, and admission counts them together", () => {
  const s = (test: boolean) =>
    scenario('tiny', (r) => {
      r.features[1].vocab = 1_000_000;
      r.training.embeddingDim = 8;
      r.abtest = { arms: ['shared-bottom', 'separate'], control: 'separate' };
      r.feedback = { arms: 'retrain', ...(test ? { test: { treatment: 'shared-bottom', control: 'separate' } } : {}) };
    });
  const plan = { strategies: ['separate', 'shared-bottom'], arms: 2, copies: 1, workers: 2, backend: 'wasm' as const };
  // Each model's heap is about 1 GB, under the wasm limit alone; the two in one worker are over it.
  admit(s(false), plan, 'pair.json');
  assert.throws(
    () => admit(s(true), plan, 'pair.json'),
    /pair\.json: features\[1\]\.vocab: training 'shared-bottom with separate' \(feedback\.test's control, trained again in the treatment's worker\) on the wasm backend needs ~2\.\d+ GB of heap/,
  );
});
