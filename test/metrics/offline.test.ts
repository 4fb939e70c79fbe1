// Offline evaluation's scopes and rows on the tiny world's test period: the scopes partition the test
// rows as they say, each row's AUC is the AUC of exactly its scope's rows, a constant per domain has
// AUC 0.5 inside every domain and its training CTR as its prediction, and the oracle is the ceiling.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { modelInputs } from '../../src/data/inputs.js';
import { aucWithSe } from '../../src/metrics/auc.js';
import { constantPredictions, evaluate, groupsOf, oraclePredictions } from '../../src/metrics/offline.js';
import { scenario } from '../helpers/scenarios.js';

const p = modelInputs(scenario('tiny'), 7);
const { world: w, ds, split } = p;
const groups = groupsOf(w, ds, split.test);
const sorted = (a: Int32Array) => Array.from(a).sort((x, y) => x - y);

test('the scopes: domains, the head/tail groups and the user segments each partition the test rows', () => {
  const all = sorted(split.test);
  for (const scope of ['domain', 'domain_group', 'user_segment'] as const) {
    const parts = groups.filter((g) => g.scope === scope).flatMap((g) => Array.from(g.rows));
    assert.deepEqual(
      parts.sort((x, y) => x - y),
      all,
      scope,
    );
  }
  for (const g of groups.filter((x) => x.scope === 'domain')) {
    const d = w.layout.domains.indexOf(g.key);
    assert.ok(
      Array.from(g.rows).every((r) => ds.domain[r] === d),
      g.key,
    );
  }
});

test("each row's AUC is its scope's; a constant per domain ranks nothing inside a domain and predicts the training CTR; the oracle beats it", () => {
  const oracle = evaluate('oracle', oraclePredictions(w), w, ds, split.test, groups);
  for (const g of groups) {
    const row = oracle.rows.find((r) => r.target === 'click' && r.scope === g.scope && r.key === g.key)!;
    assert.equal(row.auc, aucWithSe(oraclePredictions(w).click, ds.click, g.rows).auc, `${g.scope} ${g.key}`);
    assert.equal(row.n, g.rows.length);
  }
  const constant = constantPredictions(ds, split.train);
  const floor = evaluate('constant', constant, w, ds, split.test, groups);
  w.layout.domains.forEach((name, d) => {
    assert.equal(floor.auc[name], 0.5, `${name}: every prediction tied`);
    const train = Array.from(split.train).filter((r) => ds.domain[r] === d);
    const ctr = train.reduce((a, r) => a + ds.click[r], 0) / train.length;
    const row = floor.rows.find((r) => r.scope === 'domain' && r.key === name && r.target === 'click')!;
    assert.ok(Math.abs(row.predicted - ctr) < 1e-6, `${name}: predicted ${row.predicted} vs ${ctr}`);
    assert.ok(oracle.auc[name] > 0.5, `${name}: the oracle ranks`);
  });
  assert.ok(oracle.logloss < floor.logloss, 'the true probabilities have the smaller log loss');
});
