// Training: the validation signal (mean per-domain AUC),
// and early stopping that keeps the best epoch — its weights restored, so the trained model scores
// the validation rows exactly as that epoch did; a per-domain strategy stops each domain on its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectBackend } from '../../src/tf/backend.js';
import { modelInputs } from '../../src/data/inputs.js';
import { fitStrategy, meanDomainAuc } from '../../src/train/trainer.js';
import { strategy } from '../../src/models/registry.js';
import { auc } from '../../src/metrics/auc.js';
import type { Dataset } from '../../src/data/dataset.js';
import type { ProgressEvent } from '../../src/util/events.js';
import { scenario } from '../helpers/scenarios.js';

test('meanDomainAuc: the mean of the domains’ AUCs, a domain with one class left out', () => {
  const ds = { domains: 3, domain: Uint8Array.from([0, 0, 0, 0, 1, 1, 2, 2]), click: Uint8Array.from([1, 0, 1, 0, 1, 0, 0, 0]) } as unknown as Dataset;
  const scores = Float32Array.from([0.9, 0.1, 0.2, 0.8, 0.3, 0.7, 0.5, 0.6]);
  const rows = Int32Array.from({ length: 8 }, (_, k) => k);
  const expected = (auc(scores, ds.click, Int32Array.from([0, 1, 2, 3])) + auc(scores, ds.click, Int32Array.from([4, 5]))) / 2;
  assert.equal(meanDomainAuc(ds, scores, rows), expected);
  assert.equal(expected, (0.75 + 0) / 2, 'domain 0: 3 of 4 pairs ordered; domain 1: none');
});

test('fitStrategy keeps the best epoch: the trained model scores the validation rows as that epoch did; patience stops it', async () => {
  await selectBackend(process.env.CROSSAB_BACKEND ?? 'wasm');
  const s = scenario('tiny', (r) => {
    r.training.epochs = 6;
    r.training.patience = 1;
    r.training.learningRate = 0.03;
  });
  const p = modelInputs(s, 3);
  const events: ProgressEvent[] = [];
  const t = await fitStrategy(strategy('shared-bottom'), p.ds, p.split, p.history, s.training, 3, (e) => events.push(e));
  try {
    const aucs = t.curve.map((c) => c.validAuc);
    const best = aucs.indexOf(Math.max(...aucs)) + 1;
    assert.equal(t.bestEpoch, best, `curve ${aucs.map((a) => a.toFixed(4))}`);
    // Stopped one epoch after the last improvement, or ran them all.
    assert.ok(t.curve.length === s.training.epochs || t.curve.length === best + 1, `${t.curve.length} epochs run, best ${best}`);
    assert.equal(meanDomainAuc(p.ds, t.predict(p.split.valid).click, p.split.valid), aucs[best - 1], 'the best epoch’s weights, restored');
    const end = events.find((e) => e.type === 'strategy' && e.status === 'end') as Extract<ProgressEvent, { type: 'strategy' }>;
    assert.deepEqual(end.kept, [{ domain: null, epoch: best, ran: t.curve.length, validAuc: aucs[best - 1] }]);
    assert.equal(events.filter((e) => e.type === 'epoch').length, t.curve.length);
  } finally {
    t.dispose();
  }
});

test('a per-domain strategy trains and stops each domain on its own validation rows, smaller domains for more epochs', async () => {
  await selectBackend(process.env.CROSSAB_BACKEND ?? 'wasm');
  const s = scenario('tiny', (r) => {
    r.training.epochs = 2;
  });
  const p = modelInputs(s, 3);
  const t = await fitStrategy(strategy('separate'), p.ds, p.split, p.history, s.training, 3);
  try {
    const domains = p.ds.domainNames;
    const runs = domains.map((d) => t.curve.filter((c) => c.domain === d).length);
    assert.ok(
      runs.every((n) => n >= 1),
      `${runs}`,
    );
    // The head domain (most rows) runs the configured epochs at most; the tail domain, scaled up, runs more.
    assert.ok(runs[0] <= s.training.epochs && runs[2] > s.training.epochs, `epochs run per domain: ${runs}`);
  } finally {
    t.dispose();
  }
});
