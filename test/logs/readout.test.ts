// The readout of an imported log: the A/B test by the decision engine with the unit said plainly,
// and the off-policy estimates of BTS from the random log beside BTS's own CTR.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crossab } from '../helpers/cli.js';
import { root } from '../helpers/scenarios.js';

const fixture = join(root, 'test/fixtures/obd');
const files = ['random/men/men.csv', 'random/women/women.csv', 'bts/men/men.csv', 'bts/women/women.csv'].map((f) => join(fixture, f));
const policy = (name: string) => join(root, 'scenarios/logs', name);

test('the OBD excerpt read as an A/B test and an off-policy check, under both ways of getting BTS’s probabilities', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossab-readout-'));
  const db = join(dir, 'store.duckdb');
  assert.equal(crossab(['import', ...files, '--map', policy('obd.map.json'), '--db', db]).code, 0);
  const r = crossab(['readout', 'obd', '--db', db, '--json', '--policy', `${policy('obd-bts-prior.policy.json')},${policy('obd-bts-empirical.policy.json')}`]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.unit, 'row');
  assert.equal(out.noun, 'displays');
  assert.match(out.assumes, /no user id/);
  assert.deepEqual(
    out.decisions.map((d: { domain: string; decision: string }) => `${d.domain}:${d.decision}`),
    ['men:not enough data', 'women:not enough data'],
  );
  // 200 displays per arm and domain; the looks are the log's days.
  const men = out.ab.results.filter((x: { domain: string }) => x.domain === 'men');
  assert.deepEqual(
    men.map((x: { impressions: number }) => x.impressions),
    [200, 200],
  );
  assert.ok(out.lookTimes.length >= 1 && out.lookTimes.every((t: string) => t.startsWith('2019-11-2')));
  // 2 policies × (2 domains + all) × 4 estimators, each graded against BTS's own CTR in the excerpt.
  assert.equal(out.counterfactual.length, 24);
  const bts = crossab(['query', "SELECT domain, avg(click) AS ctr FROM log_rows WHERE arm = 'bts' GROUP BY ALL ORDER BY 1", '--db', db, '--json']);
  const truth = Object.fromEntries(JSON.parse(bts.stdout).map((x: { domain: string; ctr: number }) => [x.domain, x.ctr]));
  for (const c of out.counterfactual) {
    if (c.domain !== 'all') assert.ok(Math.abs(c.onPolicy - truth[c.domain]) < 1e-12, `${c.domain}`);
    assert.ok(c.essShare > 0 && c.essShare <= 1 && c.maxWeight > 0);
  }
  // The random logger's weights are π_e·34 on men: the prior's largest is below 34.
  const ipw = out.counterfactual.find(
    (c: { policy: string; domain: string; estimator: string }) => c.policy.endsWith('prior.policy.json') && c.domain === 'men' && c.estimator === 'ipw',
  );
  assert.ok(ipw.maxWeight > 1 && ipw.maxWeight < 34, `${ipw.maxWeight}`);
});

test('readout refuses what it cannot read in one line: an unknown dataset, a policy for an arm the log lacks, an unknown method', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossab-readout-bad-'));
  const db = join(dir, 'store.duckdb');
  assert.equal(crossab(['import', ...files, '--map', policy('obd.map.json'), '--db', db]).code, 0);
  const one = (args: string[], says: RegExp) => {
    const r = crossab(['readout', ...args, '--db', db]);
    assert.equal(r.code, 2, r.stdout);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, says);
  };
  one(['nope'], /no imported dataset 'nope' in the store \(it has: obd\)/);
  const stray = join(dir, 'x.policy.json');
  writeFileSync(stray, JSON.stringify({ kind: 'empirical', arm: 'egreedy' }));
  one(['obd', '--policy', stray], /arm 'egreedy' is not in dataset 'obd' \(arms: bts, random\)/);
  one(['obd', '--method', 'bayes'], /--method must be one of plain, cuped, sequential/);
  writeFileSync(stray, JSON.stringify({ kind: 'thompson-prior', arm: 'bts', domains: { men: { alpha: [1, 2], beta: [3, 4] } } }));
  one(['obd', '--policy', stray], /domain 'men' has item '2' that the policy does not name/);
});

test('a strategy as the target: its slates in a world fitted to the log (run --policy-out) estimated on the real log, with no truth to grade them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossab-readout-strategy-'));
  const db = join(dir, 'store.duckdb');
  assert.equal(crossab(['import', ...files, '--map', policy('obd.map.json'), '--db', db]).code, 0);
  const scenario = join(dir, 'fitted.json');
  assert.equal(crossab(['fit', 'obd', '--out', scenario, '--db', db, '--no-report']).code, 0);
  const out = join(dir, 'policies');
  const run = crossab(['run', scenario, '--db', join(dir, 'runs.duckdb'), '--no-report', '--policy-out', out, '--json']);
  assert.equal(run.code, 0, run.stderr);
  const sep = JSON.parse(readFileSync(join(out, 'separate.policy.json'), 'utf8'));
  // Each position's column sums to 1 over the catalogue: every replay request shows a full slate.
  for (const d of Object.values(sep.domains) as { probabilities: number[][] }[])
    for (let k = 0; k < 3; k++) assert.ok(Math.abs(d.probabilities.reduce((a, row) => a + row[k], 0) - 1) < 1e-9);
  const r = crossab(['readout', 'obd', '--db', db, '--json', '--policy', join(out, 'separate.policy.json')]);
  assert.equal(r.code, 0, r.stderr);
  const rows = JSON.parse(r.stdout).counterfactual;
  assert.equal(rows.length, 12);
  for (const c of rows) {
    assert.equal(c.target, 'separate');
    assert.equal(c.covered, null);
    assert.equal(c.onPolicy, null);
    assert.ok(Number.isFinite(c.value) && c.essShare > 0);
  }
});
