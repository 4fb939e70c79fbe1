// The ground truth: click and conversion probabilities as known functions of who, what, where.
//
// logit_click(u, i, d, c) = b_d + main · (s + Σ_k sin(α_k s + β_k) / √m) + B_d[u] · Ĩ_d[i]
//   s      = w_d · (U_d[u] + I_d[i] + C_d[c])            feature-driven effect, the MMoE generator
//   w_d    = √p · w_0 + √(1-p) · v_d  (orthonormal w_0, v_d)  so that cos(w_d, w_e) = p
//   B_d[u] = interaction · M_dᵀ U_d[u] + ι_u + drift · η_{u,d}
//   M_d    = √p · M_0 + √(1-p) · M'_d                        user × item effect with the same correlation
// U_d, I_d, C_d sum latent vectors of the features domain d exposes (so a feature a domain does not
// log does not move its outcomes); ι_u is the user's idiosyncratic taste, learnable only from that
// user's own history; b_d is calibrated so the domain's mean CTR on logged traffic is its base CTR.
// With users.novice, a user with n impressions of experience adds novice · 2^(−n / halfLife) · ν · Ĩ_d[i]:
// one preference ν shared by every newcomer, fading as they gain experience. With users.interestDrift
// the taste moves in time: B_d[u] + τ · δ_u, τ ∈ [0, 1] the request's place on the whole timeline.
// Conversion (drawn only after a click) uses its own direction mixed with the click direction.
// A fitted truth (truth.fitted, from real logs) adds a logit per (domain, item) everywhere and one
// per (domain, position) on logged rows; the replay applies positions as abtest.positionBias.
import type { Scenario } from '../scenario/schema.js';
import type { Layout } from './layout.js';
import type { Items, Users } from './population.js';
import { stream, type Rng } from './rng.js';

export interface Truth {
  dim: number;
  catLatent: Float32Array[];
  numDir: Float32Array[];
  /** Per numeric context feature and domain: the mean shift of its values. */
  numShift: Float64Array[];
  /** Per categorical context feature and domain: a value permutation applied with probability domainShift. */
  catShift: (Int32Array[] | null)[];
  w: Float32Array[];
  wConv: Float32Array[];
  alpha: Float64Array;
  beta: Float64Array;
  main: number;
  convOwn: number;
  bias: Float64Array;
  convBias: Float64Array;
  userB: Float32Array[];
  /** Item latent scaled to unit variance per coordinate, for the user-taste term. */
  itemQ: Float32Array[];
  /**
   * Per domain, the feature-driven effect split by who contributes it: w_d · U_d[u] and w_d · I_d[i]
   * (and the conversion direction's), so a row's s is three additions instead of an L-dot product.
   */
  userS: Float64Array[];
  userSc: Float64Array[];
  itemS: Float64Array[];
  itemSc: Float64Array[];
  /** User × item matrices and the scale that gives the interaction its configured size. */
  M: Float32Array[];
  interScale: Float64Array;
  /** The idiosyncratic taste vectors (for analysis: who has strong personal preferences). */
  idio: Float32Array;
  /** Newcomers' shared preference (null when users.novice.scale is 0), its scale and half-life. */
  novice: Float32Array | null;
  noviceScale: number;
  noviceHalfLife: number;
  /** users.interestDrift: per user, the direction their taste moves in over the timeline (scaled by the drift), or null. */
  interest: Float32Array | null;
  /** truth.fitted: per domain, the fitted logit of every item (0 outside the catalogue) and of every slate position; null without it. */
  itemLogit: Float64Array[] | null;
  positionLogit: Float64Array[] | null;
}

function gaussianVec(rng: Rng, n: number, scale: number): Float32Array {
  const z = new Float64Array(n);
  rng.normals(z, 0, n);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = z[i] * scale;
  return v;
}

function dot(a: ArrayLike<number>, ao: number, b: ArrayLike<number>, bo: number, n: number): number {
  let s = 0;
  for (let k = 0; k < n; k++) s += a[ao + k] * b[bo + k];
  return s;
}

