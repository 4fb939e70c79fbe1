// shared-private: features every domain logs are embedded in one shared space, the rest in a space
// private to each domain. So a domain's output moves with its own private table and the shared one,
// and never with another domain's private table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/tf/backend.js';
import { modelInputs } from '../../src/data/inputs.js';
import { makeBatch } from '../../src/data/dataset.js';
import { Params } from '../../src/models/blocks.js';
import { sharedPrivate } from '../../src/models/shared-private.js';
import { scenario } from '../helpers/scenarios.js';

test("a domain reads the shared table and its own private one, never another domain's", async () => {
  await selectBackend('wasm');
  const p = modelInputs(scenario('tiny'), 7);
  assert.ok(Array.from(p.ds.commonCat).includes(0) && Array.from(p.ds.commonCat).includes(1), 'tiny has common and private fields');
  const params = new Params(61);
  const model = sharedPrivate.create({ data: p.ds, config: p.world.scenario.training, params, prior: { click: [-2, -2, -2], clickAll: -2.2, cvr: [0, 0, 0] } });
  const table = (name: string) => params.list.find((v) => v.name.startsWith(`${name}#`))!;
  const b = makeBatch(
    p.ds,
    Array.from(p.split.test)
      .filter((r) => p.ds.domain[r] === 1)
      .slice(0, 30),
    1,
  );
  const out = () => Array.from(model.forward(b, false).click.dataSync());
  const base = out();
  const nudge = (name: string) => {
    const v = table(name);
    v.assign(tf.add(v, tf.randomNormal(v.shape, 0, 0.5, 'float32', 3)));
  };
  nudge('private0/table');
  nudge('private2/table');
  assert.deepEqual(out(), base, "other domains' private tables do not reach domain 1");
  nudge('private1/table');
  const own = out();
  assert.ok(
    own.some((v, i) => Math.abs(v - base[i]) > 1e-4),
    'its own private table does',
  );
  nudge('emb/table');
  assert.ok(
    out().some((v, i) => Math.abs(v - own[i]) > 1e-4),
    'the shared table does',
  );
});
