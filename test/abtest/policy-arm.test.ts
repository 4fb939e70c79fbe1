// Policies as A/B arms: their scores rank each replay request's candidates into the policy's slate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { policyScores } from '../../src/abtest/policy-arm.js';
import { rankSlates } from '../../src/data/slates.js';
import { generateWorld } from '../../src/world/world.js';
import { scenario } from '../helpers/scenarios.js';

const base = () =>
  scenario('tiny', (s) => {
    s.items = { count: 40, popularitySkew: 0, overlap: 0 };
    s.domains = [
      { name: 'only', share: 0.9, baseCtr: 0.05, candidates: 20, slate: 3, catalogue: 0.5, features: ['user_age'] },
      { name: 'other', share: 0.1, baseCtr: 0.05, candidates: 20, slate: 3, catalogue: 0.5, features: ['user_age'] },
    ];
    s.features = s.features.filter((f: { name: string }) => f.name === 'user_age');
    s.traffic = { requests: 2000, replayRequests: 3000 };
    delete s.abtest;
  });

test('a uniform policy shows every catalogue item about equally often at the first position', () => {
  const w = generateWorld(base(), 3);
  const sl = rankSlates(w.replay!, [3, 3], policyScores(w, 'u', { kind: 'uniform' }));
  const counts = new Map<number, number>();
  let n = 0;
  for (let r = 0; r < w.replay!.n; r++) {
    if (w.replay!.domain[r] !== 0) continue;
    n++;
    const item = w.replay!.candItems[sl.cand[sl.start[r]]];
    counts.set(item, (counts.get(item) ?? 0) + 1);
  }
  assert.equal(counts.size, 20);
  const expected = n / 20;
  for (const c of counts.values()) assert.ok(Math.abs(c - expected) < 4 * Math.sqrt(expected), `${c} vs ${expected}`);
});

test('a Thompson prior that is sure of one item leads with it on nearly every request, and the scores are the same for every assignment', () => {
  const w = generateWorld(base(), 4);
  const alpha = Array.from({ length: 20 }, (_, j) => (j === 7 ? 500 : 5));
  const beta = Array.from({ length: 20 }, () => 1000);
  const policy = { kind: 'thompson-prior' as const, domains: { only: { alpha, beta }, other: { alpha, beta } } };
  const scores = policyScores(w, 'bts', policy);
  const sl = rankSlates(w.replay!, [3, 3], scores);
  let first = 0;
  for (let r = 0; r < w.replay!.n; r++) if (w.replay!.candItems[sl.cand[sl.start[r]]] === w.items.catalogues[w.replay!.domain[r]][7]) first++;
  assert.ok(first / w.replay!.n > 0.99, `${first} of ${w.replay!.n}`);
  assert.deepEqual(policyScores(w, 'bts', policy), scores);
});

test('an explore policy puts each candidate first with probability ∝ exp(logit(p̂) / temperature) (Plackett–Luce around the strategy)', () => {
  const w = generateWorld(base(), 3);
  const rq = w.replay!;
  // A strategy that gives candidate j of every request the prediction σ(j / 4): logits 0, 0.25, … 4.75.
  const base_ = new Float32Array(rq.candItems.length);
  for (let r = 0; r < rq.n; r++) for (let k = rq.candStart[r]; k < rq.candStart[r + 1]; k++) base_[k] = 1 / (1 + Math.exp(-(k - rq.candStart[r]) / 4));
  for (const temperature of [0.5, 2]) {
    const sl = rankSlates(rq, [3, 3], policyScores(w, 'e', { kind: 'explore', strategy: 's', temperature }, base_));
    const first = new Float64Array(20);
    for (let r = 0; r < rq.n; r++) first[sl.cand[sl.start[r]] - rq.candStart[r]]++;
    const weights = Array.from({ length: 20 }, (_, j) => Math.exp(j / 4 / temperature));
    const total = weights.reduce((a, b) => a + b, 0);
    // Chi-square over the candidates expected at least 5 times; 3,000 requests.
    let chi2 = 0;
    let df = -1;
    for (let j = 0; j < 20; j++) {
      const e = (rq.n * weights[j]) / total;
      if (e < 5) continue;
      chi2 += (first[j] - e) ** 2 / e;
      df++;
    }
    assert.ok(chi2 < df + 4 * Math.sqrt(2 * df), `temperature ${temperature}: chi2 ${chi2.toFixed(1)} on ${df} df`);
  }
  assert.throws(() => policyScores(w, 'e', { kind: 'explore', strategy: 's', temperature: 1 }), /no candidate predictions/);
});