/** Orthonormal directions by Gram–Schmidt; past the dimension they are random unit vectors. */
function directions(rng: Rng, count: number, dim: number): Float32Array[] {
  const out: Float32Array[] = [];
  for (let c = 0; c < count; c++) {
    const v = gaussianVec(rng, dim, 1);
    for (const u of out.slice(0, Math.min(out.length, dim - 1))) {
      const p = dot(v, 0, u, 0, dim);
      for (let k = 0; k < dim; k++) v[k] -= p * u[k];
    }
    const n = Math.sqrt(dot(v, 0, v, 0, dim)) || 1;
    for (let k = 0; k < dim; k++) v[k] /= n;
    out.push(v);
  }
  return out;
}

function std(xs: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < xs.length; i++) m += xs[i];
  m /= xs.length;
  let v = 0;
  for (let i = 0; i < xs.length; i++) v += (xs[i] - m) ** 2;
  return Math.sqrt(v / Math.max(1, xs.length - 1)) || 1;
}

/**
 * Sum of the latents of a source's exposed features for every entity: [count × dim]. Accumulated in
 * float32 (fround after every addition, in feature order), entity by entity so each row is written once.
 */
function entityLatents(
  layout: Layout,
  t: Pick<Truth, 'catLatent' | 'numDir' | 'dim'>,
  source: 'user' | 'item',
  ent: Users | Items,
  expCat: boolean[],
  expNum: boolean[],
  itemIds: boolean,
): Float32Array {
  const L = t.dim;
  const out = new Float32Array(ent.count * L);
  // The contributing features: categorical latent tables with each entity's values (null: the entity's
  // own index, for item IDs), then numeric directions with each entity's values.
  const cats: { lat: Float32Array; values: Int32Array | null }[] = [];
  layout.categorical.forEach((f, j) => {
    if (f.source !== source || !expCat[j]) return;
    const values = f.name === 'item_id' ? null : ent.cat[j]!;
    if (values || itemIds) cats.push({ lat: t.catLatent[j], values });
  });
  const nums: { dir: Float32Array; values: Float32Array }[] = [];
  layout.numeric.forEach((f, j) => {
    if (f.source === source && expNum[j]) nums.push({ dir: t.numDir[j], values: ent.num[j]! });
  });
  const acc = new Float64Array(L);
  for (let e = 0; e < ent.count; e++) {
    acc.fill(0);
    for (const { lat, values } of cats) {
      const lo = (values ? values[e] : e + 1) * L;
      for (let k = 0; k < L; k++) acc[k] = Math.fround(acc[k] + lat[lo + k]);
    }
    for (const { dir, values } of nums) {
      const x = values[e];
      for (let k = 0; k < L; k++) acc[k] = Math.fround(acc[k] + x * dir[k]);
    }
    const o = e * L;
    for (let k = 0; k < L; k++) out[o + k] = acc[k];
  }
  return out;
}

/** Each row of z [count × L] dotted with dir. */
function projectRows(z: Float32Array, count: number, dir: Float32Array, L: number): Float64Array {
  const out = new Float64Array(count);
  for (let e = 0; e < count; e++) out[e] = dot(dir, 0, z, e * L, L);
  return out;
}

/**
 * For 2000 random (user, item) pairs with every feature exposed: the feature-driven effect w·(U + I)
 * and the interaction Uᵀ M I, whose spreads set the domain's scales.
 */
function scaleSamples(
  rng: Rng,
  uzAll: Float32Array,
  izAll: Float32Array,
  users: number,
  items: number,
  w: Float32Array,
  M: Float32Array,
  L: number,
): { sv: Float64Array; iv: Float64Array } {
  const sv = new Float64Array(2000);
  const iv = new Float64Array(2000);
  const tmp = new Float64Array(L);
  for (let k = 0; k < sv.length; k++) {
    const u = rng.int(users) * L;
    const i = rng.int(items) * L;
    let acc = 0;
    for (let a = 0; a < L; a++) acc += w[a] * (uzAll[u + a] + izAll[i + a]);
    sv[k] = acc;
    tmp.fill(0);
    for (let a = 0; a < L; a++) for (let b = 0; b < L; b++) tmp[b] += uzAll[u + a] * M[a * L + b];
    iv[k] = dot(tmp, 0, izAll, i, L);
  }
  return { sv, iv };
}

