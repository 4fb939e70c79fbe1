// Expectations made concrete: 'each' becomes one claim per domain with its own label, names are
// checked against what the scenario trains, and a claim's value in a stored run is the metric, minus
// the `vs` metric, or over 'any' domain the best one for the bound.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { claims, claimValue } from '../../src/check/expectations.js';
import { openDb } from '../../src/store/db.js';
import { offlineValue } from '../../src/store/run-data.js';
import { ScenarioError } from '../../src/scenario/load.js';
import { crossab } from '../helpers/cli.js';
import { scenario, scenarioPath } from '../helpers/scenarios.js';

const withExpectations = (expectations: object[], patch: (raw: Record<string, any>) => void = () => {}) =>
  scenario('tiny', (raw) => {
    raw.expectations = expectations;
    patch(raw);
  });

test("claims: 'each' is one claim per domain, labelled by name or by what it reads; a domain group or 'any' stays one claim", () => {
  const s = withExpectations([
    { name: 'sharing helps', metric: 'auc', strategy: 'shared-bottom', vs: 'separate', domain: 'each', atLeast: 0 },
    { metric: 'ab_lift', arm: 'shared-bottom', domain: 'tail-domains', segment: 'cold', atMost: 0.5 },
    { metric: 'ope_value', estimator: 'ipw', strategy: 'separate', domain: 'any', atLeast: 0.01, over: 'every-seed' },
    { metric: 'srm_p_value', atLeast: 0.001 },
  ]);
  const c = claims(s, ['separate', 'shared-bottom'], 'tiny.json');
  assert.deepEqual(
    c.map((x) => [x.index, x.domain, x.label]),
    [
      [0, 'head', 'sharing helps [head]'],
      [0, 'mid', 'sharing helps [mid]'],
      [0, 'tail', 'sharing helps [tail]'],
      [1, 'tail-domains', 'ab_lift(shared-bottom) on tail-domains, cold users ≤ 0.5'],
      [2, 'any', 'ope_value[ipw](separate) on at least one domain ≥ 0.01 in every seed'],
      [3, 'all', 'srm p-value ≥ 0.001'],
    ],
  );
});

test('claims: a strategy the scenario does not train, or a domain group it lacks, is refused naming the expectation and field', () => {
  const refused = (e: object, pattern: RegExp, patch?: (raw: Record<string, any>) => void) =>
    assert.throws(
      () => claims(withExpectations([e], patch), ['separate', 'shared-bottom'], 'tiny.json'),
      (err: Error) => err instanceof ScenarioError && pattern.test(err.message),
    );
  refused(
    { metric: 'auc', strategy: 'mmoe', atLeast: 0 },
    /^tiny\.json: expectations\[0\]\.strategy: 'mmoe' is not trained in this scenario \(strategies: separate, shared-bottom; or oracle, constant\)$/,
  );
  refused({ metric: 'auc', strategy: 'separate', vs: 'star', atLeast: 0 }, /expectations\[0\]\.vs: 'star'/);
  // The oracle is a baseline of the offline metrics only: off-policy estimates and gates are of trained models.
  assert.equal(claims(withExpectations([{ metric: 'auc', strategy: 'oracle', atLeast: 0 }]), ['separate'], 'x').length, 1);
  refused({ metric: 'ope_value', strategy: 'oracle', atLeast: 0 }, /expectations\[0\]\.strategy: 'oracle' is not trained/);
  const even = (raw: Record<string, any>) => {
    for (const d of raw.domains) d.share = 1 / raw.domains.length;
  };
  refused({ metric: 'auc', strategy: 'separate', domain: 'tail-domains', atLeast: 0 }, /expectations\[0\]\.domain: this scenario has no tail domains/, even);
  assert.equal(claims(withExpectations([{ metric: 'auc', strategy: 'separate', domain: 'head-domains', atLeast: 0 }], even), ['separate'], 'x').length, 1);
});

test("claimValue: the stored metric, minus the vs strategy's; over 'any' domain the largest for atLeast and the smallest for atMost", async () => {
  const db = join(mkdtempSync(join(tmpdir(), 'crossab-claims-')), 'claims.duckdb');
  const run = crossab(['run', scenarioPath('tiny'), '--strategies', 'shared-bottom', '--no-report', '--db', db, '--json']);
  assert.equal(run.code, 0, run.stderr);
  const runId = JSON.parse(run.stdout).run_id as string;
  const s = withExpectations([
    { metric: 'auc', strategy: 'shared-bottom', vs: 'oracle', domain: 'mid', atLeast: -1 },
    { metric: 'auc', strategy: 'shared-bottom', domain: 'any', atLeast: 0 },
    { metric: 'auc', strategy: 'shared-bottom', domain: 'any', atMost: 1 },
  ]);
  const [diff, best, worst] = claims(s, ['separate', 'shared-bottom'], 'tiny.json');
  const handle = await openDb(db, { readOnly: true });
  try {
    const auc = async (strategy: string, domain: string) =>
      (await offlineValue(handle, runId, 'auc', { strategy, target: 'click', scope: 'domain', key: domain }))!;
    const domains = ['head', 'mid', 'tail'];
    const each: number[] = [];
    // One query at a time on a store's connection.
    for (const d of domains) each.push(await auc('shared-bottom', d));
    assert.ok(
      each.every((v) => v > 0.5 && v < 1),
      `${each}`,
    );
    assert.equal(await claimValue(handle, runId, diff, s), (await auc('shared-bottom', 'mid')) - (await auc('oracle', 'mid')));
    assert.equal(await claimValue(handle, runId, best, s), Math.max(...each));
    assert.equal(await claimValue(handle, runId, worst, s), Math.min(...each));
  } finally {
    handle.close();
  }
});
