// Synthetic A/B readouts for the decision and grading tests.
import { NO_JACKKNIFE, type ArmResult, type LiftResult, type LookCell, type ReplayResult } from '../../src/abtest/readout.js';

type Cell = { users?: number; clicks?: number; maxUserShare?: number; effectiveUsers?: number };
type Test = Partial<LiftResult> & { guard?: Partial<LiftResult> };

/**
 * A two-arm readout (control 'c', treatment 't') of one domain 'd'. CUPED's and the sequential
 * test's fields repeat the plain ones unless given, and there is one look: the end of the test.
 */
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
    effectiveUsers: x.effectiveUsers ?? 500,
  });
  const lift = (metric: 'ctr' | 'ctcvr', x: Partial<LiftResult>): LiftResult => {
    const plain: Omit<
      LiftResult,
      | 'cupedLift'
      | 'cupedMde'
      | 'cupedPower'
      | 'cupedCiLow'
      | 'cupedCiHigh'
      | 'cupedPValue'
      | 'cupedPAdjusted'
      | 'cupedSeLog'
      | 'varianceReduction'
      | 'seqCiLow'
      | 'seqCiHigh'
      | 'seqPValue'
      | 'seqPAdjusted'
    > &
      Partial<LiftResult> = {
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
      seqMde: Number.NaN,
      ciLowAdjusted: Number.NaN,
      ciHighAdjusted: Number.NaN,
      cupedCiLowAdjusted: Number.NaN,
      cupedCiHighAdjusted: Number.NaN,
      dof: Number.NaN,
      linearCiLow: Number.NaN,
      linearCiHigh: Number.NaN,
      linearPValue: Number.NaN,
      absDiff: Number.NaN,
      absCiLow: Number.NaN,
      absCiHigh: Number.NaN,
      ...NO_JACKKNIFE,
      ...x,
    };
    return {
      cupedLift: plain.lift,
      cupedCiLow: plain.ciLow,
      cupedCiHigh: plain.ciHigh,
      cupedPValue: plain.pValue,
      cupedPAdjusted: plain.pAdjusted,
      cupedSeLog: plain.seLog,
      varianceReduction: 0,
      cupedMde: plain.mde,
      cupedPower: plain.power,
      seqCiLow: plain.ciLow,
      seqCiHigh: plain.ciHigh,
      seqPValue: plain.pValue,
      seqPAdjusted: metric === 'ctr' ? plain.pAdjusted : plain.pValue,
      ...plain,
    };
  };
  const lookCell = (l: LiftResult): LookCell => ({
    arm: l.arm,
    domain: l.domain,
    metric: l.metric,
    tested: l.tested,
    lift: l.lift,
    pValue: l.pValue,
    cupedLift: l.cupedLift,
    seLog: l.cupedSeLog,
    seqCiLow: l.seqCiLow,
    seqCiHigh: l.seqCiHigh,
    seqPValue: l.seqPValue,
    seqPAdjusted: l.seqPAdjusted,
  });
  const lifts = [lift('ctr', t), lift('ctcvr', t.guard ?? {})];
  return {
    arms,
    control: 'c',
    results: [cell('c', cells.c), cell('t', cells.t)],
    lifts,
    srm: { users: [1000, 1000], chi2: 0, pValue: 1, maxUserShare: [0.01, 0.01] },
    looks: [{ time: 1, users: 2000, cells: lifts.map(lookCell) }],
    longTerm: [],
  };
}