/**
 * Each user's taste vector in one domain: B[u] = interaction · (M_dᵀ U_d[u]) · qs + ι_u + drift · η_u
 * (see the top of this file), written to `out` [count × L]. The interaction term is uzᵀ M iz; folding
 * the item latent's scale qs in lets it share the ι · q product. A function of its own so V8 optimises
 * the loop instead of running it inside buildTruth's large body.
 */
function userTaste(
  uz: Float32Array,
  M: Float32Array,
  idio: Float32Array,
  eta: Float64Array,
  intScale: number,
  qs: number,
  driftScale: number,
  count: number,
  L: number,
  out: Float32Array,
): void {
  const M64 = Float64Array.from(M);
  const row = new Float64Array(L);
  for (let u = 0; u < count; u++) {
    const o = u * L;
    for (let a = 0; a < L; a++) row[a] = uz[o + a];
    for (let b = 0; b < L; b++) {
      let acc = 0;
      for (let a = 0; a < L; a++) acc += row[a] * M64[a * L + b];
      out[o + b] = intScale * acc * qs + idio[o + b] + driftScale * eta[o + b];
    }
  }
}

/** truth.fitted laid out per domain over the global items (a catalogue's j-th item gets its j-th logit). */
function fittedLogits(s: Scenario, items: Items): { itemLogit: Float64Array[] | null; positionLogit: Float64Array[] | null } {
  const f = s.truth.fitted;
  if (!f) return { itemLogit: null, positionLogit: null };
  const itemLogit = s.domains.map((d, k) => {
    const out = new Float64Array(items.count);
    const fd = f.domains[d.name];
    if (fd) items.catalogues[k].forEach((i, j) => (out[i] = fd.items[j] ?? 0));
    return out;
  });
  const positionLogit = s.domains.map((d) => Float64Array.from({ length: d.slate }, (_, j) => f.domains[d.name]?.positions[j] ?? 0));
  return { itemLogit, positionLogit };
}

