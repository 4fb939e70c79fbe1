// Memory known before training: the shapes-only model has exactly the real model's variables, the
// refusal names the field to change, and a worker whose heap grew large is replaced without
// changing a single number.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/tf/backend.js';
import { Params } from '../../src/models/blocks.js';
import { STRATEGIES } from '../../src/models/registry.js';
import { modelFootprint, modelShape, WASM_HEAP_LIMIT } from '../../src/train/memory.js';
import { TrainingPool, trainAll } from '../../src/train/parallel.js';
import { trainingInputs } from '../../src/data/inputs.js';
import { generateWorld } from '../../src/world/world.js';
import { buildLayout } from '../../src/world/layout.js';
import { admit } from '../../src/experiment/budget.js';
import { scenario } from '../helpers/scenarios.js';

test('a shapes-only model has the same variables (names aside from their counter, shapes) as the real one, for every strategy', async () => {
  await selectBackend('cpu');
  const s = scenario('tiny');
  const layout = buildLayout(s);
  const prior = { click: s.domains.map(() => -2), clickAll: -2, cvr: s.domains.map(() => -2) };
  const strip = (vs: tf.Variable[]) => vs.map((v) => `${v.name.replace(/#\d+$/, '')} ${v.shape.join('x')}`);
  for (const info of STRATEGIES) {
    const real = new Params(1, `${info.name}/`);
    info.create({ data: modelShape(layout), config: s.training, params: real, prior });
    const dry = new Params(1, `${info.name}/`, true);
    info.create({ data: modelShape(layout), config: s.training, params: dry, prior });
    assert.deepEqual(strip(dry.list), strip(real.list), info.name);
    assert.deepEqual(strip(dry.state), strip(real.state), info.name);
    const bytes = [...real.list, ...real.state].reduce((a, v) => a + 4 * v.size, 0);
    assert.equal(modelFootprint(s, info.name, layout).heldBytes, bytes, info.name);
    tf.dispose([...real.list, ...real.state]);
  }
});

test('the wasm heap estimate grows with the embedding table and refuses, naming the vocabulary, what the heap cannot hold', () => {
  const s = scenario('tiny', (r) => {
    r.features[1].vocab = 1_000_000;
    r.features[2].vocab = 1_000_000;
    r.features[4].vocab = 1_000_000;
  });
  const m = modelFootprint(s, 'shared-bottom');
  // 3,000,363 rows × 8 × 4 bytes: measured to fault (the heap passed ~2.2 GB); 2,000,346 rows trained at 1.75 GB.
  assert.ok(m.wasmHeapBytes > WASM_HEAP_LIMIT, `${m.wasmHeapBytes}`);
  assert.ok(
    modelFootprint(
      scenario('tiny', (r) => {
        r.features[1].vocab = 1_000_000;
      }),
      'shared-bottom',
    ).wasmHeapBytes < WASM_HEAP_LIMIT,
  );
  assert.throws(
    () => admit(s, { strategies: ['shared-bottom'], arms: 0, copies: 1, workers: 1, backend: 'wasm' }, 'tiny.json'),
    /^Error: tiny\.json: features\[1\]\.vocab: training 'shared-bottom' on the wasm backend needs ~\d\.\d\d GB of heap/,
  );
  // Off the wasm heap the same model is only its variables a few times over.
  admit(s, { strategies: ['shared-bottom'], arms: 0, copies: 1, workers: 1, backend: 'cpu' }, 'tiny.json');
});

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

test('a worker past the heap bound is replaced after its task, and the results are the same as without replacement', async () => {
  const s = scenario('tiny', (r) => {
    r.training.epochs = 1;
    r.traffic.requests = 1500;
  });
  const p = trainingInputs(generateWorld(s, 3));
  const names = ['separate', 'shared-bottom', 'mmoe'];
  const run = async (recycle: number) => {
    const pool = new TrainingPool(1, 'wasm', recycle);
    try {
      const out = await trainAll(p, names, 3, { workers: 1, backend: 'wasm', candidates: new Set(), pool }, () => {});
      return { replacements: pool.replacements, test: out.map((t) => Array.from(t.test.click.slice(0, 200))) };
    } finally {
      await pool.close();
    }
  };
  const kept = await run(Number.MAX_SAFE_INTEGER);
  const replaced = await run(1);
  assert.equal(kept.replacements, 0);
  assert.equal(replaced.replacements, names.length);
  assert.deepEqual(replaced.test, kept.test);
});
