// Loss weighting (training.lossWeights) with any strategy: fixed domain weights and learned
// uncertainty weights.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scenario, rawScenario } from '../helpers/scenarios.js';
import { parseScenario } from '../../src/scenario/load.js';
import { selectBackend } from '../../src/tf/backend.js';
import { modelInputs } from '../../src/data/inputs.js';
import { fitStrategy } from '../../src/train/trainer.js';
import { strategy } from '../../src/models/registry.js';
import { Params } from '../../src/models/blocks.js';
import { priorOf } from '../../src/train/step.js';

test('a domain with loss weight 0 teaches its tower nothing; the others train', async () => {
  await selectBackend(process.env.CROSSAB_BACKEND ?? 'wasm');
  const s = scenario('tiny', (r) => {
    r.training.epochs = 1;
    r.training.lossWeights = { domains: { tail: 0 } };
  });
  const p = modelInputs(s, 3);
  // The initial values, from a model built with the same seed and names.
  const init = new Params(3, 'shared-bottom/');
  strategy('shared-bottom').create({ data: p.ds, config: s.training, params: init, prior: priorOf(p.ds, p.split.train) });
  const t = await fitStrategy(strategy('shared-bottom'), p.ds, p.split, p.history, s.training, 3);
  const tower = (ps: Params, d: number) => ps.list.filter((v) => v.name.includes(`/tower${d}/`));
  const same = (a: Params, b: Params, d: number) => tower(a, d).every((v, k) => Array.from(v.dataSync()).every((x, i) => x === tower(b, d)[k].dataSync()[i]));
  assert.ok(tower(t.params, 2).length > 0);
  assert.ok(same(t.params, init, 2), 'the tail tower (weight 0) is unchanged');
  assert.ok(!same(t.params, init, 0), 'the head tower trained');
  t.dispose();
  init.list.forEach((v) => v.dispose());
});

test('uncertainty weighting learns a log-variance per domain and task; unknown domains are refused', async () => {
  await selectBackend(process.env.CROSSAB_BACKEND ?? 'wasm');
  const s = scenario('tiny', (r) => {
    r.training.epochs = 2;
    r.training.lossWeights = { uncertainty: true };
  });
  const p = modelInputs(s, 4);
  const t = await fitStrategy(strategy('shared-bottom-esmm'), p.ds, p.split, p.history, s.training, 4);
  const logVar = t.params.list.filter((v) => /\/loss\/domain\d\/s_(click|conversion)/.test(v.name));
  assert.equal(logVar.length, 6, logVar.map((v) => v.name).join(', '));
  // Click losses (~0.3) are far below 1: minimising exp(−s)·L + s/2 drives s toward log(2L) < 0.
  for (const v of logVar) assert.notEqual(v.dataSync()[0], 0, `${v.name} did not train`);
  const head = logVar.find((v) => v.name.includes('/loss/domain0/s_click'))!;
  assert.ok(head.dataSync()[0] < -0.05, `${head.name} = ${head.dataSync()[0]}`);
  t.dispose();
  const raw = rawScenario('tiny');
  raw.training.lossWeights = { domains: { nowhere: 2 } };
  assert.throws(() => parseScenario(raw, 'tiny.json'), /training\.lossWeights\.domains\.nowhere: unknown domain 'nowhere'/);
});
