// The readout of an A/B test from its cells, whatever produced them (the replay against a simulated
// truth, or a real log): what it reports (arms, lifts, looks), each arm's totals per scope, the
// small-cell floor and the multiplicity families. The lifts are in lifts.ts, the sequential looks in
// looks.ts. Nothing here knows a World.
import type { DecisionRules } from '../scenario/schema.js';
import type { LongTermLift } from './long-term.js';
import type { CovariateRatio } from './stats/cuped.js';
import { benjaminiHochbergAdjust, holmAdjust } from './stats/multiplicity.js';
import { effectiveUsers } from './stats/ratio.js';

/** Warn above this share of an arm's impressions from one user: intervals were calibrated at ≤ 2.2% and mis-covered at 12% (docs/ab-replay.md). */
export const DOMINANT_USER = 0.05;

export interface Arm {
  name: string;
  strategy: string;
  share: number;
}

export interface ReplayConfig {
  arms: Arm[];
  /** Index of the control arm. */
  control: number;
  /** Salt of the assignment hash and the outcome stream. */
  salt: number;
  positionBias: number[] | null;
  /** α, power, correction and the small-cell floor the lifts are tested with. */
  rules: DecisionRules;
}

export interface ArmResult {
  arm: string;
  strategy: string;
  domain: string;
  segment: string;
  users: number;
  impressions: number;
  clicks: number;
  ctr: number;
  conversions: number;
  cvr: number;
  /** CTR expected under the ground truth for the slates this arm showed. */
  expectedCtr: number;
  /** The largest share of the cell's impressions made by one user. */
  maxUserShare: number;
  /** Kish's effective users, (Σ impressions)² / Σ impressions²: how many equally active users the cell's information is worth. */
  effectiveUsers: number;
}

export interface LiftResult {
  arm: string;
  control: string;
  metric: 'ctr' | 'ctcvr';
  domain: string;
  segment: string;
  lift: number;
  ciLow: number;
  ciHigh: number;
  pValue: number;
  /** The lift had each arm served every request of the scope, from the true probabilities. */
  trueLift: number;
  /** Whether the interval holds the true lift; null when there is no interval or no true lift. */
  covered: boolean | null;
  /** Standard error of log(treatment / control). */
  seLog: number;
  /** Both arms reached the small-cell floor (users, and clicks or conversions); otherwise no interval or p-value. */
  tested: boolean;
  /** 'primary': CTR on one domain, all users (corrected for multiplicity); everything else is exploratory. */
  family: 'primary' | 'exploratory';
  /** The p-value after the correction across the primary family; NaN outside it. */
  pAdjusted: number;
  /** The smallest lift this cell's test detects at the rules' α and power. */
  mde: number;
  /** The power this test had at the true lift. */
  power: number;
  /** Users (both arms) needed to detect the true lift at the rules' α and power. */
  usersNeeded: number;
  /** CUPED: the lift adjusted by each user's pre-experiment ratio (their logged history), its interval, p-values and standard error. */
  cupedLift: number;
  cupedCiLow: number;
  cupedCiHigh: number;
  cupedPValue: number;
  cupedPAdjusted: number;
  cupedSeLog: number;
  /** 1 − Var(CUPED) / Var(plain) of log(treatment / control). */
  varianceReduction: number;
  /** CUPED's minimum detectable lift and its power at the true lift. */
  cupedMde: number;
  cupedPower: number;
  /** Sequential (primary family and its guardrail only; NaN elsewhere): the confidence sequence after the last look and the always-valid p-value. */
  seqCiLow: number;
  seqCiHigh: number;
  seqPValue: number;
  seqPAdjusted: number;
  /** The sequential test's minimum detectable lift at its planned end (CUPED's, widened by the sequence's cost). */
  seqMde: number;
  /** The plain and CUPED intervals widened to agree with their adjusted p-values (primary family; NaN elsewhere). */
  ciLowAdjusted: number;
  ciHighAdjusted: number;
  cupedCiLowAdjusted: number;
  cupedCiHighAdjusted: number;
  /**
   * GrowthBook's fixed-horizon convention beside the log ratio: Welch's t on the linear relative lift
   * (T − C)/C and on the absolute difference T − C (CTR points), with Welch–Satterthwaite degrees of
   * freedom; the point estimate of the linear relative lift is `lift` itself.
   */
  dof: number;
  linearCiLow: number;
  linearCiHigh: number;
  linearPValue: number;
  absDiff: number;
  absCiLow: number;
  absCiHigh: number;
  /**
   * Domains with fewer effective users than the rules' floor (NaN elsewhere): the user-level jackknife
   * of the plain and the CUPED estimate (CUPED's θ refitted without each user), its normal interval,
   * and the p-value corrected within the family of the p-values that decide.
   */
  jackknifeSeLog: number;
  jackknifeCiLow: number;
  jackknifeCiHigh: number;
  jackknifePValue: number;
  jackknifePAdjusted: number;
  cupedJackknifeSeLog: number;
  cupedJackknifeCiLow: number;
  cupedJackknifeCiHigh: number;
  cupedJackknifePValue: number;
  cupedJackknifePAdjusted: number;
}

