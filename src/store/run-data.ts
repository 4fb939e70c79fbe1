// Reading results back: a whole run for reports, and single values for `check` (an expectation's
// metric in one run, a run's metrics for a baseline comparison). Nothing here recomputes a metric.
import { rowsOf, type Db } from './db.js';
import { sqlString } from './columns.js';
import { table, type StoredRow, type TableName } from './tables.js';
import { UserError } from '../util/errors.js';
import { IDLE_GATE_WEIGHT, type EXPERT_METRICS } from '../scenario/metrics.js';

export type Row = Record<string, string | number | boolean | null>;

type RunRow = Omit<StoredRow<'runs'>, 'scenario_json' | 'pid' | 'pid_stamp' | 'error'>;

export interface RunData {
  run: RunRow;
  /** The decision rules the run applied, as stored in its scenario (absent before schema version 4). */
  rules: { alpha?: number; power?: number; minLift?: number; method?: string } | null;
  offline: StoredRow<'offline_metrics'>[];
  curves: StoredRow<'training_curves'>[];
  training: StoredRow<'training_runs'>[];
  abResults: StoredRow<'ab_results'>[];
  abLifts: StoredRow<'ab_lifts'>[];
  assignment: StoredRow<'ab_assignment'>[];
  decisions: StoredRow<'ab_decisions'>[];
  grades: StoredRow<'ab_grades'>[];
  looks: StoredRow<'ab_looks'>[];
  longTerm: StoredRow<'ab_long_term'>[];
  feedback: StoredRow<'feedback_rounds'>[];
  designs: StoredRow<'feedback_designs'>[];
  experts: StoredRow<'expert_gates'>[];
  domains: StoredRow<'world_domains'>[];
  features: StoredRow<'world_features'>[];
  activity: StoredRow<'world_user_activity'>[];
  ope: StoredRow<'ope_estimates'>[];
  consistency: StoredRow<'offline_online'>[];
  pairs: StoredRow<'offline_online_pairs'>[];
}

/** 'latest' or an ID; only complete runs can be reported. */
export async function resolveRunId(db: Db, id: string): Promise<string> {
  if (id === 'latest') {
    const r = await rowsOf(db, "SELECT run_id FROM runs WHERE status = 'complete' ORDER BY finished_at DESC, run_id DESC LIMIT 1");
    if (!r.length) throw new UserError(`no complete run in '${db.path}'; run 'crossab run' first`);
    return String(r[0].run_id);
  }
  const r = await rowsOf(db, `SELECT status FROM runs WHERE run_id = ${sqlString(id)}`);
  if (!r.length) throw new UserError(`no run '${id}' in '${db.path}'; 'crossab runs' lists them`);
  if (r[0].status !== 'complete') throw new UserError(`run '${id}' is ${r[0].status}, not complete; only complete runs have results`);
  return id;
}

/** One run's rows of a result table, every declared column, in a stable order. */
function runRows<N extends TableName>(db: Db, name: N, runId: string, orderBy?: string): Promise<StoredRow<N>[]> {
  const cols = table(name)
    .columns.map((c) => c.name)
    .join(', ');
  return rowsOf<StoredRow<N>>(db, `SELECT ${cols} FROM ${name} WHERE run_id = ${sqlString(runId)}${orderBy ? ` ORDER BY ${orderBy}` : ''}`);
}

