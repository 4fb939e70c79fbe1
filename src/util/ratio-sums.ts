// The sums a ratio metric clustered by unit (clicks / impressions, each user or period one unit)
// needs for its delta-method variance (abtest/stats/ratio.ts): kept here, below every layer that
// accumulates them.

/** Per-user sums for a ratio metric Σx / Σy (e.g. clicks / impressions). */
export interface ClusteredRatio {
  users: number;
  sumX: number;
  sumY: number;
  sumXX: number;
  sumYY: number;
  sumXY: number;
}

export const emptyRatio = (): ClusteredRatio => ({ users: 0, sumX: 0, sumY: 0, sumXX: 0, sumYY: 0, sumXY: 0 });

export function addUser(r: ClusteredRatio, x: number, y: number): void {
  r.users++;
  r.sumX += x;
  r.sumY += y;
  r.sumXX += x * x;
  r.sumYY += y * y;
  r.sumXY += x * y;
}
