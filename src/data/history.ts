// Each user's logged impressions in time order, for per-user adaptation: "the user's most recent
// impressions before the request".
import type { Dataset } from './dataset.js';

export interface History {
  /** Rows of user u are rows[start[u] .. start[u+1]), ordered by time. */
  start: Int32Array;
  rows: Int32Array;
  time: Int32Array;
}

export function buildHistory(ds: Dataset, users: number): History {
  const start = new Int32Array(users + 1);
  for (let r = 0; r < ds.n; r++) start[ds.user[r] + 1]++;
  for (let u = 0; u < users; u++) start[u + 1] += start[u];
  const fill = start.slice(0, users);
  const rows = new Int32Array(ds.n);
  // Logged rows are already in time order, so a counting sort by user keeps each user's in time order.
  for (let r = 0; r < ds.n; r++) rows[fill[ds.user[r]]++] = r;
  return { start, rows, time: ds.time };
}

/** Up to `k` of u's rows with time < t (the most recent ones), written to out; returns the count. */
export function recentRows(h: History, u: number, t: number, k: number, out: Int32Array, at = 0): number {
  const s = h.start[u];
  let lo = s;
  let hi = h.start[u + 1];
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (h.time[h.rows[mid]] < t) lo = mid + 1;
    else hi = mid;
  }
  const from = Math.max(s, lo - k);
  for (let j = from; j < lo; j++) out[at + j - from] = h.rows[j];
  return lo - from;
}
