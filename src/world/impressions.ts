// A world's logged impressions as columns, the periods they fall in and the user segments read off
// them: what every later stage (datasets, OPE, the replay's scopes) names a row or a user by.

export const PERIODS = ['train', 'valid', 'test'] as const;
export type Period = (typeof PERIODS)[number];
export const SEGMENTS = ['heavy', 'tail', 'cold'] as const;

/** Logged impressions, one row per shown item, columnar. */
export interface Impressions {
  n: number;
  request: Int32Array;
  time: Int32Array;
  period: Uint8Array;
  user: Int32Array;
  domain: Uint8Array;
  item: Int32Array;
  position: Uint8Array;
  /** Per categorical feature (layout order): 1..vocab, 0 where the domain does not expose it. */
  cat: Int32Array[];
  /** Per numeric feature: the value, NaN where the domain does not expose it. */
  num: Float32Array[];
  click: Uint8Array;
  conv: Uint8Array;
  pClick: Float32Array;
  pConv: Float32Array;
  /** The user's impressions before this one (their experience; drives users.novice and POSO-style gates). */
  experience: Int32Array;
}

/** Heavy = the most active heavyShare of users with training history; cold = none in training. */
export function segmentUsers(imp: Impressions, userCount: number, heavyShare: number): { userSegment: Uint8Array; userTrainCount: Int32Array } {
  const count = new Int32Array(userCount);
  for (let j = 0; j < imp.n; j++) if (imp.period[j] === 0) count[imp.user[j]]++;
  const active = Array.from(count)
    .filter((c) => c > 0)
    .sort((a, b) => b - a);
  const heavyN = Math.max(1, Math.round(heavyShare * active.length));
  const threshold = active.length ? active[Math.min(heavyN, active.length) - 1] : Infinity;
  const seg = new Uint8Array(userCount);
  for (let u = 0; u < userCount; u++) seg[u] = count[u] === 0 ? 2 : count[u] >= threshold ? 0 : 1;
  return { userSegment: seg, userTrainCount: count };
}

/** Row indices of logged impressions in a period. */
export function periodRows(imp: Impressions, period: Period): Int32Array {
  const p = PERIODS.indexOf(period);
  let n = 0;
  for (let j = 0; j < imp.n; j++) if (imp.period[j] === p) n++;
  const out = new Int32Array(n);
  let k = 0;
  for (let j = 0; j < imp.n; j++) if (imp.period[j] === p) out[k++] = j;
  return out;
}
