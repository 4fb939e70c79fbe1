import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gini, serveInRounds, wearOut } from '../../src/data/serve-rounds.js';
import { generateWorld } from '../../src/world/world.js';
import { candidatesOf, trainingInputs } from '../../src/data/inputs.js';
import { candidateTruth } from '../../src/data/candidate-truth.js';
import { scenario } from '../helpers/scenarios.js';

/**
 * The tiny world (2,000 replay requests, seed 2) with the given feedback block, served by a static arm
 * that ranks by the truth: its rounds, every served slot (request, candidate, click probability), the world and the truth.
 */
function greedyRounds(feedback: Record<string, unknown>, rounds: number, bias: (pos: number) => number = () => 1) {
  const s = scenario('tiny', (r) => {
    r.traffic.replayRequests = 2000;
    r.feedback = { rounds, ...feedback };
  });
  const w = generateWorld(s, 2);
  const click = candidateTruth(w, candidatesOf(trainingInputs(w))).click;
  const seen: { r: number; k: number; p: number }[] = [];
  const out = serveInRounds(w, {
    rounds,
    every: 1,
    name: 'greedy',
    kind: 'static',
    click,
    bias,
    scoresFor: (c0, c1) => click.subarray(c0, c1),
    observe: (r, k, _c, p) => seen.push({ r, k, p }),
  });
  return { s, w, click, seen, rounds: out };
}

test('gini: 0 for equal counts, (n − 1) / n when one item has everything, and the textbook value in between', () => {
  assert.equal(gini([3, 3, 3, 3]), 0);
  assert.ok(Math.abs(gini([0, 0, 0, 5]) - 0.75) < 1e-12);
  // 1, 2, 3, 4: Σ|xᵢ − xⱼ| / (2 n² mean) = 20 / (2 · 16 · 2.5) = 0.25.
  assert.ok(Math.abs(gini([4, 1, 3, 2]) - 0.25) < 1e-12);
  assert.equal(gini([0, 0]), 0);
});

test('serveInRounds: updates after every `every` rounds on what was served since the last, never after the last round; outcomes do not depend on learning', () => {
  const s = scenario('tiny', (r) => {
    r.traffic.replayRequests = 2000;
  });
  const w = generateWorld(s, 2);
  const click = candidateTruth(w, candidatesOf(trainingInputs(w))).click;
  const rq = w.replay!;
  const updates: { after: number; served: number; clicks: number }[] = [];
  let round = 0;
  const scoresFor = (c0: number, c1: number) => {
    round++;
    return click.slice(c0, c1);
  };
  const o = { rounds: 5, every: 2, name: 'p', kind: 'static' as const, click, bias: () => 1, scoresFor };
  const rounds = serveInRounds(w, { ...o, learn: (x) => updates.push({ after: round, served: x.cand.length, clicks: x.clicked.reduce((a, b) => a + b, 0) }) });
  assert.deepEqual(
    updates.map((u) => u.after),
    [2, 4],
  );
  const slots = (from: number, to: number) => {
    let n = 0;
    for (let r = from; r < to; r++) n += s.domains[rq.domain[r]].slate;
    return n;
  };
  const cut = (t: number) => Math.floor((t * rq.n) / 5);
  assert.equal(updates[0].served, slots(cut(0), cut(2)));
  assert.equal(updates[1].served, slots(cut(2), cut(4)));
  const sum = (t0: number, t1: number) => rounds.filter((r) => r.round > t0 && r.round <= t1).reduce((a, r) => a + r.clicks, 0);
  assert.equal(updates[0].clicks, sum(0, 2));
  assert.equal(updates[1].clicks, sum(2, 4));
  round = 0;
  assert.deepEqual(serveInRounds(w, o), rounds, 'the same scores give the same rounds with or without a learner');
});

test('wearOut: exposure carried with a share forgotten each round; wear is exp(−decay · exposure / the even share), 1 before anything is shown', () => {
  const exposure = [new Float64Array(4)];
  const wear = [new Float64Array(4).fill(1)];
  const state = { decay: 0.5, recovery: 0.25 };
  wearOut(state, [[0, 1, 2]], exposure, [Float64Array.from([0, 0, 0, 9])], wear);
  assert.deepEqual([...wear[0]], [1, 1, 1, 1], 'item 3 is not in the catalogue: nothing shown, nothing worn');
  wearOut(state, [[0, 1, 2]], exposure, [Float64Array.from([6, 3, 0, 0])], wear);
  // Exposure 6, 3, 0 over an even share of 3: wear exp(−1), exp(−0.5), 1.
  assert.ok(Math.abs(wear[0][0] - Math.exp(-1)) < 1e-12 && Math.abs(wear[0][1] - Math.exp(-0.5)) < 1e-12 && wear[0][2] === 1);
  wearOut(state, [[0, 1, 2]], exposure, [Float64Array.from([0, 0, 3])], wear);
  // Carried: 4.5, 2.25, 3 (even share 3.25).
  assert.ok(Math.abs(exposure[0][0] - 4.5) < 1e-12 && Math.abs(wear[0][2] - Math.exp((-0.5 * 3) / 3.25)) < 1e-12);
});

