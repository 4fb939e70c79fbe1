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
// Built in two steps: buildTruth makes every term but b_d (a RawTruth, which generating the logged
// traffic needs), and world.ts calibrates b_d on that traffic (calibrate.ts) into a Truth.
import type { Scenario } from '../scenario/schema.js';
import type { Layout } from './layout.js';
import type { Items, Users } from './population.js';
import { stream, type Rng } from './rng.js';
import { directions, dot, entityLatents, gaussianVec, projectRows, std, type FeatureLatents } from './latents.js';

/** The truth's terms, named after the formula above, before the domain biases b_d are calibrated. */
export interface RawTruth extends FeatureLatents {
  /** Per numeric context feature and domain: the mean shift of its values (domainShift). */
  numShift: Float64Array[];
  /** Per categorical context feature and domain: a value permutation applied with probability domainShift. */
  catShift: (Int32Array[] | null)[];
  /** w_d per domain: the click direction, scaled so that s has unit spread. */
  clickDir: Float32Array[];
  /** The conversion's own direction per domain (its share of the conversion logit is convOwn). */
  convDir: Float32Array[];
  /** The sines' frequencies α_k and phases β_k (m = truth.sines of them). */
  sineFreq: Float64Array;
  sinePhase: Float64Array;
  /** The scale of the feature-driven effect (truth.main) and the conversion's own share (truth.conversionOwn). */
  main: number;
  convOwn: number;
  /** B_d[u] per domain: each user's taste [users × L]. */
  userTaste: Float32Array[];
  /** Ĩ_d[i] per domain: the item latent at unit variance per coordinate [items × L], what a taste is dotted with. */
  itemTaste: Float32Array[];
  /**
   * Per domain, the feature-driven effect split by who contributes it: w_d · U_d[u] and w_d · I_d[i]
   * (and the conversion direction's), so a row's s is three additions instead of an L-dot product.
   */
  userEffect: Float64Array[];
  userConvEffect: Float64Array[];
  itemEffect: Float64Array[];
  itemConvEffect: Float64Array[];
  /** M_d per domain [L × L] and the scale that gives the interaction its configured size. */
  interaction: Float32Array[];
  interactionScale: Float64Array;
  /** ι_u: every user's idiosyncratic taste [users × L] (for analysis: who has strong personal preferences). */
  idiosyncratic: Float32Array;
  /** ν: newcomers' shared preference (null when users.novice.scale is 0), its scale and half-life. */
  novice: Float32Array | null;
  noviceScale: number;
  noviceHalfLife: number;
  /** δ_u: users.interestDrift's per-user direction of taste over the timeline (scaled by the drift), or null. */
  interest: Float32Array | null;
  /** truth.fitted: per domain, the fitted logit of every item (0 outside the catalogue) and of every slate position; null without it. */
  itemLogit: Float64Array[] | null;
  positionLogit: Float64Array[] | null;
}

