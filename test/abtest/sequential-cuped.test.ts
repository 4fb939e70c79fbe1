// CUPED and the sequential test, each checked against an independent computation or a textbook
// property, and by simulation where the claim is about error rates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import seedrandom from 'seedrandom';
import {
  addUserWithCovariate,
  cupedLogRatioLift,
  emptyCovariateRatio,
  growRatioAt,
  RATIO_SLOT,
  ratioAt,
  type CovariateRatio,
} from '../../src/abtest/stats/cuped.js';
import { normalQuantile } from '../../src/abtest/stats/distributions.js';
import { effectiveUsers, logRatioLift } from '../../src/abtest/stats/ratio.js';
import { confidenceSequenceRadius, mixtureLikelihoodRatio, mixtureVarianceFor } from '../../src/abtest/stats/sequential.js';

type User = { x: number; y: number; p: number; q: number };

/** Users with a click propensity that persists from before the test into it (the covariate's signal). */
function users(rng: () => number, n: number, lift = 0, persist = true): User[] {
  const poisson = (mean: number) => {
    let k = 0;
    let t = Math.exp(-mean);
    let s = t;
    const u = rng();
    while (u > s && k < 200) {
      k++;
      t *= mean / k;
      s += t;
    }
    return k;
  };
  const binom = (n: number, p: number) => {
    let k = 0;
    for (let i = 0; i < n; i++) if (rng() < p) k++;
    return k;
  };
  return Array.from({ length: n }, () => {
    const propensity = 0.02 + 0.2 * rng() ** 2;
    const y = 1 + poisson(6);
    const q = poisson(20);
    const past = persist ? propensity : 0.02 + 0.2 * rng() ** 2;
    return { y, x: binom(y, Math.min(1, propensity * (1 + lift))), q, p: binom(q, past) };
  });
}

function cell(us: User[]): CovariateRatio {
  const r = emptyCovariateRatio();
  for (const u of us) addUserWithCovariate(r, u.x, u.y, u.p, u.q);
  return r;
}

/** The same CUPED estimate by a second route: explicit per-user linearisations and two-pass moments. */
function byHand(t: User[], c: User[]): { lift: number; seLog: number; theta: number } {
  const moments = (us: User[]) => {
    const n = us.length;
    const mean = (f: (u: User) => number) => us.reduce((s, u) => s + f(u), 0) / n;
    const [mx, my, mp, mq] = [mean((u) => u.x), mean((u) => u.y), mean((u) => u.p), mean((u) => u.q)];
    const R = mx / my;
    const Rp = mp / mq;
    const l = us.map((u) => (u.x - R * u.y) / my);
    const lp = us.map((u) => (u.p - Rp * u.q) / mq);
    const ml = l.reduce((a, b) => a + b, 0) / n;
    const mlp = lp.reduce((a, b) => a + b, 0) / n;
    let vl = 0;
    let vlp = 0;
    let cov = 0;
    for (let i = 0; i < n; i++) {
      vl += (l[i] - ml) ** 2;
      vlp += (lp[i] - mlp) ** 2;
      cov += (l[i] - ml) * (lp[i] - mlp);
    }
    return { R, Rp, v: vl / (n - 1) / n, vp: vlp / (n - 1) / n, cov: cov / (n - 1) / n, sp: mp * n, sq: mq * n };
  };
  const a = moments(t);
  const b = moments(c);
  // log(R̃_t/R̃_c) with R̃_t = R_t − θ w_c D, R̃_c = R_c + θ w_t D, D = R'_t − R'_c: its gradient in
  // (R_t, R_c, R'_t, R'_c) at the plain ratios is (1/R_t, −1/R_c, −g, g), g = θ (w_c/R_t + w_t/R_c).
  const wt = a.sq / (a.sq + b.sq);
  const wc = 1 - wt;
  const variance = (g: number) => a.v / a.R ** 2 + b.v / b.R ** 2 + g * g * (a.vp + b.vp) - 2 * g * (a.cov / a.R + b.cov / b.R);
  // The g of least variance, found by a golden-section search rather than the closed form.
  let [lo, hi] = [-10, 10];
  for (let k = 0; k < 200; k++) {
    const m1 = hi - (hi - lo) / 1.618033988749895;
    const m2 = lo + (hi - lo) / 1.618033988749895;
    if (variance(m1) < variance(m2)) hi = m2;
    else lo = m1;
  }
  const g = (lo + hi) / 2;
  const theta = g / (wc / a.R + wt / b.R);
  const d = a.Rp - b.Rp;
  const rt = a.R - theta * wc * d;
  const rc = b.R + theta * wt * d;
  return { lift: rt / rc - 1, seLog: Math.sqrt(variance(g)), theta };
}