/** A primary cell (or its guardrail) at one look of the sequential test. */
export interface LookCell {
  arm: string;
  domain: string;
  metric: 'ctr' | 'ctcvr';
  tested: boolean;
  /** The plain estimate and its fixed-horizon p-value (what a peeking reader sees). */
  lift: number;
  pValue: number;
  /** The CUPED estimate the sequence is built on, and its standard error. */
  cupedLift: number;
  seLog: number;
  /** The 1 − α confidence sequence so far (intersected over looks) and the always-valid p-value (running minimum). */
  seqCiLow: number;
  seqCiHigh: number;
  seqPValue: number;
  /** seqPValue after the correction across the primary family at this look. */
  seqPAdjusted: number;
}

export interface Look {
  /** The look's end on the global timeline, and the users (all arms) seen by then. */
  time: number;
  users: number;
  cells: LookCell[];
}

export interface ReplayResult {
  arms: Arm[];
  control: string;
  results: ArmResult[];
  lifts: LiftResult[];
  /**
   * Users per arm and the chi-square sample-ratio test; and per arm the largest share of its
   * impressions made by one user: user-clustered intervals need many users of comparable weight.
   */
  srm: { users: number[]; chi2: number; pValue: number; maxUserShare: number[] };
  /** The sequential test: the primary cells at each of the rules' looks, in time order (the last look is the end of the test). */
  looks: Look[];
  /** With scenario.dynamics: clicks and visits per user over the whole test, per arm and domain (empty otherwise). */
  longTerm: LongTermLift[];
}

/** The readout's scopes: domain key (each domain, head / tail group, all) × segment key (all, heavy, tail, cold). */
export interface Scopes {
  count: number;
  /** The scopes a request of domain d by user u counts in. */
  of(d: number, u: number): number[];
  domain(s: number): string;
  segment(s: number): string;
}

/** One arm × scope of the readout, accumulated request by request. */
export interface Cell {
  ctr: CovariateRatio;
  ctcvr: CovariateRatio;
  heaviest: number;
  /** Expected clicks of what the arm served. */
  expected: number;
}

/**
 * Per strategy and scope: the expected clicks and conversions had every request of the scope been
 * served by it; with scenario.dynamics also the expected impressions (users leave at different
 * rates under different strategies), otherwise null (every strategy serves the same impressions).
 */
export interface TrueSums {
  clicks: Map<string, Float64Array>;
  convs: Map<string, Float64Array>;
  imps: Map<string, Float64Array> | null;
}

/** Step 3: each arm's totals per scope. */
export function armResults(cells: Cell[], scopes: Scopes, cfg: ReplayConfig): ArmResult[] {
  return cells.map((cell, i) => {
    const a = Math.floor(i / scopes.count);
    const s = i % scopes.count;
    const { ctr, ctcvr } = cell;
    return {
      arm: cfg.arms[a].name,
      strategy: cfg.arms[a].strategy,
      domain: scopes.domain(s),
      segment: scopes.segment(s),
      users: ctr.users,
      impressions: ctr.sumY,
      clicks: ctr.sumX,
      ctr: ctr.sumY ? ctr.sumX / ctr.sumY : NaN,
      conversions: ctcvr.sumX,
      cvr: ctr.sumX ? ctcvr.sumX / ctr.sumX : NaN,
      expectedCtr: ctr.sumY ? cell.expected / ctr.sumY : NaN,
      maxUserShare: ctr.sumY ? cell.heaviest / ctr.sumY : 0,
      effectiveUsers: effectiveUsers(ctr),
    };
  });
}

/** Whether both arms of a test reached the small-cell floor for a metric. */
export function floorMet(t: Cell, c: Cell, metric: 'ctr' | 'ctcvr', rules: DecisionRules): boolean {
  return t.ctr.users >= rules.minUsers && c.ctr.users >= rules.minUsers && t[metric].sumX >= rules.minClicks && c[metric].sumX >= rules.minClicks;
}

const correct = (p: number[], correction: DecisionRules['correction']): number[] =>
  correction === 'holm' ? holmAdjust(p) : correction === 'bh' ? benjaminiHochbergAdjust(p) : p;

/** The correction applied within each family of the rules' scope: one family per test ('metric'), or one per domain. */
export function correctFamilies<T extends { domain: string }>(cells: T[], p: (c: T) => number, rules: DecisionRules): number[] {
  const out = new Array<number>(cells.length);
  const key = (c: T) => (rules.correctionScope === 'domain' ? c.domain : '');
  for (const k of new Set(cells.map(key))) {
    const members = cells.map((_, i) => i).filter((i) => key(cells[i]) === k);
    const adjusted = correct(
      members.map((i) => p(cells[i])),
      rules.correction,
    );
    members.forEach((i, j) => {
      out[i] = adjusted[j];
    });
  }
  return out;
}

/** A lift's jackknife fields before (or without) the jackknife. */
export const NO_JACKKNIFE = {
  jackknifeSeLog: NaN,
  jackknifeCiLow: NaN,
  jackknifeCiHigh: NaN,
  jackknifePValue: NaN,
  jackknifePAdjusted: NaN,
  cupedJackknifeSeLog: NaN,
  cupedJackknifeCiLow: NaN,
  cupedJackknifeCiHigh: NaN,
  cupedJackknifePValue: NaN,
  cupedJackknifePAdjusted: NaN,
} as const;
