import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { scenario } from '../helpers/scenarios.js';
import { metric, offlineOverSeeds } from '../helpers/offline.js';
import { selectBackend } from '../../src/tf/backend.js';
import { modelInputs } from '../../src/data/inputs.js';
import { fitStrategy } from '../../src/train/trainer.js';
import { STRATEGIES, checkScenarioStrategies, strategy, strategySettings } from '../../src/models/registry.js';
import { STRATEGY_SETTINGS } from '../../src/models/model.js';
import { Params } from '../../src/models/blocks.js';
import { priorOf } from '../../src/train/step.js';
import { domainBatch } from '../helpers/models.js';

const ALL = STRATEGIES.map((s) => s.name);

test('every strategy lands between a constant per-domain CTR and the oracle, overall and per domain', async () => {
  // The tail gets 20% here (not tiny's 10%): ~300 test impressions made a single domain's AUC too noisy to bound.
  const s = scenario('tiny', (r) => {
    r.traffic.requests = 8000;
    r.domains[0].share = 0.5;
    r.domains[2].share = 0.2;
  });
  const [res] = await offlineOverSeeds(s, ALL, [5]);
  for (const name of ALL) {
    const overall = metric(res, name, 'overall', 'all');
    assert.ok(overall < metric(res, 'oracle', 'overall', 'all'), `${name} beats the oracle overall`);
    assert.ok(overall > metric(res, 'constant', 'overall', 'all') + 0.05, `${name} overall ${overall}`);
    for (const d of ['head', 'mid', 'tail']) {
      const a = metric(res, name, 'domain', d);
      assert.ok(a < metric(res, 'oracle', 'domain', d), `${name} beats the oracle on ${d}`);
      assert.ok(a > 0.55, `${name} on ${d}: ${a}`);
    }
  }
  // Conversion models report conversion metrics (pCTCVR against the conversion label).
  const oracleConv = res.oracle.rows.find((r) => r.target === 'conversion' && r.scope === 'overall')!.auc;
  for (const name of ['shared-bottom-esmm', 'ple-esmm', 'aitm']) {
    const conv = res.strategies[name].rows.find((r) => r.target === 'conversion' && r.scope === 'overall')!;
    assert.ok(conv.auc > 0.6 && conv.auc < oracleConv, `${name} conversion AUC ${conv.auc}`);
  }
});

test('no tensor leaks: tf.memory().numTensors is the same after the 2nd and the last epoch', async () => {
  await selectBackend(process.env.CROSSAB_BACKEND ?? 'wasm');
  const s = scenario('tiny', (r) => {
    r.training.epochs = 4;
    r.training.patience = 10;
  });
  const p = modelInputs(s, 2);
  for (const name of ALL) {
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    const t = await fitStrategy(strategy(name), p.ds, p.split, p.history, s.training, 2, (e) => {
      if (e.type === 'epoch') counts.push(tf.memory().numTensors);
    });
    assert.ok(counts.length >= 3, `${name}: ${counts.length} epochs`);
    assert.equal(counts[counts.length - 1], counts[1], `${name}: tensors per epoch ${counts}`);
    t.dispose();
    assert.equal(tf.memory().numTensors, before, `${name}: tensors left after dispose`);
  }
});

test('a scenario naming a strategy this build does not train is refused at load, with the field and the likely intended name', () => {
  const refuse = (edit: (r: any) => void) => {
    try {
      checkScenarioStrategies(scenario('tiny', edit), 'x.json');
      return null;
    } catch (e) {
      return (e as Error).message;
    }
  };
  assert.equal(
    refuse(() => {}),
    null,
  );
  assert.match(refuse((r) => (r.strategies = ['separate', 'mmoee']))!, /^x\.json: strategies\[1\]: unknown strategy 'mmoee' \(did you mean 'mmoe'\?\)/);
  assert.match(
    refuse((r) => {
      r.abtest.arms = ['seperate', 'shared-bottom'];
      r.abtest.control = 'seperate';
    })!,
    /abtest\.arms\[0\]: unknown strategy 'seperate' \(did you mean 'separate'\?\)/,
  );
  assert.match(refuse((r) => (r.abtest.arms = ['separate', 'xgboost']))!, /abtest\.arms\[1\]: unknown strategy 'xgboost'; known: /);
  // A policy arm names itself, not a strategy; an explore policy's strategy must be one.
  assert.equal(
    refuse((r) => {
      r.abtest.arms = ['separate', 'random'];
      r.abtest.policies = { random: { kind: 'uniform' } };
    }),
    null,
  );
  assert.match(
    refuse((r) => {
      r.abtest.arms = ['separate', 'wide'];
      r.abtest.policies = { wide: { kind: 'explore', strategy: 'shared_bottom', temperature: 0.5 } };
    })!,
    /abtest\.policies\.wide\.strategy: unknown strategy 'shared_bottom' \(did you mean 'shared-bottom'\?\)/,
  );
  assert.throws(() => strategy('plee'), /unknown strategy 'plee' \(did you mean 'ple'\?\)/);
});

test("each strategy declares exactly the strategy-specific settings it reads (so `crossab strategies --settings` cannot drift), each with its schema's doc line", async () => {
  await selectBackend(process.env.CROSSAB_BACKEND ?? 'wasm');
  const s = scenario('tiny');
  const p = modelInputs(s, 2);
  for (const info of STRATEGIES) {
    const read = new Set<string>();
    const config = new Proxy(s.training, {
      get(t, k) {
        if (typeof k === 'string' && (STRATEGY_SETTINGS as readonly string[]).includes(k)) read.add(k);
        return Reflect.get(t, k);
      },
    });
    const params = new Params(2, `${info.name}/`);
    const model = info.create({ data: p.ds, config, params, prior: priorOf(p.ds, p.split.train) });
    tf.tidy(() => {
      model.forward(domainBatch(p, 0, 8), true);
    });
    tf.dispose([...params.list, ...params.state]);
    assert.deepEqual([...read].sort(), [...(info.settings ?? [])].sort(), info.name);
    for (const x of strategySettings(info)) assert.ok(x.doc.length > 10, `${info.name}: training.${x.field} has no doc line`);
  }
});
