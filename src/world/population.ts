// Users and items: their attributes (feature values), activity, popularity and catalogues.
import type { Scenario } from '../scenario/schema.js';
import type { Layout, Source } from './layout.js';
import { Discrete, permutation, stream, zipfByRank, zipfWeights, type Rng } from './rng.js';

export interface Entities {
  count: number;
  /** Per categorical feature of this source: value 1..vocab per entity (0 for other sources). */
  cat: (Int32Array | null)[];
  /** Per numeric feature of this source: value per entity. */
  num: (Float32Array | null)[];
}

export interface Users extends Entities {
  activity: Float64Array;
  /** Global time (fraction of the whole timeline) at which the user first exists; 0 for most. */
  birth: Float64Array;
}

export interface Items extends Entities {
  popularity: Float64Array;
  /** Item IDs served by each domain. */
  catalogues: Int32Array[];
}

/** Draw every entity's value for each feature of `source`, one stream per feature. */
function drawAttributes(layout: Layout, source: Source, count: number, seed: number): Entities {
  const cat = layout.categorical.map((f) => {
    if (f.source !== source || f.name === 'item_id') return null;
    const rng = stream(seed, `${source}:feature:${f.name}`);
    const dist = new Discrete(zipfByRank(f.vocab, f.skew));
    const v = new Int32Array(count);
    for (let i = 0; i < count; i++) v[i] = 1 + dist.sample(rng);
    return v;
  });
  const num = layout.numeric.map((f) => {
    if (f.source !== source) return null;
    const rng = stream(seed, `${source}:feature:${f.name}`);
    const v = new Float32Array(count);
    for (let i = 0; i < count; i++) v[i] = rng.normal();
    return v;
  });
  return { count, cat, num };
}

export function drawUsers(s: Scenario, layout: Layout, seed: number, trainEnd: number): Users {
  const n = s.users.count;
  const rng = stream(seed, 'users');
  const activity = zipfWeights(n, s.users.activitySkew, rng);
  const birth = new Float64Array(n);
  // Cold-start users arrive uniformly over the timeline after the training period.
  const cold = Math.round(s.users.coldStartShare * n);
  const order = permutation(n, rng);
  for (let k = 0; k < cold; k++) birth[order[k]] = trainEnd + (1 - trainEnd) * rng.next();
  return { ...drawAttributes(layout, 'user', n, seed), activity, birth };
}

export function drawItems(s: Scenario, layout: Layout, seed: number): Items {
  const m = s.items.count;
  const rng = stream(seed, 'items');
  const popularity = zipfWeights(m, s.items.popularitySkew, rng);
  const common = permutation(m, rng);
  const catalogues = s.domains.map((d) => {
    const size = Math.max(1, Math.round(d.catalogue * m));
    const shared = Math.round(s.items.overlap * size);
    const chosen = new Uint8Array(m);
    const out = new Int32Array(size);
    for (let k = 0; k < shared; k++) {
      out[k] = common[k];
      chosen[common[k]] = 1;
    }
    // The private part comes from the domain's own stream, so resizing one domain leaves the others.
    const own: Rng = stream(seed, `items:domain:${d.name}`);
    const rest = permutation(m, own);
    let k = shared;
    for (let j = 0; j < m && k < size; j++) {
      if (!chosen[rest[j]]) {
        out[k++] = rest[j];
        chosen[rest[j]] = 1;
      }
    }
    return out;
  });
  return { ...drawAttributes(layout, 'item', m, seed), popularity, catalogues };
}