test('feedback.itemState: a static arm that keeps showing its favourites serves less and less true CTR; without item state it does not drift', () => {
  const run = (itemState?: { decay: number; recovery: number }) =>
    greedyRounds(itemState ? { itemState } : {}, 4)
      .rounds.filter((r) => r.domain === 'head')
      .map((r) => r.trueCtr);
  const worn = run({ decay: 0.5, recovery: 0.5 });
  const fresh = run();
  assert.ok(worn[0] === fresh[0], 'round 1 is served before anything wears');
  for (let t = 1; t < 4; t++) assert.ok(worn[t] < fresh[t] * 0.95, `round ${t + 1}: ${worn} against ${fresh}`);
});

test('feedback.userState: every served slot is its click probability fatigued by the user’s memory of its kind — a memory kept across domains', () => {
  const bias = (pos: number) => 1 / (1 + pos);
  const { s, w, click, seen } = greedyRounds({ userState: { similarBy: 'item_category', memory: 4, fatigue: 0.8 } }, 3, bias);
  // Brute force: each user's stock of each kind, decayed eagerly at each of their visits, over every domain.
  const rq = w.replay!;
  const j = w.layout.categorical.findIndex((f) => f.name === 'item_category');
  const kinds = w.items.cat[j]!;
  const stock = new Map<number, Float64Array>();
  const shownHere = new Map<number, Float64Array>();
  let crossed = 0;
  let at = 0;
  for (let r = 0; r < rq.n; r++) {
    const u = rq.user[r];
    const st = stock.get(u) ?? new Float64Array(16);
    const here = shownHere.get(u) ?? new Float64Array(16 * 3);
    stock.set(u, st);
    shownHere.set(u, here);
    for (let c = 0; c < 16; c++) st[c] *= 2 ** (-1 / 4);
    const slate: number[] = [];
    for (; at < seen.length && seen[at].r === r; at++) {
      const { k, p } = seen[at];
      const pos = slate.length;
      const base = click[k];
      const want = (base / (base + (1 - base) * Math.exp(0.8 * st[kinds[rq.candItems[k]]]))) * bias(pos);
      assert.ok(Math.abs(p - want) < 1e-9, `request ${r}, slot ${pos}: ${p} vs ${want}`);
      // A kind this user was shown only on other domains, now tiring them here.
      if (st[kinds[rq.candItems[k]]] > 0 && here[rq.domain[r] * 16 + kinds[rq.candItems[k]]] === 0) crossed++;
      slate.push(k);
    }
    assert.equal(slate.length, s.domains[rq.domain[r]].slate);
    for (const k of slate) {
      st[kinds[rq.candItems[k]]] += 1;
      here[rq.domain[r] * 16 + kinds[rq.candItems[k]]] += 1;
    }
  }
  assert.equal(at, seen.length);
  assert.ok(crossed > 50, `slots tired by another domain's impressions: ${crossed}`);
});

test('feedback.itemState.by: each value of the user feature is a market whose items wear apart — a slot’s click probability is worn only by what its market was shown', () => {
  const R = 3;
  const { s, w, click, seen } = greedyRounds({ itemState: { decay: 0.5, recovery: 0.5, by: 'user_region' } }, R);
  const rq = w.replay!;
  const region = w.users.cat[w.layout.categorical.findIndex((f) => f.name === 'user_region')]!;
  const M = 21;
  const key = (d: number, g: number) => d * M + g;
  const carried = new Map<number, Float64Array>();
  const wear = new Map<number, Float64Array>();
  let at = 0;
  let worn = 0;
  for (let t = 0; t < R; t++) {
    const shown = new Map<number, Float64Array>();
    for (; at < seen.length && seen[at].r < Math.floor(((t + 1) * rq.n) / R); at++) {
      const { r, k, p } = seen[at];
      const m = key(rq.domain[r], region[rq.user[r]]);
      const i = rq.candItems[k];
      const want = click[k] * (wear.get(m)?.[i] ?? 1);
      assert.ok(Math.abs(p - want) < 1e-12, `round ${t + 1}, request ${r}: ${p} vs ${want}`);
      if (want < click[k] * 0.99) worn++;
      if (!shown.has(m)) shown.set(m, new Float64Array(w.items.count));
      shown.get(m)![i]++;
    }
    // Every market of every domain forgets half its exposure, adds the round's, and wears against its own even share.
    for (let d = 0; d < s.domains.length; d++)
      for (let g = 0; g < M; g++) {
        const m = key(d, g);
        const cat = w.items.catalogues[d];
        const c = carried.get(m) ?? new Float64Array(w.items.count);
        carried.set(m, c);
        let total = 0;
        for (const i of cat) {
          c[i] = c[i] * 0.5 + (shown.get(m)?.[i] ?? 0);
          total += c[i];
        }
        const x = new Float64Array(w.items.count).fill(1);
        for (const i of cat) x[i] = total > 0 ? Math.exp((-0.5 * c[i]) / (total / cat.length)) : 1;
        wear.set(m, x);
      }
  }
  assert.equal(at, seen.length);
  assert.ok(worn > 100, `slots worn by their market: ${worn}`);
});
