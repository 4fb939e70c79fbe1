// Off-policy evaluation of trained strategies on the tiny world's logged test period: the truth and
// the weights behave as their definitions say, a deterministic logger identifies nothing, and the
// offline ↔ online consistency rows cover every domain, signal and pair. One training per logger.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectBackend } from '../../src/tf/backend.js';
import { modelInputs } from '../../src/data/inputs.js';
import { offPolicy, trainAndEvaluate } from '../../src/experiment/steps.js';
import { SIGNALS } from '../../src/ope/consistency.js';
import { loggedPropensities } from '../../src/world/world.js';
import { scenario } from '../helpers/scenarios.js';

const names = ['separate', 'shared-bottom', 'star'];
const world = (policy: string) =>
  scenario('tiny', (r) => {
    r.traffic.loggingPolicy = policy;
    r.training.epochs = 1;
  });

async function evaluated(policy: string) {
  await selectBackend(process.env.CROSSAB_BACKEND ?? 'wasm');
  const p = modelInputs(world(policy), 7);
  const off = await trainAndEvaluate(p, names, 7);
  return { p, off, ope: await offPolicy(p, off, 'separate', 0.05) };
}

test('random logs: every estimate is identified, the reference has no lift, IPW weighs a k/n share of the rows, and the truth is each strategy’s own slates', async () => {
  const { p, ope } = await evaluated('random');
  const w = p.world;
  assert.equal(ope.logger, 'random');
  assert.ok(names.includes(ope.rewardModel));
  const rows = ope.rows.filter((r) => r.segment === 'all');
  assert.equal(rows.length, names.length * 9 * (1 + w.layout.domains.length));
  for (const r of rows) {
    assert.ok(r.identified && r.itemDeficiency === 0 && r.positionDeficiency === 0, `${r.strategy} ${r.estimator} ${r.domain}`);
    if (r.estimator !== 'sips') assert.ok(Number.isFinite(r.value), `${r.strategy} ${r.estimator} ${r.domain}: ${r.value}`);
    if (r.strategy === 'separate') {
      assert.equal(r.trueLift, 0);
      assert.equal(r.onlineTrueLift, 0);
      assert.equal(r.liftCovered, null);
    }
  }
  // Uniform logging: a matched item's weight is n/k, so the effective sample is the matched rows, ~k/n of them.
  w.layout.domains.forEach((d, k) => {
    const dom = w.scenario.domains[k];
    for (const s of names) {
      const ipw = rows.find((r) => r.strategy === s && r.domain === d && r.estimator === 'ipw')!;
      assert.ok(Math.abs(ipw.maxWeight - dom.candidates / dom.slate) < 1e-9, `${d}: max weight ${ipw.maxWeight}`);
      const share = dom.slate / dom.candidates;
      const sd = Math.sqrt((share * (1 - share)) / (ipw.requests * dom.slate));
      assert.ok(Math.abs(ipw.essShare - share) < 4 * sd, `${d} ${s}: ESS share ${ipw.essShare}, expected ${share} ± ${sd}`);
    }
  });
  // The logged propensities are the uniform ones.
  const prop = loggedPropensities(w, 0, 10);
  for (let r = 0; r < 10; r++) {
    const n = w.loggedRequests.candStart[r + 1] - w.loggedRequests.candStart[r];
    for (let a = w.loggedRow[r]; a < w.loggedRow[r + 1]; a++) assert.equal(prop.itemPosition[a], 1 / n);
  }
  // Consistency: every domain and 'all', every signal, every pair.
  const domains = ['all', ...w.layout.domains];
  assert.equal(ope.consistency.signals.length, domains.length * SIGNALS.length);
  assert.equal(ope.consistency.pairs.length, domains.length * SIGNALS.length * 3);
  for (const c of ope.consistency.signals) assert.ok(names.includes(c.onlineWinner) && c.regret >= 0, JSON.stringify(c));
});

test('a deterministic logger identifies nothing: every weighting estimator is NaN and flagged, DM keeps its model-only number', async () => {
  const { ope } = await evaluated('top-popularity');
  for (const r of ope.rows.filter((x) => x.segment === 'all')) {
    assert.equal(r.identified, false, `${r.strategy} ${r.estimator} ${r.domain}`);
    assert.ok(r.itemDeficiency > 0);
    if (r.estimator === 'dm') assert.ok(Number.isFinite(r.value));
    else assert.ok(Number.isNaN(r.value) && r.covered === null, `${r.strategy} ${r.estimator}: ${r.value}`);
  }
});
