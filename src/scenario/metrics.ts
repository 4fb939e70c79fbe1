// The words an expectation is written in: every metric `check` can judge, grouped into the families
// that validation and `check` both dispatch on, and the estimators, signals and methods that qualify
// them. A declaration table: adding a metric starts here.

/** Metrics an expectation can judge: offline (per strategy, from offline_metrics) or A/B (per arm). */
export const OFFLINE_METRICS = ['auc', 'gauc', 'logloss', 'calibration'] as const;
/** With scenario.dynamics, ab_clicks_per_user_* and ab_visits_per_user_* read the long-term readout (the whole test, per planned user). */
export const AB_METRICS = [
  'ab_lift',
  'ab_conversion_lift',
  'ab_true_lift',
  'ab_ctr',
  'srm_p_value',
  'max_user_share',
  'ab_clicks_per_user_lift',
  'ab_clicks_per_user_true_lift',
  'ab_visits_per_user_lift',
  'ab_visits_per_user_true_lift',
] as const;
/** The primary test of an arm on a domain: its minimum detectable lift and its power at the true lift (by the decision method's estimate). */
export const POWER_METRICS = ['mde', 'power'] as const;
/**
 * How good the decision procedure is on a domain, over re-randomised assignments of each seed's world
 * (check runs grade `check.assignments` of them): the share decided right, the share that shipped an
 * arm whose true lift is ≤ 0, the A/A arms' false-positive rate (arms serving the control's strategy),
 * the share of the method's intervals that hold the true lift, the share of assignments decided
 * rather than refused as UNRELIABLE, and the true return (the mean true lift of what it shipped, losses
 * included) alone or as a share of the oracle's.
 */
export const GRADE_METRICS = [
  'decision_accuracy',
  'false_ship_rate',
  'aa_false_positive_rate',
  'interval_coverage',
  'decided_rate',
  'true_return',
  'true_return_share',
] as const;
/**
 * Off-policy evaluation of a strategy from the logged test period (by `estimator`, default DR): its
 * estimated CTR, its lift over the reference (the A/B control), |estimate − truth| / truth, the true
 * value, 1 when the logger's support identifies it (else 0), the effective sample size as a share.
 */
export const OPE_METRICS = ['ope_value', 'ope_lift', 'ope_relative_error', 'ope_true_value', 'ope_identified', 'ope_ess_share'] as const;
/** How well an offline `signal` orders the strategies by true online CTR on a domain: Kendall τ, 1 when its winner wins online, the CTR its winner gives up. */
export const CONSISTENCY_METRICS = ['offline_online_tau', 'offline_winner_agrees', 'offline_regret'] as const;
/** scenario.feedback, per participant and domain at the last round: exposure Gini, coverage, true CTR, and the Gini's and true CTR's rise since the first round. */
export const FEEDBACK_METRICS = ['feedback_gini', 'feedback_gini_rise', 'feedback_coverage', 'feedback_true_ctr', 'feedback_true_ctr_rise'] as const;
/**
 * scenario.feedback.test, per design and domain: the full-rollout (global) lift, and over the
 * re-randomised assignments the design's mean estimate, bias, |bias|, RMSE, spread, the share of its
 * intervals holding the global lift and of its decisions agreeing with the global lift's sign.
 */
export const INTERFERENCE_METRICS = [
  'interference_global_lift',
  'interference_estimate',
  'interference_bias',
  'interference_abs_bias',
  'interference_rmse',
  'interference_sd',
  'interference_coverage',
  'interference_decision_accuracy',
] as const;
/**
 * A mixture model's gates on a domain's test rows (train/experts.ts), per strategy: the gates' mean
 * entropy as a share of ln(experts) (1 even, 0 collapsed onto one expert), the share of (gate, expert)
 * pairs whose mean weight is under IDLE_GATE_WEIGHT, and the experts' mean share of dead output units.
 */
export const EXPERT_METRICS = ['gate_entropy', 'gate_idle_share', 'expert_dead_share'] as const;
/** A gate's mean weight on an expert below which the expert counts as idle for it. */
export const IDLE_GATE_WEIGHT = 0.05;
/** How an A/B test inside the feedback loops splits traffic and retrains its arms (abtest/interference.ts): users with a pooled log, users each arm on its own log, switchback periods, users split in each domain on its own, or clusters of users. */
export const INTERFERENCE_DESIGNS = ['pooled', 'diverted', 'switchback', 'per-domain', 'cluster'] as const;
/** The off-policy estimators (ope/estimators.ts implements them) and the offline signals consistency compares. */
export const OPE_ESTIMATORS = ['dm', 'ipw', 'snipw', 'dr', 'switch-dr', 'iips', 'sniips', 'rips', 'sips'] as const;
export const OFFLINE_SIGNALS = ['auc', 'gauc', 'logloss', 'ope-dm', 'ope-snipw', 'ope-dr', 'ope-switch-dr'] as const;
/** The procedures a grade compares: the rules on each method's evidence, and the naive readers with and without peeking. */
export const GRADED_METHODS = ['plain', 'cuped', 'sequential', 'naive', 'peeking'] as const;

/** Every expectation metric by family: what validation and `check` dispatch on (one table, read by both). */
export const METRIC_FAMILIES = {
  offline: OFFLINE_METRICS,
  ab: AB_METRICS,
  power: POWER_METRICS,
  grade: GRADE_METRICS,
  ope: OPE_METRICS,
  consistency: CONSISTENCY_METRICS,
  feedback: FEEDBACK_METRICS,
  interference: INTERFERENCE_METRICS,
  experts: EXPERT_METRICS,
} as const;
export type MetricFamily = keyof typeof METRIC_FAMILIES;
const FAMILY_OF = new Map<string, MetricFamily>(
  Object.entries(METRIC_FAMILIES).flatMap(([family, metrics]) => metrics.map((m) => [m, family as MetricFamily] as const)),
);
export type Metric = (typeof METRIC_FAMILIES)[MetricFamily][number];
/** The family of an expectation's metric. */
export const familyOf = (metric: string): MetricFamily => FAMILY_OF.get(metric)!;