export async function loadRun(db: Db, id: string): Promise<RunData> {
  const [run] = await rowsOf<RunRow>(
    db,
    `SELECT run_id, scenario, seed, backend, version, fingerprint, strategies, arms, control,
    strftime(started_at, '%Y-%m-%d %H:%M:%S') AS started_at, strftime(finished_at, '%Y-%m-%d %H:%M:%S') AS finished_at, wall_seconds, status FROM runs WHERE run_id = ${sqlString(id)}`,
  );
  const [{ scenario_json }] = await rowsOf<{ scenario_json: string }>(db, `SELECT scenario_json FROM runs WHERE run_id = ${sqlString(id)}`);
  return {
    run,
    rules: JSON.parse(scenario_json)?.abtest?.decisions ?? null,
    offline: await runRows(db, 'offline_metrics', id, 'strategy, target, scope, key'),
    curves: await runRows(db, 'training_curves', id, 'strategy, domain, epoch'),
    training: await runRows(db, 'training_runs', id, 'strategy'),
    abResults: await runRows(db, 'ab_results', id, 'arm, domain, segment'),
    abLifts: await runRows(db, 'ab_lifts', id, 'arm, metric, domain, segment'),
    assignment: await runRows(db, 'ab_assignment', id, 'arm'),
    decisions: await runRows(db, 'ab_decisions', id, 'domain'),
    grades: await runRows(db, 'ab_grades', id, 'method, domain'),
    looks: await runRows(db, 'ab_looks', id, 'arm, domain, metric, look'),
    longTerm: await runRows(db, 'ab_long_term', id, 'arm, domain, metric'),
    feedback: await runRows(db, 'feedback_rounds', id, 'participant, domain, round'),
    designs: await runRows(db, 'feedback_designs', id, 'design, domain'),
    experts: await runRows(db, 'expert_gates', id, 'strategy, domain, gate, expert'),
    domains: await runRows(db, 'world_domains', id),
    features: await runRows(db, 'world_features', id),
    activity: await runRows(db, 'world_user_activity', id, 'impressions'),
    ope: await runRows(db, 'ope_estimates', id, 'domain, strategy, estimator, segment'),
    consistency: await runRows(db, 'offline_online', id, 'domain, signal'),
    pairs: await runRows(db, 'offline_online_pairs', id, 'domain, signal, a, b'),
  };
}

type Value = number | null;

async function one(db: Db, sql: string): Promise<Value> {
  const r = await rowsOf(db, sql);
  if (!r.length) return null;
  const v = r[0].v;
  return v === null || v === undefined ? null : Number(v);
}

/** Where an offline metric is stored: overall, one domain, a domain group or a user segment. */
export interface OfflineCell {
  strategy: string;
  target: 'click' | 'conversion';
  scope: 'overall' | 'domain' | 'domain_group' | 'user_segment';
  key: string;
}

/** An offline metric of one run; calibration is mean predicted over observed. */
export function offlineValue(db: Db, runId: string, metric: 'auc' | 'gauc' | 'logloss' | 'calibration', c: OfflineCell): Promise<Value> {
  const col = metric === 'calibration' ? 'mean_predicted / nullif(mean_observed, 0)' : metric;
  return one(
    db,
    `SELECT ${col} AS v FROM offline_metrics WHERE run_id = ${sqlString(runId)} AND strategy = ${sqlString(c.strategy)}
    AND target = ${sqlString(c.target)} AND scope = ${sqlString(c.scope)} AND key = ${sqlString(c.key)}`,
  );
}

export interface AbCell {
  arm: string;
  domain: string;
  segment: string;
}

/** An A/B value of one arm in one run: its lift (CTR or CTCVR), the true lift, or its CTR. */
export function abValue(db: Db, runId: string, metric: 'lift' | 'conversion_lift' | 'true_lift' | 'ctr', c: AbCell): Promise<Value> {
  const where = `run_id = ${sqlString(runId)} AND domain = ${sqlString(c.domain)} AND segment = ${sqlString(c.segment)} AND arm = ${sqlString(c.arm)}`;
  switch (metric) {
    case 'lift':
      return one(db, `SELECT lift AS v FROM ab_lifts WHERE ${where} AND metric = 'ctr'`);
    case 'conversion_lift':
      return one(db, `SELECT lift AS v FROM ab_lifts WHERE ${where} AND metric = 'ctcvr'`);
    case 'true_lift':
      return one(db, `SELECT true_lift AS v FROM ab_lifts WHERE ${where} AND metric = 'ctr'`);
    case 'ctr':
      return one(db, `SELECT ctr AS v FROM ab_results WHERE ${where}`);
  }
}

