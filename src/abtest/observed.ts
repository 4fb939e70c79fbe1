// The readout of an A/B test that really ran: a log's observations instead of a replay against a
// simulated truth. The cells are grown exactly as the replay grows them (each unit a cluster, in
// time order, snapshotted at each look), so the same lifts, power, sequential test and decisions
// follow; what a log cannot give — the true lift, and CUPED's pre-period covariate — stays empty
// (CUPED without history is the plain estimate).
import type { DecisionRules } from '../scenario/schema.js';
import { armResults, type Arm, type Cell, type ReplayResult, type Scopes } from './readout.js';
import { liftsOf } from './lifts.js';
import { sequential, type Snapshot } from './looks.js';
import { RATIO_SLOT, growRatioAt, ratioAt } from './stats/cuped.js';
import { sampleRatioMismatch } from './stats/srm.js';

/** A log's observations: one (arm, domain, unit, instant) each, in time order. */
export interface Observations {
  arms: string[];
  domains: string[];
  arm: Int32Array;
  domain: Int32Array;
  /** The analysis unit (cluster), numbered from 0. */
  unit: Int32Array;
  units: number;
  /** Seconds since the log's start. */
  time: Float64Array;
  rows: Float64Array;
  clicks: Float64Array;
  conversions: Float64Array;
}

export interface ObservedConfig {
  control: number;
  /** The configured split per arm; null: not known (the sample-ratio check is then not made). */
  split: number[] | null;
  rules: DecisionRules;
  /** The end of each look, in seconds since the log's start (the last is the end of the test). */
  lookEnds: number[];
}

export function observedReadout(o: Observations, cfg: ObservedConfig): ReplayResult {
  const A = o.arms.length;
  const D = o.domains.length;
  const keys = ['all', ...o.domains];
  const scopes: Scopes = { count: D + 1, of: (d) => [0, 1 + d], domain: (s) => keys[s], segment: () => 'all' };
  // Units per arm, for the split when none was configured.
  const seenIn = Array.from({ length: A }, () => new Uint8Array(o.units));
  const unitsPerArm = new Float64Array(A);
  for (let i = 0; i < o.arm.length; i++)
    if (!seenIn[o.arm[i]][o.unit[i]]) {
      seenIn[o.arm[i]][o.unit[i]] = 1;
      unitsPerArm[o.arm[i]]++;
    }
  const total = unitsPerArm.reduce((s, x) => s + x, 0);
  const split = cfg.split ?? Array.from(unitsPerArm, (x) => x / total);
  const arms: Arm[] = o.arms.map((name, a) => ({ name, strategy: name, share: split[a] }));
  const nCells = A * scopes.count;
  const acc = new Float64Array(nCells * 2 * RATIO_SLOT);
  const heaviest = new Float64Array(nCells);
  const cellAt = (i: number): Cell => ({
    ctr: ratioAt(acc, 2 * i * RATIO_SLOT),
    ctcvr: ratioAt(acc, (2 * i + 1) * RATIO_SLOT),
    heaviest: heaviest[i],
    expected: Number.NaN,
  });
  // Running per-unit totals per (arm, scope), so each cell's sums of squares stay exact.
  const key = (a: number, s: number, u: number) => (a * scopes.count + s) * o.units + u;
  const sumRows = new Float64Array(nCells * o.units);
  const sumClicks = new Float64Array(nCells * o.units);
  const sumConvs = new Float64Array(nCells * o.units);
  const snapshots: Snapshot[] = [];
  const seen = new Uint8Array(o.units);
  let seenUnits = 0;
  const snapshot = (time: number) =>
    snapshots.push({ time, users: seenUnits, cells: arms.flatMap((_, a) => o.domains.map((__, d) => cellAt(a * scopes.count + 1 + d))) });
  for (let i = 0; i < o.arm.length; i++) {
    while (snapshots.length < cfg.lookEnds.length - 1 && o.time[i] >= cfg.lookEnds[snapshots.length]) snapshot(cfg.lookEnds[snapshots.length]);
    const a = o.arm[i];
    const u = o.unit[i];
    if (!seen[u]) {
      seen[u] = 1;
      seenUnits++;
    }
    for (const s of scopes.of(o.domain[i], u)) {
      const c = a * scopes.count + s;
      const k = key(a, s, u);
      const y0 = sumRows[k];
      const x0 = sumClicks[k];
      const v0 = sumConvs[k];
      growRatioAt(acc, 2 * c * RATIO_SLOT, x0, y0, o.clicks[i], o.rows[i], 0, 0);
      growRatioAt(acc, (2 * c + 1) * RATIO_SLOT, v0, y0, o.conversions[i], o.rows[i], 0, 0);
      sumRows[k] = y0 + o.rows[i];
      sumClicks[k] = x0 + o.clicks[i];
      sumConvs[k] = v0 + o.conversions[i];
      if (sumRows[k] > heaviest[c]) heaviest[c] = sumRows[k];
    }
  }
  while (snapshots.length < cfg.lookEnds.length) snapshot(cfg.lookEnds[snapshots.length]);
  const cells = Array.from({ length: nCells }, (_, i) => cellAt(i));
  const rc = { arms, control: cfg.control, salt: 0, positionBias: null, rules: cfg.rules };
  const results = armResults(cells, scopes, rc);
  // A log has no ground truth: the true lifts (and what follows from them) are NaN.
  const unknown = new Map(arms.map((a) => [a.strategy, new Float64Array(scopes.count).fill(Number.NaN)]));
  const lifts = liftsOf(cells, results, { clicks: unknown, convs: unknown }, scopes, rc);
  const looks = sequential(snapshots, lifts, o.domains, rc);
  const overall = results.filter((r) => r.domain === 'all');
  const users = overall.map((r) => r.users);
  const srm = cfg.split ? sampleRatioMismatch(users, split) : { chi2: Number.NaN, pValue: Number.NaN };
  return {
    arms,
    control: arms[cfg.control].name,
    results,
    lifts,
    srm: { users, ...srm, maxUserShare: overall.map((r) => r.maxUserShare) },
    looks,
    longTerm: [],
  };
}