test('CUPED for a ratio metric matches an explicit per-user linearisation (Deng et al. 2013) and a numeric minimisation of its variance', () => {
  const rng = seedrandom('cuped-by-hand');
  const t = users(rng, 700, 0.1);
  const c = users(rng, 650);
  const got = cupedLogRatioLift(cell(t), cell(c));
  const want = byHand(t, c);
  assert.ok(Math.abs(got.lift - want.lift) < 1e-9, `${got.lift} vs ${want.lift}`);
  assert.ok(Math.abs(got.seLog - want.seLog) < 1e-10, `${got.seLog} vs ${want.seLog}`);
  assert.ok(Math.abs(got.theta - want.theta) < 1e-7, `${got.theta} vs ${want.theta}`);
  const plain = logRatioLift(cell(t), cell(c));
  assert.ok(Math.abs(got.varianceReduction - (1 - (want.seLog / plain.seLog) ** 2)) < 1e-10);
  const z = normalQuantile(0.975);
  assert.ok(Math.abs(got.ciLow - ((1 + want.lift) * Math.exp(-z * want.seLog) - 1)) < 1e-9);
});

test('CUPED removes a share ρ² of the variance of a mean (the textbook result); none with an unrelated covariate, all with the metric itself', () => {
  // A mean metric (one impression per user before and during), covariate correlated ρ = 0.6.
  const rng = seedrandom('cuped-rho');
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const rho = 0.6;
  const arm = (n: number) => {
    const r = emptyCovariateRatio();
    for (let i = 0; i < n; i++) {
      const a = normal();
      const b = rho * a + Math.sqrt(1 - rho * rho) * normal();
      addUserWithCovariate(r, 10 + b, 1, 10 + a, 1);
    }
    return r;
  };
  const vr = cupedLogRatioLift(arm(40000), arm(40000)).varianceReduction;
  assert.ok(Math.abs(vr - rho * rho) < 0.02, `variance reduction ${vr}, expected ${rho * rho}`);
  const unrelated = cupedLogRatioLift(cell(users(rng, 3000, 0, false)), cell(users(rng, 3000, 0, false))).varianceReduction;
  assert.ok(Math.abs(unrelated) < 0.01, `unrelated covariate removed ${unrelated}`);
  // The experiment's own outcome as covariate explains all of it: no variance left, so no interval (never
  // certainty). All of it exactly where the arms' ratios are equal, the point the delta method is taken
  // at; with unequal ratios the linearised variance keeps a (ΔR/R)²-small share.
  const self = emptyCovariateRatio();
  const other = emptyCovariateRatio();
  const same = users(rng, 500);
  for (const u of same) addUserWithCovariate(self, u.x, u.y, u.x, u.y);
  for (const u of same) addUserWithCovariate(other, u.x, u.y, u.x, u.y);
  const s = cupedLogRatioLift(self, other);
  assert.ok(s.varianceReduction > 0.999999, `${s.varianceReduction}`);
  assert.ok(Number.isNaN(s.ciLow) && Number.isNaN(s.pValue));
  const apart = emptyCovariateRatio();
  for (const u of users(rng, 500)) addUserWithCovariate(apart, u.x, u.y, u.x, u.y);
  const gap = self.sumX / self.sumY / (apart.sumX / apart.sumY) - 1;
  assert.ok(cupedLogRatioLift(self, apart).varianceReduction > 1 - gap * gap, `${cupedLogRatioLift(self, apart).varianceReduction} with ratios ${gap} apart`);
  // No history anywhere: the plain estimate.
  const bare = (us: User[]) => cell(us.map((u) => ({ ...u, p: 0, q: 0 })));
  const t = users(rng, 400);
  const c = users(rng, 400);
  const b = cupedLogRatioLift(bare(t), bare(c));
  const p = logRatioLift(bare(t), bare(c));
  assert.equal(b.theta, 0);
  assert.equal(b.ciLow, p.ciLow);
  assert.equal(b.seLog, p.seLog);
});

test('CUPED in A/A: about 5% significant, and its intervals narrower than the plain ones', () => {
  const rng = seedrandom('cuped-aa');
  let sig = 0;
  let sigPlain = 0;
  let width = 0;
  let widthPlain = 0;
  const n = 1500;
  for (let k = 0; k < n; k++) {
    const t = cell(users(rng, 300));
    const c = cell(users(rng, 300));
    const cu = cupedLogRatioLift(t, c);
    const pl = logRatioLift(t, c);
    if (cu.pValue < 0.05) sig++;
    if (pl.pValue < 0.05) sigPlain++;
    width += Math.log((1 + cu.ciHigh) / (1 + cu.ciLow));
    widthPlain += Math.log((1 + pl.ciHigh) / (1 + pl.ciLow));
  }
  // 1,500 tests: a correct test's rate lies in 0.05 ± 0.011 with 95% probability.
  assert.ok(sig / n > 0.035 && sig / n < 0.065, `CUPED false-positive rate ${sig / n}`);
  assert.ok(sigPlain / n > 0.035 && sigPlain / n < 0.065, `plain false-positive rate ${sigPlain / n}`);
  assert.ok(width < 0.96 * widthPlain, `CUPED width ${width / n} vs plain ${widthPlain / n}`);
});

