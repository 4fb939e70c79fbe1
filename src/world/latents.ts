// The latent-space arithmetic the truth is built from: Gaussian vectors, orthonormal directions, and
// each entity's summed feature latent (U_d[u], I_d[i] of truth.ts's formula).
import type { Layout } from './layout.js';
import type { Items, Users } from './population.js';
import type { Rng } from './rng.js';

export function gaussianVec(rng: Rng, n: number, scale: number): Float32Array {
  const z = new Float64Array(n);
  rng.normals(z, 0, n);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = z[i] * scale;
  return v;
}

export function dot(a: ArrayLike<number>, ao: number, b: ArrayLike<number>, bo: number, n: number): number {
  let s = 0;
  for (let k = 0; k < n; k++) s += a[ao + k] * b[bo + k];
  return s;
}

/** Orthonormal directions by Gram–Schmidt; past the dimension they are random unit vectors. */
export function directions(rng: Rng, count: number, dim: number): Float32Array[] {
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

export function std(xs: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < xs.length; i++) m += xs[i];
  m /= xs.length;
  let v = 0;
  for (let i = 0; i < xs.length; i++) v += (xs[i] - m) ** 2;
  return Math.sqrt(v / Math.max(1, xs.length - 1)) || 1;
}

/** Which features an entity's summed latent takes: its source's, those exposed (per feature), and item IDs or not. */
export interface LatentSum {
  source: 'user' | 'item';
  exposedCat: boolean[];
  exposedNum: boolean[];
  itemIds: boolean;
}

/**
 * Sum of the latents of a source's exposed features for every entity: [count × dim]. Accumulated in
 * float32 (fround after every addition, in feature order), entity by entity so each row is written once.
 */
/** The features' latents: a vector per categorical value, a direction per numeric feature, in L dimensions. */
export interface FeatureLatents {
  /** L, the latent dimension. */
  dim: number;
  /** Per categorical feature: a latent vector per value, [(vocab + 1) × L], row 0 the missing value (zeros). */
  catLatent: Float32Array[];
  /** Per numeric feature: its direction (a value contributes value × direction). */
  numDir: Float32Array[];
}

export function entityLatents(layout: Layout, t: FeatureLatents, ent: Users | Items, o: LatentSum): Float32Array {
  const L = t.dim;
  const out = new Float32Array(ent.count * L);
  // The contributing features: categorical latent tables with each entity's values (null: the entity's
  // own index, for item IDs), then numeric directions with each entity's values.
  const cats: { lat: Float32Array; values: Int32Array | null }[] = [];
  layout.categorical.forEach((f, j) => {
    if (f.source !== o.source || !o.exposedCat[j]) return;
    const values = f.name === 'item_id' ? null : ent.cat[j]!;
    if (values || o.itemIds) cats.push({ lat: t.catLatent[j], values });
  });
  const nums: { dir: Float32Array; values: Float32Array }[] = [];
  layout.numeric.forEach((f, j) => {
    if (f.source === o.source && o.exposedNum[j]) nums.push({ dir: t.numDir[j], values: ent.num[j]! });
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
export function projectRows(z: Float32Array, count: number, dir: Float32Array, L: number): Float64Array {
  const out = new Float64Array(count);
  for (let e = 0; e < count; e++) out[e] = dot(dir, 0, z, e * L, L);
  return out;
}