/** A feedback participant on a domain at the last round: its exposure Gini, coverage or true CTR, or (…_rise) that less its first round's. */
export function feedbackValue(
  db: Db,
  runId: string,
  metric: 'gini' | 'gini_rise' | 'coverage' | 'true_ctr' | 'true_ctr_rise',
  participant: string,
  domain: string,
): Promise<Value> {
  const where = `run_id = ${sqlString(runId)} AND participant = ${sqlString(participant)} AND domain = ${sqlString(domain)}`;
  const at = (col: string, order: 'DESC' | 'ASC') => `(SELECT ${col} FROM feedback_rounds WHERE ${where} ORDER BY round ${order} LIMIT 1)`;
  const col = metric.replace(/_rise$/, '');
  return one(db, `SELECT ${col === metric ? at(col, 'DESC') : `${at(col, 'DESC')} - ${at(col, 'ASC')}`} AS v`);
}

/**
 * A mixture model's gates on a domain (or 'all': every domain's): their mean entropy (each gate once),
 * the share of (gate, expert) pairs under IDLE_GATE_WEIGHT, the experts' mean dead share. NULL without gates.
 */
export function gateValue(db: Db, runId: string, metric: (typeof EXPERT_METRICS)[number], strategy: string, domain: string): Promise<Value> {
  const where = `run_id = ${sqlString(runId)} AND strategy = ${sqlString(strategy)}${domain === 'all' ? '' : ` AND domain = ${sqlString(domain)}`}`;
  if (metric === 'gate_entropy')
    return one(db, `SELECT avg(entropy) AS v FROM (SELECT domain, gate, any_value(entropy) AS entropy FROM expert_gates WHERE ${where} GROUP BY domain, gate)`);
  const col = metric === 'gate_idle_share' ? `CASE WHEN weight < ${IDLE_GATE_WEIGHT} THEN 1 ELSE 0 END` : 'dead_share';
  return one(db, `SELECT avg(${col}) AS v FROM expert_gates WHERE ${where}`);
}

/** feedback.test: one design's grade on a domain ('all' included); abs_bias is |bias|. */
export function designValue(
  db: Db,
  runId: string,
  metric: 'global_lift' | 'estimate' | 'bias' | 'abs_bias' | 'rmse' | 'sd' | 'coverage' | 'decision_accuracy',
  design: string,
  domain: string,
): Promise<Value> {
  const col = metric === 'abs_bias' ? 'abs(bias)' : metric === 'estimate' ? 'mean_estimate' : metric;
  return one(
    db,
    `SELECT ${col} AS v FROM feedback_designs WHERE run_id = ${sqlString(runId)} AND design = ${sqlString(design)} AND domain = ${sqlString(domain)}`,
  );
}

/** An arm's long-term lift (scenario.dynamics) on a domain: clicks or visits per planned user over the whole test, estimated or true. */
export function longTermValue(db: Db, runId: string, metric: 'clicks' | 'visits', column: 'lift' | 'true_lift', arm: string, domain: string): Promise<Value> {
  return one(
    db,
    `SELECT ${column === 'lift' ? 'lift' : 'true_lift'} AS v FROM ab_long_term WHERE run_id = ${sqlString(runId)} AND arm = ${sqlString(arm)}
    AND domain = ${sqlString(domain)} AND metric = ${sqlString(metric)}`,
  );
}

/** An arm's primary test on a domain (CTR, all users): its minimum detectable lift or its power at the true lift, plain or CUPED. */
export function powerValue(db: Db, runId: string, metric: 'mde' | 'power', estimate: 'plain' | 'cuped', arm: string, domain: string): Promise<Value> {
  const col = estimate === 'plain' ? metric : `cuped_${metric}`;
  return one(
    db,
    `SELECT ${col} AS v FROM ab_lifts WHERE run_id = ${sqlString(runId)} AND arm = ${sqlString(arm)} AND domain = ${sqlString(domain)}
    AND segment = 'all' AND metric = 'ctr'`,
  );
}