/** The truth with b_d: the domains' click and conversion biases, calibrated on the logged traffic to the base rates. */
export interface Truth extends RawTruth {
  bias: Float64Array;
  convBias: Float64Array;
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
 * the loop instead of running it inside buildTruth's body.
 */
function userTasteInto(
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

/** Each feature's latents (the summed latent has about unit variance per coordinate) and the context features' domain shifts. */
function featureLatents(layout: Layout, seed: number, L: number, D: number): FeatureLatents & Pick<RawTruth, 'numShift' | 'catShift'> {
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
  return { dim: L, catLatent, numDir, numShift, catShift };
}

/** The domains' correlated functions before scaling: w_d and the conversion's direction, the sines, M_d (cos = correlation). */
function domainFunctions(s: Scenario, seed: number, L: number, D: number) {
  const p = s.truth.correlation;
  const rng = stream(seed, 'truth');
  const dirs = directions(rng, 2 * D + 2, L);
  const mix = (shared: Float32Array, own: Float32Array) => shared.map((x, k) => Math.sqrt(p) * x + Math.sqrt(1 - p) * own[k]);
  const clickDir = Array.from({ length: D }, (_, d) => mix(dirs[0], dirs[1 + d]));
  const convDir = Array.from({ length: D }, (_, d) => mix(dirs[D + 1], dirs[D + 2 + d]));
  const m = s.truth.sines;
  const sineFreq = Float64Array.from({ length: m }, () => 1.5 * rng.normal());
  const sinePhase = Float64Array.from({ length: m }, () => rng.normal());
  const M0 = gaussianVec(rng, L * L, 1 / Math.sqrt(L));
  const interaction = Array.from({ length: D }, () => mix(M0, gaussianVec(rng, L * L, 1 / Math.sqrt(L))));
  return { clickDir, convDir, sineFreq, sinePhase, interaction };
}

/** Every term of the formula but the domain biases (world.ts calibrates those on the logged traffic). */
export function buildTruth(s: Scenario, layout: Layout, users: Users, items: Items, seed: number): RawTruth {
  const L = s.truth.latentDim;
  const D = layout.domains.length;
  const features = featureLatents(layout, seed, L, D);
  const { clickDir, convDir, sineFreq, sinePhase, interaction } = domainFunctions(s, seed, L, D);
  const userEffect: Float64Array[] = [];
  const userConvEffect: Float64Array[] = [];
  const itemEffect: Float64Array[] = [];
  const itemConvEffect: Float64Array[] = [];
  const itemTaste: Float32Array[] = [];
  const userTaste: Float32Array[] = [];
  const interactionScale = new Float64Array(D);
  const idiosyncratic = gaussianVec(stream(seed, 'truth:users'), users.count * L, s.users.idiosyncratic / Math.sqrt(L));
  const every = { exposedCat: layout.categorical.map(() => true), exposedNum: layout.numeric.map(() => true) };
  const uzAll = entityLatents(layout, features, users, { source: 'user', ...every, itemIds: false });
  const izAll = entityLatents(layout, features, items, { source: 'item', ...every, itemIds: true });
  let drift: Float64Array | undefined;
  for (let d = 0; d < D; d++) {
    const exposed = { exposedCat: layout.exposesCat[d], exposedNum: layout.exposesNum[d] };
    const uz = entityLatents(layout, features, users, { source: 'user', ...exposed, itemIds: false });
    const iz = entityLatents(layout, features, items, { source: 'item', ...exposed, itemIds: true });
    // Scales are set on latents with every feature exposed, identically for all domains, so that with
    // correlation 1 every domain has the same function of the same inputs.
    const { sv, iv } = scaleSamples(stream(seed, 'truth:calibrate'), uzAll, izAll, users.count, items.count, clickDir[d], interaction[d], L);
    const ws = std(sv);
    clickDir[d] = clickDir[d].map((x) => x / ws);
    convDir[d] = convDir[d].map((x) => x / ws);
    interactionScale[d] = s.truth.interaction / std(iv);
    // Item latent at unit variance per coordinate for the user-taste term.
    const qs = std(izAll);
    const ub = new Float32Array(users.count * L);
    drift ??= new Float64Array(users.count * L);
    stream(seed, `truth:drift:${layout.domains[d]}`).normals(drift, 0, users.count * L);
    userTasteInto(uz, interaction[d], idiosyncratic, drift, interactionScale[d], qs, s.users.drift / Math.sqrt(L), users.count, L, ub);
    userEffect.push(projectRows(uz, users.count, clickDir[d], L));
    userConvEffect.push(projectRows(uz, users.count, convDir[d], L));
    itemEffect.push(projectRows(iz, items.count, clickDir[d], L));
    itemConvEffect.push(projectRows(iz, items.count, convDir[d], L));
    itemTaste.push(iz.map((x) => x / qs));
    userTaste.push(ub);
  }
  return {
    ...features,
    clickDir,
    convDir,
    sineFreq,
    sinePhase,
    main: s.truth.main,
    convOwn: s.truth.conversionOwn,
    userTaste,
    itemTaste,
    idiosyncratic,
    interaction,
    interactionScale,
    userEffect,
    userConvEffect,
    itemEffect,
    itemConvEffect,
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
export function rawLogits(t: RawTruth, d: number, u: number, i: number, ctx: Float32Array, co: number, experience: number, time = 0): [number, number] {
  rawLogitsInto(t, d, u, i, ctx, co, experience, SCRATCH, 0, time);
  return [SCRATCH[0], SCRATCH[1]];
}
const SCRATCH = new Float64Array(2);

/** rawLogits without an allocation: click at out[at], conversion at out[at + 1]. */
export function rawLogitsInto(
  t: RawTruth,
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
export function contextTerms(t: RawTruth, d: number, ctx: Float32Array, co: number, out: Float64Array, at: number): void {
  out[at] = dot(t.clickDir[d], 0, ctx, co, t.dim);
  out[at + 1] = dot(t.convDir[d], 0, ctx, co, t.dim);
}

/**
 * rawLogitsInto given the request's context terms (computed once for all of a request's rows).
 * `time`: the request's place on the timeline, 0 at the first logged request and 1 at the end of the
 * test (matters only with users.interestDrift).
 */
export function logitsWithContext(
  t: RawTruth,
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
  const s = t.userEffect[d][u] + t.itemEffect[d][i] + ctxS;
  const sc = t.userConvEffect[d][u] + t.itemConvEffect[d][i] + ctxSc;
  const ub = t.userTaste[d];
  const iq = t.itemTaste[d];
  const uo = u * L;
  const io = i * L;
  let personal = 0;
  for (let k = 0; k < L; k++) personal += ub[uo + k] * iq[io + k];
  if (t.interest) {
    let moved = 0;
    for (let k = 0; k < L; k++) moved += t.interest[uo + k] * iq[io + k];
    personal += time * moved;
  }
  const alpha = t.sineFreq;
  const beta = t.sinePhase;
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
