// Synthetic A/B readouts for the decision and grading tests.
import type { ArmResult, LiftResult, ReplayResult } from '../../src/abtest/replay.js';

type Cell = { users?: number; clicks?: number; maxUserShare?: number };
type Test = Partial<LiftResult> & { guard?: Partial<LiftResult> };

/** A two-arm readout (control 'c', treatment 't') of one domain 'd'. */
export function readout(t: Test, cells: { c?: Cell; t?: Cell } = {}): ReplayResult {
  const arms = [
    { name: 'c', strategy: 'c', share: 0.5 },
    { name: 't', strategy: 't', share: 0.5 },
  ];
  const cell = (arm: string, x: Cell = {}): ArmResult => ({
    arm,
    strategy: arm,
    domain: 'd',
    segment: 'all',
    users: x.users ?? 1000,
    impressions: 5000,
    clicks: x.clicks ?? 400,
    ctr: 0.08,
    conversions: 40,
    cvr: 0.1,
    expectedCtr: 0.08,
    maxUserShare: x.maxUserShare ?? 0.01,
  });
  const lift = (metric: 'ctr' | 'ctcvr', x: Partial<LiftResult>): LiftResult => ({
    arm: 't',
    control: 'c',
    metric,
    domain: 'd',
    segment: 'all',
    lift: 0,
    ciLow: -0.1,
    ciHigh: 0.1,
    pValue: 0.5,
    trueLift: 0,
    covered: true,
    seLog: 0.05,
    tested: true,
    family: metric === 'ctr' ? 'primary' : 'exploratory',
    pAdjusted: metric === 'ctr' ? 0.5 : Number.NaN,
    mde: 0.15,
    power: 0.05,
    usersNeeded: Number.NaN,
    ...x,
  });
  return {
    arms,
    control: 'c',
    results: [cell('c', cells.c), cell('t', cells.t)],
    lifts: [lift('ctr', t), lift('ctcvr', t.guard ?? {})],
    srm: { users: [1000, 1000], chi2: 0, pValue: 1, maxUserShare: [0.01, 0.01] },
  };
}
