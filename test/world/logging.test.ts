// The logging policies' propensities against brute force: every ordered slate of a small pool
// enumerated with its exact probability, and the draws' frequencies against the propensities.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logSlate, propensityBuffers, slatePropensities, type LoggingPolicy } from '../../src/world/logging.js';
import { stream } from '../../src/world/rng.js';

const pool = Int32Array.from([3, 0, 4, 1, 2]);
const popularity = Float64Array.from([0.05, 0.3, 0.02, 0.5, 0.13]);
const n = pool.length;
const k = 3;

/** Every ordered k-slate of 0..n−1 with its probability under the policy. */
function enumerate(p: LoggingPolicy): Map<string, number> {
  const w = Array.from(pool, (i) => Math.pow(popularity[i], 1 / (p.name === 'popularity' ? 1 : p.temperature)));
  const top = Array.from({ length: n }, (_, j) => j)
    .sort((a, b) => popularity[pool[b]] - popularity[pool[a]] || a - b)
    .slice(0, k);
  const out = new Map<string, number>();
  const rec = (prefix: number[], left: number) => {
    if (prefix.length === k) {
      const uniform = prefix.reduce((acc, _, j) => acc / (n - j), 1);
      const isTop = prefix.every((x, j) => x === top[j]);
      let pr = 0;
      if (p.name === 'random') pr = uniform;
      else if (p.name === 'top-popularity') pr = isTop ? 1 : 0;
      else if (p.name === 'epsilon-greedy') pr = p.epsilon * uniform + (isTop ? 1 - p.epsilon : 0);
      else pr = prefix.reduce((acc, x, j) => acc * (w[x] / (w.reduce((a, b) => a + b, 0) - prefix.slice(0, j).reduce((a, y) => a + w[y], 0))), 1);
      out.set(prefix.join(','), pr);
      return;
    }
    for (let x = 0; x < n; x++) if (!prefix.includes(x)) rec([...prefix, x], left);
  };
  rec([], 1);
  return out;
}

const policies: LoggingPolicy[] = [
  { name: 'random', temperature: 1, epsilon: 0 },
  { name: 'popularity', temperature: 1, epsilon: 0 },
  { name: 'softmax', temperature: 0.3, epsilon: 0 },
  { name: 'softmax', temperature: 3, epsilon: 0 },
  { name: 'epsilon-greedy', temperature: 1, epsilon: 0.2 },
  { name: 'top-popularity', temperature: 1, epsilon: 0 },
];

for (const policy of policies) {
  test(`${policy.name} (τ ${policy.temperature}, ε ${policy.epsilon}): every recorded propensity equals the enumeration's to 1e-11`, () => {
    const slates = enumerate(policy);
    const total = [...slates.values()].reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(total - 1) < 1e-12, `slate probabilities sum to ${total}`);
    const rng = stream(11, 'logging-test');
    const out = new Int32Array(k);
    const prop = propensityBuffers(k);
    const seen = new Map<string, number>();
    const draws = 4000;
    for (let t = 0; t < draws; t++) {
      logSlate(policy, pool, 0, n, k, popularity, rng, out);
      const key = Array.from(out).join(',');
      seen.set(key, (seen.get(key) ?? 0) + 1);
      if (t >= 40) continue; // the propensities are checked on 40 draws, the frequencies on all
      slatePropensities(policy, pool, 0, n, k, popularity, out, prop);
      for (let j = 0; j < k; j++) {
        let atJ = 0;
        let inSlate = 0;
        let prefix = 0;
        for (const [s, pr] of slates) {
          const x = s.split(',').map(Number);
          if (x[j] === out[j]) atJ += pr;
          if (x.includes(out[j])) inSlate += pr;
          if (x.slice(0, j + 1).every((v, m) => v === out[m])) prefix += pr;
        }
        assert.ok(Math.abs(prop.itemPosition[j] - atJ) < 1e-11, `position ${j}: ${prop.itemPosition[j]} vs ${atJ}`);
        assert.ok(Math.abs(prop.item[j] - inSlate) < 1e-11, `inclusion ${j}: ${prop.item[j]} vs ${inSlate}`);
        assert.ok(Math.abs(prop.cascade[j] - prefix) < 1e-11, `cascade ${j}: ${prop.cascade[j]} vs ${prefix}`);
      }
    }
    // The draws follow the probabilities: every slate's count within 4.5 binomial sd of its expectation.
    for (const [s, pr] of slates) {
      const c = seen.get(s) ?? 0;
      const sd = Math.sqrt(draws * pr * (1 - pr));
      assert.ok(Math.abs(c - draws * pr) <= 4.5 * sd + 1e-9, `slate ${s}: ${c} draws, expected ${draws * pr}`);
    }
  });
}

test('Plackett–Luce marginals stay exact on a wide, peaked pool (40 candidates, τ 0.2): each position sums to one over the items', () => {
  const m = 40;
  const cands = Int32Array.from({ length: m }, (_, i) => i);
  const pop = Float64Array.from({ length: m }, (_, i) => 1 / Math.pow(i + 1, 1.1));
  const kk = 4;
  const policy: LoggingPolicy = { name: 'softmax', temperature: 0.2, epsilon: 0 };
  // For each item i and position j, a slate with i at j: P(i at j) summed over i is 1 for each j.
  const sum = new Float64Array(kk);
  let inclusion = 0;
  const prop = propensityBuffers(kk);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < kk; j++) {
      const slate = Array.from({ length: m }, (_, x) => x)
        .filter((x) => x !== i)
        .slice(0, kk);
      slate[j] = i;
      slatePropensities(policy, cands, 0, m, kk, pop, Int32Array.from(slate), prop);
      sum[j] += prop.itemPosition[j];
      if (j === 0) inclusion += prop.item[0];
    }
  }
  for (let j = 0; j < kk; j++) assert.ok(Math.abs(sum[j] - 1) < 1e-8, `position ${j}: marginals sum to ${sum[j]}`);
  assert.ok(Math.abs(inclusion - kk) < 1e-7, `inclusion probabilities sum to ${inclusion}, not the slate size ${kk}`);
});