export function buildTruth(s: Scenario, layout: Layout, users: Users, items: Items, seed: number): Truth {
  const L = s.truth.latentDim;
  const D = layout.domains.length;
  const p = s.truth.correlation;
  // Feature latents are scaled so that the summed latent has about unit variance per coordinate.
  const totalWeight2 = [...layout.categorical, ...layout.numeric].reduce((a, f) => a + f.weight * f.weight, 0) || 1;
  const catLatent = layout.categorical.map((f) => {
    const rng = stream(seed, `truth:feature:${f.name}`);
    const lat = new Float32Array((f.vocab + 1) * L);
    const sc = f.weight / Math.sqrt(totalWeight2);
    for (let i = L; i < lat.length; i++) lat[i] = rng.normal() * sc;
    return lat;
  });
  const numDir = layout.numeric.map((f) => gaussianVec(stream(seed, `truth:feature:${f.name}`), L, f.weight / Math.sqrt(totalWeight2)));
  const shiftRng = stream(seed, 'truth:shift');
  const numShift = layout.numeric.map((f) => Float64Array.from({ length: D }, () => (f.source === 'context' ? 2 * f.domainShift * shiftRng.normal() : 0)));
  const catShift = layout.categorical.map((f) => {
    if (f.source !== 'context' || f.domainShift === 0) return null;
    return Array.from({ length: D }, () => {
      const perm = new Int32Array(f.vocab + 1);
      for (let i = 0; i <= f.vocab; i++) perm[i] = i;
      for (let i = f.vocab; i > 1; i--) {
        const j = 1 + shiftRng.int(i);
        [perm[i], perm[j]] = [perm[j], perm[i]];
      }
      return perm;
    });
  });

  const rng = stream(seed, 'truth');
  const dirs = directions(rng, 2 * D + 2, L);
  const mix = (shared: Float32Array, own: Float32Array) => shared.map((x, k) => Math.sqrt(p) * x + Math.sqrt(1 - p) * own[k]);
  const w = Array.from({ length: D }, (_, d) => mix(dirs[0], dirs[1 + d]));
  const wConvOwn = Array.from({ length: D }, (_, d) => mix(dirs[D + 1], dirs[D + 2 + d]));
  const m = s.truth.sines;
  const alpha = Float64Array.from({ length: m }, () => 1.5 * rng.normal());
  const beta = Float64Array.from({ length: m }, () => rng.normal());
  const M0 = gaussianVec(rng, L * L, 1 / Math.sqrt(L));
  const M = Array.from({ length: D }, () => mix(M0, gaussianVec(rng, L * L, 1 / Math.sqrt(L))));

  const partial = { catLatent, numDir, dim: L };
  const userS: Float64Array[] = [];
  const userSc: Float64Array[] = [];
  const itemS: Float64Array[] = [];
  const itemSc: Float64Array[] = [];
  const itemQ: Float32Array[] = [];
  const userB: Float32Array[] = [];
  const interScale = new Float64Array(D);
  const uRng = stream(seed, 'truth:users');
  const idio = gaussianVec(uRng, users.count * L, s.users.idiosyncratic / Math.sqrt(L));
  const uzAll = entityLatents(
    layout,
    partial,
    'user',
    users,
    layout.categorical.map(() => true),
    layout.numeric.map(() => true),
    false,
  );
  const izAll = entityLatents(
    layout,
    partial,
    'item',
    items,
    layout.categorical.map(() => true),
    layout.numeric.map(() => true),
    true,
  );
  let drift: Float64Array | undefined;
  for (let d = 0; d < D; d++) {
    const uz = entityLatents(layout, partial, 'user', users, layout.exposesCat[d], layout.exposesNum[d], false);
    const iz = entityLatents(layout, partial, 'item', items, layout.exposesCat[d], layout.exposesNum[d], true);
    // Scales are set on latents with every feature exposed, identically for all domains, so that with
    // correlation 1 every domain has the same function of the same inputs.
    const { sv, iv } = scaleSamples(stream(seed, 'truth:calibrate'), uzAll, izAll, users.count, items.count, w[d], M[d], L);
    const Md = M[d];
    const ws = std(sv);
    w[d] = w[d].map((x) => x / ws);
    wConvOwn[d] = wConvOwn[d].map((x) => x / ws);
    const intScale = s.truth.interaction / std(iv);
    interScale[d] = intScale;
    // Item latent at unit variance per coordinate for the user-taste term.
    const qs = std(izAll);
    const iq = iz.map((x) => x / qs);
    const ub = new Float32Array(users.count * L);
    const driftScale = s.users.drift / Math.sqrt(L);
    drift ??= new Float64Array(users.count * L);
    stream(seed, `truth:drift:${layout.domains[d]}`).normals(drift, 0, users.count * L);
    userTaste(uz, Md, idio, drift, intScale, qs, driftScale, users.count, L, ub);
    userS.push(projectRows(uz, users.count, w[d], L));
    userSc.push(projectRows(uz, users.count, wConvOwn[d], L));
    itemS.push(projectRows(iz, items.count, w[d], L));
    itemSc.push(projectRows(iz, items.count, wConvOwn[d], L));
    itemQ.push(iq);
    userB.push(ub);
  }
  return {
    dim: L,
    catLatent,
    numDir,
    numShift,
    catShift,
    w,
    wConv: wConvOwn,
    alpha,
    beta,
    main: s.truth.main,
    convOwn: s.truth.conversionOwn,
    bias: new Float64Array(D),
    convBias: new Float64Array(D),
    userB,
    itemQ,
    idio,
    M,
    interScale,
    userS,
    userSc,
    itemS,
    itemSc,
    novice: s.users.novice.scale > 0 ? gaussianVec(stream(seed, 'truth:novice'), L, 1 / Math.sqrt(L)) : null,
    interest: s.users.interestDrift ? gaussianVec(stream(seed, 'truth:interest-drift'), users.count * L, s.users.interestDrift / Math.sqrt(L)) : null,
    noviceScale: s.users.novice.scale,
    noviceHalfLife: s.users.novice.halfLife,
    ...fittedLogits(s, items),
  };
}