/** What a grade expectation reads from ab_grades. */
const GRADE_COLUMNS = {
  decision_accuracy: 'correct',
  false_ship_rate: 'false_ship',
  aa_false_positive_rate: 'aa_false_positive',
  interval_coverage: 'coverage',
  decided_rate: '1 - unreliable',
  true_return: 'true_return',
  true_return_share: 'return_share',
} as const;

/** A graded run's figure on a domain for one method: right decisions, false ships, A/A false positives, coverage, decided share, or true return. */
export function gradeValue(db: Db, runId: string, metric: keyof typeof GRADE_COLUMNS, method: string, domain: string): Promise<Value> {
  return one(
    db,
    `SELECT ${GRADE_COLUMNS[metric]} AS v FROM ab_grades WHERE run_id = ${sqlString(runId)} AND method = ${sqlString(method)} AND domain = ${sqlString(domain)}`,
  );
}

/** An off-policy value of one strategy by one estimator in one run; identified as 1 or 0. */
export function opeValue(
  db: Db,
  runId: string,
  column: 'value' | 'lift' | 'relative_error' | 'true_value' | 'identified' | 'ess_share',
  c: { strategy: string; estimator: string; domain: string; segment: string },
): Promise<Value> {
  return one(
    db,
    `SELECT ${column === 'identified' ? 'identified::INTEGER' : column} AS v FROM ope_estimates WHERE run_id = ${sqlString(runId)}
    AND strategy = ${sqlString(c.strategy)} AND estimator = ${sqlString(c.estimator)} AND domain = ${sqlString(c.domain)} AND segment = ${sqlString(c.segment)}`,
  );
}

/** How one offline signal ordered the strategies on a domain in one run: τ, winner agreement (1 or 0), regret. */
export function consistencyValue(db: Db, runId: string, column: 'tau' | 'winner_agrees' | 'regret', signal: string, domain: string): Promise<Value> {
  return one(
    db,
    `SELECT ${column === 'winner_agrees' ? 'winner_agrees::INTEGER' : column} AS v FROM offline_online WHERE run_id = ${sqlString(runId)}
    AND signal = ${sqlString(signal)} AND domain = ${sqlString(domain)}`,
  );
}

/** One run's decision per domain. */
export function runDecisions(db: Db, runId: string): Promise<Pick<StoredRow<'ab_decisions'>, 'domain' | 'decision' | 'arm'>[]> {
  return rowsOf(db, `SELECT domain, decision, arm FROM ab_decisions WHERE run_id = ${sqlString(runId)} ORDER BY domain`);
}

/** The sample-ratio p-value of one run. */
export function srmPValue(db: Db, runId: string): Promise<Value> {
  return one(db, `SELECT min(srm_p_value) AS v FROM ab_assignment WHERE run_id = ${sqlString(runId)}`);
}

/** The largest share of an arm's impressions (or of any arm's) made by one user. */
export function maxUserShare(db: Db, runId: string, arm?: string): Promise<Value> {
  return one(db, `SELECT max(max_user_share) AS v FROM ab_assignment WHERE run_id = ${sqlString(runId)}${arm ? ` AND arm = ${sqlString(arm)}` : ''}`);
}

/** Every trained strategy's offline metrics in one run (not the oracle or the constant floor). */
export function strategyMetrics(
  db: Db,
  runId: string,
): Promise<Pick<StoredRow<'offline_metrics'>, 'strategy' | 'target' | 'scope' | 'key' | 'auc' | 'gauc' | 'logloss'>[]> {
  return rowsOf(
    db,
    `SELECT strategy, target, scope, key, auc, gauc, logloss FROM offline_metrics WHERE run_id = ${sqlString(runId)}
    AND strategy NOT IN ('oracle', 'constant')`,
  );
}

/** Every arm's CTR lift per domain, over all users, in one run. */
export function ctrLifts(db: Db, runId: string): Promise<Pick<StoredRow<'ab_lifts'>, 'arm' | 'control' | 'domain' | 'lift'>[]> {
  return rowsOf(db, `SELECT arm, control, domain, lift FROM ab_lifts WHERE run_id = ${sqlString(runId)} AND metric = 'ctr' AND segment = 'all'`);
}
