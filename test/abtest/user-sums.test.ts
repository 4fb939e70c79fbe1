// The replay's scopes and per-user sums: where a request counts, what CUPED's covariate holds, and
// the true-lift numerators.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scenario } from '../helpers/scenarios.js';
import { modelInputs } from '../../src/data/inputs.js';
import { tailDomains } from '../../src/world/traffic.js';
import { heldReplay } from '../../src/world/world.js';
import { SEGMENTS } from '../../src/world/impressions.js';
import { accountingBytes, domainKeys, preExperiment, scopesOf, trueSums } from '../../src/abtest/user-sums.js';
import type { Served, Slates } from '../../src/abtest/served.js';

const p = modelInputs(
  scenario('tiny', (r) => {
    r.traffic.replayRequests = 800;
  }),
  9,
);
const w = p.world;
const D = w.layout.domains.length;
const U = w.users.count;

test('a request of domain d by user u counts in six scopes: all domains, d, its head or tail group, each over all users and over u’s segment', () => {
  const scopes = scopesOf(w);
  const S = SEGMENTS.length + 1;
  assert.equal(scopes.count, (D + 3) * S);
  const tail = tailDomains(w);
  assert.ok(tail.includes(true) && tail.includes(false), 'the tiny world has head and tail domains');
  for (let d = 0; d < D; d++) {
    assert.deepEqual(domainKeys(D, tail, d), [0, 1 + d, tail[d] ? D + 2 : D + 1]);
    const u = 17;
    const names = scopes.of(d, u).map((s) => `${scopes.domain(s)}/${scopes.segment(s)}`);
    const group = tail[d] ? 'tail-domains' : 'head-domains';
    const seg = SEGMENTS[w.userSegment[u]];
    assert.deepEqual(names, [`all/all`, `all/${seg}`, `${w.layout.domains[d]}/all`, `${w.layout.domains[d]}/${seg}`, `${group}/all`, `${group}/${seg}`]);
  }
});

test("CUPED's covariate: each user's logged impressions, clicks and conversions before the test, per domain key", () => {
  const pre = preExperiment(w);
  const lg = w.logged;
  assert.equal(pre.imps.length, (D + 3) * U);
  assert.equal(pre.visits.length, 0);
  let clicks = 0;
  for (let i = 0; i < lg.n; i++) clicks += lg.click[i];
  const total = (col: Float64Array, key: number) => col.subarray(key * U, (key + 1) * U).reduce((a, b) => a + b, 0);
  assert.equal(total(pre.imps, 0), lg.n);
  assert.equal(total(pre.clicks, 0), clicks);
  // The domains partition the logs, and so do the head and tail groups.
  assert.equal(
    Array.from({ length: D }, (_, d) => total(pre.imps, 1 + d)).reduce((a, b) => a + b),
    lg.n,
  );
  assert.equal(total(pre.imps, D + 1) + total(pre.imps, D + 2), lg.n);
  const u = lg.user[0];
  let own = 0;
  for (let i = 0; i < lg.n; i++) if (lg.user[i] === u && lg.domain[i] === lg.domain[0]) own++;
  assert.equal(pre.imps[(1 + lg.domain[0]) * U + u], own);
});

test('the true-lift numerators sum each strategy’s expected clicks and conversions over a scope’s requests; with users who may leave, each weighed by the chance they are still there', () => {
  const { rq } = heldReplay(w, 'test');
  const scopes = scopesOf(w);
  const slates = (alive: Float64Array | null): Slates => ({
    start: new Int32Array(rq.n + 1),
    click: new Float32Array(0),
    conv: new Float32Array(0),
    expClicks: Float64Array.from({ length: rq.n }, (_, r) => 0.1 + (r % 3)),
    expConvs: Float64Array.from({ length: rq.n }, (_, r) => 0.01 * (r % 5)),
    path: alive ? ({ alive } as unknown as Slates['path']) : null,
  });
  const half = new Float64Array(rq.n).fill(0.5);
  const served: Served = {
    requests: rq,
    ranked: new Map([
      ['fixed', slates(null)],
      ['leaving', slates(half)],
    ]),
  };
  const t = trueSums(w, served, scopes);
  let clicks = 0;
  let convs = 0;
  for (let r = 0; r < rq.n; r++) {
    clicks += 0.1 + (r % 3);
    convs += 0.01 * (r % 5);
  }
  const all = scopes.of(0, 0)[0];
  assert.ok(Math.abs(t.clicks.get('fixed')![all] - clicks) < 1e-9);
  assert.ok(Math.abs(t.convs.get('fixed')![all] - convs) < 1e-9);
  assert.ok(Math.abs(t.clicks.get('leaving')![all] - clicks / 2) < 1e-9);
  const slate = w.scenario.domains.map((d) => d.slate);
  const shown = Array.from(rq.domain).reduce((a, d) => a + slate[d], 0);
  assert.ok(t.imps, 'a strategy whose users may leave keeps its expected impressions');
  assert.equal(t.imps!.get('leaving')![all], shown / 2);
  assert.equal(t.imps!.has('fixed'), false);
});

test('the accounting counts (domains + 3) keys × users × six float64 sums', () => {
  assert.equal(accountingBytes(3, 1000), 6 * 1000 * 6 * 8);
  assert.equal(accountingBytes(7, 3e6), 10 * 3e6 * 48);
});