test('a cell grown request by request has exactly the sums of its final per-user totals', () => {
  const rng = seedrandom('grow');
  const buf = new Float64Array(3 * RATIO_SLOT);
  const totals = new Map<number, User>();
  for (let r = 0; r < 3000; r++) {
    const u = Math.floor(rng() ** 2 * 200);
    const dy = 1 + Math.floor(rng() * 4);
    const dx = Math.floor(rng() * (dy + 1));
    const cur = totals.get(u) ?? { x: 0, y: 0, p: u % 7, q: (u % 5) * 2 };
    growRatioAt(buf, RATIO_SLOT, cur.x, cur.y, dx, dy, cur.p, cur.q);
    totals.set(u, { ...cur, x: cur.x + dx, y: cur.y + dy });
  }
  assert.deepEqual(ratioAt(buf, RATIO_SLOT), cell([...totals.values()]));
  assert.deepEqual(ratioAt(buf, 0), emptyCovariateRatio(), 'the neighbouring slots are untouched');
  // Kish: n users of equal weight are worth n; one user with half the impressions caps it near 4.
  const even = cell(Array.from({ length: 100 }, () => ({ x: 1, y: 5, p: 0, q: 0 })));
  assert.ok(Math.abs(effectiveUsers(even) - 100) < 1e-9);
  const skewed = cell([{ x: 1, y: 500, p: 0, q: 0 }, ...Array.from({ length: 100 }, () => ({ x: 1, y: 5, p: 0, q: 0 }))]);
  assert.ok(effectiveUsers(skewed) < 4.1);
});

test('confidence sequence: the radius is where the mixture likelihood ratio reaches 1/α; tuned, it is tightest at the planned end', () => {
  for (const [v, tau2, alpha] of [
    [0.01, 0.05, 0.05],
    [2, 0.3, 0.01],
    [1e-4, 1e-3, 0.1],
  ]) {
    const r = confidenceSequenceRadius(v, tau2, alpha);
    assert.ok(Math.abs(mixtureLikelihoodRatio(r, v, tau2) * alpha - 1) < 1e-9);
    assert.ok(mixtureLikelihoodRatio(0.99 * r, v, tau2) < 1 / alpha);
  }
  const v = 0.003;
  const tau2 = mixtureVarianceFor(v, 0.05);
  for (const other of [tau2 / 2, tau2 * 2]) assert.ok(confidenceSequenceRadius(v, other, 0.05) > confidenceSequenceRadius(v, tau2, 0.05));
  // Wider than the fixed-horizon interval, but not by much where it was tuned.
  const ratio = confidenceSequenceRadius(v, tau2, 0.05) / (normalQuantile(0.975) * Math.sqrt(v));
  assert.ok(ratio > 1.3 && ratio < 1.7, `inflation ${ratio}`);
});

test('peeking at 10 looks: a fixed-horizon test rejects a true null far more than α, the confidence sequence at most α', () => {
  // A Gaussian estimate accumulating over 10 equal looks (a running mean), its null true.
  const rng = seedrandom('peeking');
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const paths = 4000;
  const looks = 10;
  const z = normalQuantile(0.975);
  const tau2 = mixtureVarianceFor(1 / looks, 0.05);
  let naive = 0;
  let seq = 0;
  for (let k = 0; k < paths; k++) {
    let sum = 0;
    let rejectedNaive = false;
    let rejectedSeq = false;
    for (let l = 1; l <= looks; l++) {
      sum += normal();
      const est = sum / l;
      const v = 1 / l;
      if (Math.abs(est) > z * Math.sqrt(v)) rejectedNaive = true;
      if (mixtureLikelihoodRatio(est, v, tau2) >= 1 / 0.05) rejectedSeq = true;
    }
    if (rejectedNaive) naive++;
    if (rejectedSeq) seq++;
  }
  // Armitage et al. (1969): about 19% at 10 looks; 4,000 paths put the rate within ±1.3 points.
  assert.ok(naive / paths > 0.16, `naive peeking rejected ${naive / paths}`);
  assert.ok(seq / paths < 0.05, `sequential rejected ${seq / paths}`);
});
