// A run as `crossab run --json` prints it: everything the run computed, with the store's column
// names (the tables' declarations map the result objects' fields to them, so JSON and store cannot
// name a figure two ways). Non-finite numbers are null.
import type { ReplayResult } from '../abtest/readout.js';
import type { DomainDecision } from '../abtest/decide.js';
import type { OfflineResults } from '../train/parallel.js';
import type { StrategyMetrics } from '../metrics/offline.js';
import type { OffPolicy } from '../ope/consistency.js';
import { jsonRow } from '../store/tables.js';
import { warnings, type RunView } from './run-text.js';

export function offlineJson(r: OfflineResults) {
  const pick = (m: StrategyMetrics) => ({ auc: m.auc, aucSe: m.aucSe, gauc: m.gauc, logloss: m.logloss });
  return {
    strategies: Object.fromEntries(Object.entries(r.strategies).map(([k, m]) => [k, pick(m)])),
    oracle: pick(r.oracle),
    constant: pick(r.constant),
  };
}

/** What `run --json` shows of each arm × domain × segment: these ab_results columns, then these of its CTR lift's ab_lifts row, then the cell's weight. */
const RESULT_COLUMNS = ['arm', 'strategy', 'domain', 'segment', 'users', 'impressions', 'ctr', 'cvr', 'expected_ctr'];
const LIFT_COLUMNS = [
  'lift',
  'ci_low',
  'ci_high',
  'p_value',
  'true_lift',
  'covered',
  'tested',
  'p_adjusted',
  'mde',
  'power',
  'users_needed',
  'cuped_lift',
  'cuped_ci_low',
  'cuped_ci_high',
  'cuped_p_adjusted',
  'variance_reduction',
  'seq_ci_low',
  'seq_ci_high',
  'seq_p_adjusted',
  'seq_mde',
  'ci_low_adjusted',
  'ci_high_adjusted',
  'cuped_ci_low_adjusted',
  'cuped_ci_high_adjusted',
  'dof',
  'linear_ci_low',
  'linear_ci_high',
  'linear_p_value',
  'abs_diff',
  'abs_ci_low',
  'abs_ci_high',
  'jackknife_ci_low',
  'jackknife_ci_high',
  'jackknife_p_adjusted',
  'cuped_jackknife_ci_low',
  'cuped_jackknife_ci_high',
  'cuped_jackknife_p_adjusted',
];
const WEIGHT_COLUMNS = ['max_user_share', 'effective_users'];

/** Each arm's cells with their CTR lift (null for the control), named as the store names them (jsonRow). */
export function abJson(ab: ReplayResult) {
  return ab.results.map((r) => {
    const l = ab.lifts.find((x) => x.metric === 'ctr' && x.arm === r.arm && x.domain === r.domain && x.segment === r.segment);
    const cell = jsonRow('ab_results', r);
    const lift = l ? jsonRow('ab_lifts', l) : {};
    const pick = (from: Record<string, unknown>, columns: string[]) => Object.fromEntries(columns.map((c) => [c, from[c] ?? null]));
    return { ...pick(cell, RESULT_COLUMNS), ...pick(lift, LIFT_COLUMNS), ...pick(cell, WEIGHT_COLUMNS) };
  });
}

const num = (v: number) => (Number.isFinite(v) ? v : null);

/** The decisions with the store's column names (ab_decisions). */
export const decisionsJson = (ds: DomainDecision[]) => ds.map((d) => jsonRow('ab_decisions', d));

/** Each treatment arm's test on each domain: how small a lift it could see, and its power at the truth. */
export function powerJson(ab: ReplayResult) {
  return ab.lifts
    .filter((l) => l.family === 'primary')
    .map((l) => ({
      arm: l.arm,
      domain: l.domain,
      tested: l.tested,
      mde: num(l.mde),
      cuped_mde: num(l.cupedMde),
      variance_reduction: num(l.varianceReduction),
      true_lift: num(l.trueLift),
      power_at_true_lift: num(l.power),
      users_needed_for_true_lift: num(l.usersNeeded),
    }));
}

/** Off-policy estimates (all users; the store has each segment too) and the offline signals' agreement with the truth online. */
export function opeJson(o: OffPolicy) {
  return {
    logger: o.logger,
    reward_model: o.rewardModel,
    reference: o.reference,
    estimates: o.rows
      .filter((r) => r.segment === 'all')
      .map((r) => ({
        strategy: r.strategy,
        estimator: r.estimator,
        domain: r.domain,
        requests: r.requests,
        identified: r.identified,
        value: num(r.value),
        se: num(r.se),
        ci_low: num(r.ciLow),
        ci_high: num(r.ciHigh),
        true_value: num(r.trueValue),
        relative_error: num(r.relativeError),
        covered: r.covered,
        lift: num(r.lift),
        lift_low: num(r.liftLow),
        lift_high: num(r.liftHigh),
        true_lift: num(r.trueLift),
        online_true_lift: num(r.onlineTrueLift),
        ess: num(r.ess),
        ess_share: num(r.essShare),
        max_weight: num(r.maxWeight),
        item_deficiency: r.itemDeficiency,
        position_deficiency: r.positionDeficiency,
        threshold: r.threshold === Infinity ? 'none' : num(r.threshold),
      })),
    offline_online: o.consistency.signals.map((c) => ({
      domain: c.domain,
      signal: c.signal,
      strategies: c.strategies,
      tau: num(c.tau),
      pair_agreement: num(c.pairAgreement),
      offline_winner: c.offlineWinner,
      online_winner: c.onlineWinner,
      winner_agrees: c.winnerAgrees,
      regret: num(c.regret),
    })),
  };
}

/** The whole run as one JSON object: what `run --json` prints. */
export function runJson(o: RunView, db: string, scenario: string) {
  const off = offlineJson(o.offline);
  return {
    run_id: o.runId,
    db,
    report: o.reportPath,
    scenario,
    seed: o.seed,
    salt: o.salt,
    backend: o.backend,
    fingerprint: o.fingerprint,
    stages: o.stages,
    wall_seconds: o.wallSeconds,
    peak_rss_mb: o.peakRssMb,
    offline: off.strategies,
    oracle: off.oracle,
    ab: abJson(o.ab),
    feedback: o.feedback.map((r) => jsonRow('feedback_rounds', r)),
    feedback_designs: o.designs.map((r) => jsonRow('feedback_designs', r)),
    expert_gates: o.offline.trained.flatMap((t) => t.experts.map((e) => jsonRow('expert_gates', { strategy: t.strategy, ...e }))),
    long_term: o.ab.longTerm.map((l) => jsonRow('ab_long_term', l)),
    srm: { users: o.ab.srm.users, chi2: o.ab.srm.chi2, p_value: o.ab.srm.pValue, max_user_share: o.ab.srm.maxUserShare },
    decisions: decisionsJson(o.decisions),
    power: powerJson(o.ab),
    warnings: warnings(o.ab, o.decisions),
    ope: opeJson(o.ope),
    grades: o.grades.map((g) => jsonRow('ab_grades', g)),
  };
}
