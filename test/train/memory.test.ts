// Memory known before training: the shapes-only model has exactly the real model's variables, and
// the wasm heap estimate refuses, naming the vocabulary, what the heap cannot hold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/tf/backend.js';
import { Params } from '../../src/models/blocks.js';
import { STRATEGIES } from '../../src/models/registry.js';
import { modelFootprint, modelShape, WASM_HEAP_LIMIT } from '../../src/train/memory.js';
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
