// The scopes of an off-policy estimate and the sums they are ratios of, on the tiny world's logged
// test period: domains and segments partition the requests, clusters are users, a scope's sums
// equal its requests' terms, and Switch-DR with no threshold is DR.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { modelInputs, testCandidatesOf } from '../../src/data/inputs.js';
import { candidateTruth } from '../../src/data/candidate-truth.js';
import { positionCurve } from '../../src/data/slates.js';
import { ESTIMATORS, switchThresholds } from '../../src/ope/estimators.js';
import { loggedTest, targetTerms } from '../../src/ope/terms.js';
import { clusteredSums, opeScopes, scopeRows, switchThreshold, type OpeScope } from '../../src/ope/scopes.js';
import { scenario } from '../helpers/scenarios.js';

const p = modelInputs(scenario('tiny'), 7);
const tc = testCandidatesOf(p);
const w = p.world;
const t = loggedTest(w, tc);
const truth = candidateTruth(w, tc, tc.requests, tc.experience);
const x = targetTerms(t, Float32Array.from(truth.click), Float32Array.from(truth.click), truth, positionCurve(null));
const sum = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0);

test('scopes: all requests first, then domains and segments that partition them; clusters are the scope’s users', () => {
  // The cluster array is shared between scopes: copied as each is read.
  const scopes: OpeScope[] = [];
  for (const s of opeScopes(t)) scopes.push({ ...s, clusterOf: Int32Array.from(s.clusterOf) });
  const rq = tc.requests;
  assert.deepEqual([scopes[0].domain, scopes[0].segment, scopes[0].requests.length], ['all', 'all', rq.n]);
  const byDomain = scopes.filter((s) => s.domain !== 'all' && s.segment === 'all');
  assert.deepEqual(
    byDomain.map((s) => s.domain),
    w.layout.domains,
  );
  assert.equal(sum(byDomain.map((s) => s.requests.length)), rq.n);
  for (const d of byDomain) {
    const segments = scopes.filter((s) => s.domain === d.domain && s.segment !== 'all');
    assert.deepEqual(
      segments.flatMap((s) => s.requests).sort((a, b) => a - b),
      d.requests,
      `${d.domain}: segments partition it`,
    );
  }
  for (const s of scopes) {
    const users = new Set(s.requests.map((r) => rq.user[r]));
    assert.equal(s.clusters, users.size);
    for (const u of users) assert.ok(s.clusterOf[u] >= 0 && s.clusterOf[u] < s.clusters);
  }
});

test("a scope's sums are its requests' terms; Switch-DR with no threshold is DR; the tuned threshold is a candidate", () => {
  const E = ESTIMATORS.length;
  for (const s of opeScopes(t)) {
    for (const [e, name] of ESTIMATORS.entries()) {
      const c = clusteredSums(t, s, x, e);
      const want = sum(s.requests.map((r) => x.num[r * E + e]));
      assert.ok(Math.abs(sum(c.num) - want) < 1e-9 * Math.max(1, Math.abs(want)), `${s.domain}/${s.segment} ${name}`);
      assert.ok(Math.abs(sum(c.den) - sum(s.requests.map((r) => x.den[r * E + e]))) < 1e-9);
    }
    const dr = clusteredSums(t, s, x, ESTIMATORS.indexOf('dr'));
    const open = clusteredSums(t, s, x, ESTIMATORS.indexOf('switch-dr'), Infinity);
    open.num.forEach((v, g) => assert.ok(Math.abs(v - dr.num[g]) < 1e-9, 'τ = ∞ keeps every correction'));
    const weights = scopeRows(t, s, x.itemWeight);
    assert.equal(weights.length, sum(s.requests.map((r) => t.firstRow[r + 1] - t.firstRow[r])));
    assert.ok(switchThresholds(weights, weights.length).includes(switchThreshold(t, s, x, weights)));
  }
});