/**
 * Click and conversion logits without the domain biases. `ctx` holds the context latent at `co`;
 * `experience` is the user's impressions before this one (matters only with users.novice).
 */
export function rawLogits(t: Truth, d: number, u: number, i: number, ctx: Float32Array, co: number, experience: number, time = 0): [number, number] {
  rawLogitsInto(t, d, u, i, ctx, co, experience, SCRATCH, 0, time);
  return [SCRATCH[0], SCRATCH[1]];
}
const SCRATCH = new Float64Array(2);

/** rawLogits without an allocation: click at out[at], conversion at out[at + 1]. */
export function rawLogitsInto(
  t: Truth,
  d: number,
  u: number,
  i: number,
  ctx: Float32Array,
  co: number,
  experience: number,
  out: Float64Array,
  at: number,
  time = 0,
): void {
  contextTerms(t, d, ctx, co, CONTEXT, 0);
  logitsWithContext(t, d, u, i, CONTEXT[0], CONTEXT[1], experience, out, at, time);
}
const CONTEXT = new Float64Array(2);

/** A request context's share of s and of the conversion direction's product: out[at], out[at + 1]. */
export function contextTerms(t: Truth, d: number, ctx: Float32Array, co: number, out: Float64Array, at: number): void {
  out[at] = dot(t.w[d], 0, ctx, co, t.dim);
  out[at + 1] = dot(t.wConv[d], 0, ctx, co, t.dim);
}

/**
 * rawLogitsInto given the request's context terms (computed once for all of a request's rows).
 * `time`: the request's place on the timeline, 0 at the first logged request and 1 at the end of the
 * test (matters only with users.interestDrift).
 */
export function logitsWithContext(
  t: Truth,
  d: number,
  u: number,
  i: number,
  ctxS: number,
  ctxSc: number,
  experience: number,
  out: Float64Array,
  at: number,
  time = 0,
): void {
  const L = t.dim;
  const s = t.userS[d][u] + t.itemS[d][i] + ctxS;
  const sc = t.userSc[d][u] + t.itemSc[d][i] + ctxSc;
  const ub = t.userB[d];
  const iq = t.itemQ[d];
  const uo = u * L;
  const io = i * L;
  let personal = 0;
  for (let k = 0; k < L; k++) personal += ub[uo + k] * iq[io + k];
  if (t.interest) {
    let moved = 0;
    for (let k = 0; k < L; k++) moved += t.interest[uo + k] * iq[io + k];
    personal += time * moved;
  }
  const alpha = t.alpha;
  const beta = t.beta;
  const m = alpha.length;
  let nl = 0;
  for (let k = 0; k < m; k++) nl += Math.sin(alpha[k] * s + beta[k]);
  if (m > 0) nl /= Math.sqrt(m);
  let click = t.main * (s + nl) + personal;
  if (t.itemLogit) click += t.itemLogit[d][i];
  if (t.novice) {
    let pref = 0;
    for (let k = 0; k < L; k++) pref += t.novice[k] * iq[io + k];
    click += t.noviceScale * Math.pow(2, -experience / t.noviceHalfLife) * pref;
  }
  out[at] = click;
  out[at + 1] = t.main * (Math.sqrt(1 - t.convOwn * t.convOwn) * s + t.convOwn * sc);
}

export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/**
 * The bias b with mean(sigmoid(b + raw)) = target (weights optional). See calibrateBiasScaled, which
 * takes exp(−raw) instead of raw.
 */
export function calibrateBias(raw: Float64Array | Float32Array, target: number, weights?: ArrayLike<number>): number {
  const e = new Float64Array(raw.length);
  for (let j = 0; j < raw.length; j++) e[j] = Math.exp(-raw[j]);
  return calibrateBiasScaled(e, target, weights);
}

/**
 * The bias b with mean(1 / (1 + e^−b · expNeg[j])) = target, i.e. mean(sigmoid(b + raw)) with
 * expNeg = exp(−raw) computed once by the caller, so a pass costs a multiply and a divide per row
 * instead of an exp. Newton's method on the monotone mean, kept inside a shrinking bracket (a
 * bisection step whenever Newton would leave it): about six passes instead of bisection's sixty.
 */
export function calibrateBiasScaled(expNeg: Float64Array, target: number, weights?: ArrayLike<number>): number {
  let wsum = 0;
  if (weights) for (let j = 0; j < expNeg.length; j++) wsum += weights[j];
  else wsum = expNeg.length;
  if (wsum === 0) return 0;
  let lo = -30;
  let hi = 30;
  let b = Math.log(target / (1 - target));
  for (let it = 0; it < 100; it++) {
    const eb = Math.exp(-b);
    let acc = 0;
    let slope = 0;
    if (weights) {
      for (let j = 0; j < expNeg.length; j++) {
        const p = 1 / (1 + eb * expNeg[j]);
        const wp = weights[j] * p;
        acc += wp;
        slope += wp * (1 - p);
      }
    } else {
      for (let j = 0; j < expNeg.length; j++) {
        const p = 1 / (1 + eb * expNeg[j]);
        acc += p;
        slope += p * (1 - p);
      }
    }
    const f = acc / wsum - target;
    if (f > 0) hi = b;
    else lo = b;
    if (Math.abs(f) < 1e-13 || hi - lo < 1e-12) break;
    const step = slope > 0 ? b - f / (slope / wsum) : NaN;
    b = step > lo && step < hi ? step : (lo + hi) / 2;
  }
  return b;
}

/**
 * Domain functions on shared inputs, for checking the configured correlation: for `samples` random
 * (user, item) pairs with every feature exposed, the pairwise Pearson correlation of
 * main·(s + sines) + interaction between domains (biases and personal taste excluded).
 */
export function domainCorrelation(t: Truth, layout: Layout, users: Users, items: Items, seed: number, samples = 4000): number[][] {
  const D = layout.domains.length;
  const L = t.dim;
  const allCat = layout.categorical.map(() => true);
  const allNum = layout.numeric.map(() => true);
  const uz = entityLatents(layout, t, 'user', users, allCat, allNum, false);
  const iz = entityLatents(layout, t, 'item', items, allCat, allNum, true);
  const rng = stream(seed, 'truth:correlation-check');
  const vals = Array.from({ length: D }, () => new Float64Array(samples));
  for (let k = 0; k < samples; k++) {
    const uo = rng.int(users.count) * L;
    const io = rng.int(items.count) * L;
    for (let d = 0; d < D; d++) {
      let sv = 0;
      for (let a = 0; a < L; a++) sv += t.w[d][a] * (uz[uo + a] + iz[io + a]);
      let nl = 0;
      for (let j = 0; j < t.alpha.length; j++) nl += Math.sin(t.alpha[j] * sv + t.beta[j]);
      if (t.alpha.length) nl /= Math.sqrt(t.alpha.length);
      let inter = 0;
      const Md = t.M[d];
      for (let a = 0; a < L; a++) for (let b = 0; b < L; b++) inter += uz[uo + a] * Md[a * L + b] * iz[io + b];
      vals[d][k] = t.main * (sv + nl) + t.interScale[d] * inter;
    }
  }
  const corr = (a: Float64Array, b: Float64Array) => {
    let ma = 0,
      mb = 0;
    for (let i = 0; i < a.length; i++) {
      ma += a[i];
      mb += b[i];
    }
    ma /= a.length;
    mb /= b.length;
    let sab = 0,
      saa = 0,
      sbb = 0;
    for (let i = 0; i < a.length; i++) {
      sab += (a[i] - ma) * (b[i] - mb);
      saa += (a[i] - ma) ** 2;
      sbb += (b[i] - mb) ** 2;
    }
    return sab / Math.sqrt(saa * sbb);
  };
  return vals.map((a) => vals.map((b) => corr(a, b)));
}
