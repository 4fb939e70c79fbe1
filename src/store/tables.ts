// Every table of the store, declared once: its columns in order, their types, constraints and
// meaning, the schema version that added each, and (for columns written from a result object) the
// object's field that fills it. The migrations (schema.ts), the appender (appendTable) and the typed
// readers (StoredRow) all follow from these declarations, so a column cannot be named one way where
// it is written and another where it is read.
import { BIGINT, BOOLEAN, DOUBLE, INTEGER, TIMESTAMP, VARCHAR, type DuckDBConnection, type DuckDBType } from '@duckdb/node-api';
import { appendColumns } from './columns.js';

export type ColumnKind = 'varchar' | 'double' | 'integer' | 'bigint' | 'boolean' | 'timestamp';

export interface ColumnDef {
  readonly name: string;
  readonly type: ColumnKind;
  readonly doc: string;
  /** The result object's property that fills it, when it is not the column's name. */
  readonly field?: string;
  readonly notNull?: boolean;
  readonly primaryKey?: boolean;
  readonly check?: string;
  /** The schema version that added it to an existing table (default: the table's). */
  readonly since?: number;
}

export interface TableDef {
  readonly name: string;
  readonly doc: string;
  /** The schema version that created it. */
  readonly since: number;
  readonly columns: readonly ColumnDef[];
}

const RUN_ID = { name: 'run_id', type: 'varchar', notNull: true, doc: 'the run (runs.run_id)' } as const;

export const TABLES = [
  {
    name: 'runs',
    since: 1,
    doc: 'one row per run: what ran, on what, and how it ended',
    columns: [
      { name: 'run_id', type: 'varchar', primaryKey: true, doc: 'scenario name, UTC start time and a random suffix' },
      { name: 'scenario', type: 'varchar', notNull: true, doc: "the scenario's name" },
      { name: 'scenario_json', type: 'varchar', notNull: true, doc: 'the whole scenario as run (defaults filled in)' },
      { name: 'seed', type: 'integer', notNull: true, doc: 'the world seed (also the assignment salt)' },
      { name: 'backend', type: 'varchar', notNull: true, doc: 'TensorFlow.js backend: tensorflow or wasm' },
      { name: 'version', type: 'varchar', notNull: true, doc: "crossab's release and a hash of its compiled code" },
      { name: 'fingerprint', type: 'varchar', notNull: true, doc: "SHA-256 of the generated world's data" },
      { name: 'strategies', type: 'varchar', notNull: true, doc: 'strategies trained, comma-separated' },
      { name: 'arms', type: 'varchar', doc: 'A/B arms, comma-separated' },
      { name: 'control', type: 'varchar', doc: 'the control arm' },
      { name: 'started_at', type: 'timestamp', notNull: true, doc: 'when the run started' },
      { name: 'finished_at', type: 'timestamp', doc: 'when it completed, failed or was cancelled' },
      {
        name: 'status',
        type: 'varchar',
        notNull: true,
        check: "status IN ('running', 'complete', 'cancelled', 'failed')",
        doc: 'running, complete, cancelled or failed',
      },
      { name: 'pid', type: 'integer', doc: 'the process that ran it' },
      { name: 'wall_seconds', type: 'double', doc: 'wall time from generation to the stored results' },
      { name: 'error', type: 'varchar', doc: 'why it failed' },
      { name: 'pid_stamp', type: 'varchar', since: 3, doc: "the process's start time, so a reused PID does not keep a dead run 'running'" },
      { name: 'salt', type: 'integer', since: 4, doc: 'the A/B assignment salt (the seed unless --salt)' },
    ],
  },
  {
    name: 'offline_metrics',
    since: 1,
    doc: 'test-period metrics of every strategy (and the oracle and constant) per scope',
    columns: [
      RUN_ID,
      { name: 'strategy', type: 'varchar', notNull: true, doc: "a strategy, 'oracle' (the true probabilities) or 'constant' (training CTR per domain)" },
      { name: 'target', type: 'varchar', notNull: true, doc: 'click, or conversion (click and convert)' },
      { name: 'scope', type: 'varchar', notNull: true, doc: 'overall, domain, domain_group or user_segment' },
      { name: 'key', type: 'varchar', notNull: true, doc: "the domain, group or segment; 'all' overall" },
      { name: 'n', type: 'integer', doc: 'test impressions in the scope' },
      { name: 'auc', type: 'double', doc: 'ROC AUC' },
      { name: 'gauc', type: 'double', doc: 'impression-weighted per-user AUC' },
      { name: 'logloss', type: 'double', doc: 'mean binary cross-entropy' },
      { name: 'mean_predicted', type: 'double', field: 'predicted', doc: 'mean predicted probability' },
      { name: 'mean_observed', type: 'double', field: 'observed', doc: 'observed rate' },
      { name: 'auc_se', type: 'double', field: 'aucSe', since: 8, doc: "DeLong's standard error of the AUC (impressions taken as independent)" },
    ],
  },
  {
    name: 'training_curves',
    since: 1,
    doc: 'one row per strategy and epoch',
    columns: [
      RUN_ID,
      { name: 'strategy', type: 'varchar', notNull: true, doc: 'the strategy' },
      { name: 'epoch', type: 'integer', notNull: true, doc: 'from 1' },
      { name: 'loss', type: 'double', doc: 'mean training loss of the epoch' },
      { name: 'valid_auc', type: 'double', field: 'validAuc', doc: 'mean per-domain AUC on the validation period' },
      { name: 'seconds', type: 'double', doc: 'time since training started' },
      {
        name: 'domain',
        type: 'varchar',
        since: 10,
        doc: "the domain whose model the epoch trained, for one model per domain ('separate'); NULL for a model of every domain",
      },
    ],
  },
  {
    name: 'expert_gates',
    since: 12,
    doc: "a mixture model's gates on each domain's test rows, one row per gate and expert it mixes (expert-collapse diagnostics, train/experts.ts)",
    columns: [
      RUN_ID,
      { name: 'strategy', type: 'varchar', notNull: true, doc: 'the strategy' },
      { name: 'domain', type: 'varchar', notNull: true, doc: 'the domain whose test rows were read' },
      { name: 'gate', type: 'varchar', notNull: true, doc: "the gate's name within the model ('gate1', 'level0/gateShared')" },
      { name: 'expert', type: 'integer', notNull: true, doc: "the expert's position among what the gate mixes, from 0" },
      { name: 'weight', type: 'double', doc: "the gate's mean weight on the expert (idle below 0.05)" },
      {
        name: 'entropy',
        type: 'double',
        doc: "the gate's mean entropy over the rows over ln(experts): 1 even, 0 one expert (the same on every row of a gate)",
      },
      { name: 'dead_share', type: 'double', field: 'deadShare', doc: "share of the expert's output units that are zero on every row" },
    ],
  },
  {
    name: 'training_runs',
    since: 1,
    doc: 'one row per trained strategy',
    columns: [
      RUN_ID,
      { name: 'strategy', type: 'varchar', notNull: true, doc: 'the strategy' },
      { name: 'seconds', type: 'double', doc: 'training wall time' },
      { name: 'samples_per_s', type: 'double', field: 'samplesPerSecond', doc: 'training throughput' },
      { name: 'best_epoch', type: 'integer', field: 'bestEpoch', doc: 'the epoch whose weights were kept (early stopping)' },
      {
        name: 'serve_seconds',
        type: 'double',
        field: 'serveSeconds',
        since: 8,
        doc: 'maml-serve: wall time of serving the replay while adapting on its own impressions',
      },
    ],
  },
  {
    name: 'ab_results',
    since: 1,
    doc: 'the replayed A/B test per arm, domain and user segment',
    columns: [
      RUN_ID,
      { name: 'arm', type: 'varchar', notNull: true, doc: 'the arm' },
      { name: 'strategy', type: 'varchar', notNull: true, doc: 'the strategy it serves' },
      { name: 'domain', type: 'varchar', notNull: true, doc: "a domain, 'head-domains', 'tail-domains' or 'all'" },
      { name: 'segment', type: 'varchar', notNull: true, doc: 'all, heavy, tail or cold' },
      { name: 'users', type: 'integer', doc: 'users assigned who were served' },
      { name: 'impressions', type: 'bigint', doc: 'impressions served' },
      { name: 'clicks', type: 'bigint', doc: 'clicks' },
      { name: 'ctr', type: 'double', doc: 'clicks per impression' },
      { name: 'conversions', type: 'bigint', doc: 'conversions' },
      { name: 'cvr', type: 'double', doc: 'conversions per click' },
      { name: 'expected_ctr', type: 'double', field: 'expectedCtr', doc: 'the true expected CTR of what was served' },
      { name: 'max_user_share', type: 'double', field: 'maxUserShare', since: 4, doc: "the largest share of the cell's impressions made by one user" },
      {
        name: 'effective_users',
        type: 'double',
        field: 'effectiveUsers',
        since: 5,
        doc: "Kish's effective users: (Σ impressions)² / Σ impressions² over the cell's users",
      },
    ],
  },
  {
    name: 'ab_lifts',
    since: 1,
    doc: "each treatment arm's relative lift over the control",
    columns: [
      RUN_ID,
      { name: 'arm', type: 'varchar', notNull: true, doc: 'the treatment arm' },
      { name: 'control', type: 'varchar', notNull: true, doc: 'the control arm' },
      { name: 'metric', type: 'varchar', notNull: true, doc: 'ctr, or ctcvr (conversions per impression)' },
      { name: 'domain', type: 'varchar', notNull: true, doc: 'as in ab_results' },
      { name: 'segment', type: 'varchar', notNull: true, doc: 'as in ab_results' },
      { name: 'lift', type: 'double', doc: 'treatment / control − 1' },
      {
        name: 'ci_low',
        type: 'double',
        field: 'ciLow',
        doc: '1 − α interval of the lift on the log scale (delta method over users); NULL below the small-cell floor',
      },
      { name: 'ci_high', type: 'double', field: 'ciHigh', doc: 'its upper end' },
      { name: 'p_value', type: 'double', field: 'pValue', doc: 'two-sided, before the multiplicity correction' },
      { name: 'true_lift', type: 'double', field: 'trueLift', doc: 'the lift of the true expected CTRs' },
      { name: 'covered', type: 'boolean', doc: 'whether the interval holds the true lift (NULL without an interval)' },
      { name: 'se_log', type: 'double', field: 'seLog', since: 4, doc: 'standard error of log(treatment / control)' },
      { name: 'tested', type: 'boolean', since: 4, doc: 'both arms reached the small-cell floor (users; clicks or conversions)' },
      { name: 'family', type: 'varchar', since: 4, doc: 'primary (CTR per domain, all users) or exploratory' },
      { name: 'p_adjusted', type: 'double', field: 'pAdjusted', since: 4, doc: 'p-value after the correction across the primary family' },
      { name: 'mde', type: 'double', since: 4, doc: "the minimum detectable lift at the rules' α and power" },
      { name: 'power', type: 'double', since: 4, doc: 'the power this test had at the true lift' },
      { name: 'users_needed', type: 'double', field: 'usersNeeded', since: 4, doc: 'users (both arms) needed to detect the true lift' },
      { name: 'cuped_lift', type: 'double', field: 'cupedLift', since: 5, doc: "the lift adjusted by each user's pre-experiment ratio (CUPED)" },
      { name: 'cuped_ci_low', type: 'double', field: 'cupedCiLow', since: 5, doc: 'its 1 − α interval (log scale); NULL below the small-cell floor' },
      { name: 'cuped_ci_high', type: 'double', field: 'cupedCiHigh', since: 5, doc: 'its upper end' },
      { name: 'cuped_p_value', type: 'double', field: 'cupedPValue', since: 5, doc: 'two-sided, before the correction' },
      { name: 'cuped_p_adjusted', type: 'double', field: 'cupedPAdjusted', since: 5, doc: 'after the correction across the primary family' },
      { name: 'cuped_se_log', type: 'double', field: 'cupedSeLog', since: 5, doc: 'standard error of the adjusted log(treatment / control)' },
      { name: 'variance_reduction', type: 'double', field: 'varianceReduction', since: 5, doc: "1 − CUPED's variance / the plain one's" },
      { name: 'cuped_mde', type: 'double', field: 'cupedMde', since: 5, doc: "CUPED's minimum detectable lift" },
      { name: 'cuped_power', type: 'double', field: 'cupedPower', since: 5, doc: "CUPED's power at the true lift" },
      { name: 'seq_ci_low', type: 'double', field: 'seqCiLow', since: 5, doc: 'primary and guardrail cells: the confidence sequence after the last look' },
      { name: 'seq_ci_high', type: 'double', field: 'seqCiHigh', since: 5, doc: 'its upper end' },
      { name: 'seq_p_value', type: 'double', field: 'seqPValue', since: 5, doc: 'the always-valid p-value after the last look' },
      { name: 'seq_p_adjusted', type: 'double', field: 'seqPAdjusted', since: 5, doc: 'after the correction across the primary family' },
      { name: 'seq_mde', type: 'double', field: 'seqMde', since: 9, doc: "the sequential test's minimum detectable lift at its planned end" },
      {
        name: 'ci_low_adjusted',
        type: 'double',
        field: 'ciLowAdjusted',
        since: 9,
        doc: 'primary family: the interval widened to agree with p_adjusted (excludes 0 exactly when p_adjusted < α)',
      },
      { name: 'ci_high_adjusted', type: 'double', field: 'ciHighAdjusted', since: 9, doc: 'its upper end (NULL when unbounded)' },
      { name: 'cuped_ci_low_adjusted', type: 'double', field: 'cupedCiLowAdjusted', since: 9, doc: "CUPED's interval agreeing with cuped_p_adjusted" },
      { name: 'cuped_ci_high_adjusted', type: 'double', field: 'cupedCiHighAdjusted', since: 9, doc: 'its upper end (NULL when unbounded)' },
      { name: 'dof', type: 'double', since: 9, doc: "Welch–Satterthwaite degrees of freedom (GrowthBook's fixed-horizon convention)" },
      { name: 'linear_ci_low', type: 'double', field: 'linearCiLow', since: 9, doc: "Welch's t interval of the linear relative lift (T − C)/C" },
      { name: 'linear_ci_high', type: 'double', field: 'linearCiHigh', since: 9, doc: 'its upper end' },
      { name: 'linear_p_value', type: 'double', field: 'linearPValue', since: 9, doc: "Welch's two-sided p-value of the linear relative lift" },
      { name: 'abs_diff', type: 'double', field: 'absDiff', since: 9, doc: 'the absolute difference T − C (CTR or conversion-rate points)' },
      { name: 'abs_ci_low', type: 'double', field: 'absCiLow', since: 9, doc: "Welch's t interval of the absolute difference" },
      { name: 'abs_ci_high', type: 'double', field: 'absCiHigh', since: 9, doc: 'its upper end' },
      {
        name: 'jackknife_se_log',
        type: 'double',
        field: 'jackknifeSeLog',
        since: 9,
        doc: "domains below minEffectiveUsers: the plain estimate's user-level jackknife standard error of log(T/C)",
      },
      { name: 'jackknife_ci_low', type: 'double', field: 'jackknifeCiLow', since: 9, doc: 'its 1 − α interval (normal)' },
      { name: 'jackknife_ci_high', type: 'double', field: 'jackknifeCiHigh', since: 9, doc: 'its upper end' },
      { name: 'jackknife_p_value', type: 'double', field: 'jackknifePValue', since: 9, doc: 'two-sided, before the correction' },
      { name: 'jackknife_p_adjusted', type: 'double', field: 'jackknifePAdjusted', since: 9, doc: 'corrected within the family of the p-values that decide' },
      {
        name: 'cuped_jackknife_se_log',
        type: 'double',
        field: 'cupedJackknifeSeLog',
        since: 9,
        doc: "CUPED's jackknife standard error (θ refitted per user left out)",
      },
      { name: 'cuped_jackknife_ci_low', type: 'double', field: 'cupedJackknifeCiLow', since: 9, doc: 'its interval' },
      { name: 'cuped_jackknife_ci_high', type: 'double', field: 'cupedJackknifeCiHigh', since: 9, doc: 'its upper end' },
      { name: 'cuped_jackknife_p_value', type: 'double', field: 'cupedJackknifePValue', since: 9, doc: 'two-sided, before the correction' },
      { name: 'cuped_jackknife_p_adjusted', type: 'double', field: 'cupedJackknifePAdjusted', since: 9, doc: 'after it' },
    ],
  },
  {
    name: 'feedback_rounds',
    since: 8,
    doc: 'with scenario.feedback: each participant deployed to the whole replay period in rounds of serve, log, retrain on its own log; per round and domain',
    columns: [
      RUN_ID,
      { name: 'participant', type: 'varchar', notNull: true, doc: 'a learner of the feedback block, or an A/B arm' },
      {
        name: 'kind',
        type: 'varchar',
        notNull: true,
        doc: 'learner (a count-based learner of the feedback block), retrained (a trained A/B arm fine-tuned on its own log) or static (an A/B arm as trained)',
      },
      { name: 'round', type: 'integer', notNull: true, doc: 'from 1, in time order' },
      { name: 'domain', type: 'varchar', notNull: true, doc: 'the domain' },
      { name: 'impressions', type: 'integer', doc: 'served in the round' },
      { name: 'coverage', type: 'double', doc: "share of the domain's catalogue shown at least once in the round" },
      { name: 'gini', type: 'double', doc: "Gini coefficient of the round's impressions over the catalogue" },
      { name: 'top_share', type: 'double', field: 'topShare', doc: "share of the impressions on the domain's most-shown 1% of items" },
      { name: 'true_ctr', type: 'double', field: 'trueCtr', doc: 'expected clicks per impression of what was served' },
      { name: 'clicks', type: 'integer', doc: 'clicks drawn' },
    ],
  },
  {
    name: 'feedback_designs',
    since: 11,
    doc: "with feedback.test: an A/B test inside the feedback loops, each design's estimate per domain beside the full-rollout (global) lift, graded over re-randomised assignments",
    columns: [
      RUN_ID,
      {
        name: 'design',
        type: 'varchar',
        notNull: true,
        doc: "pooled (users split, both arms retrain on both arms' log), diverted (users split, each on its own users' log), switchback (domain-rounds alternate), per-domain (users split in each domain on its own) or cluster (clusters of users split)",
      },
      { name: 'treatment', type: 'varchar', notNull: true, doc: 'the participant in the treatment arm' },
      { name: 'control', type: 'varchar', notNull: true, doc: 'the participant in the control arm' },
      { name: 'domain', type: 'varchar', notNull: true, doc: "a domain, or 'all'" },
      {
        name: 'global_lift',
        type: 'double',
        field: 'globalLift',
        doc: 'relative lift of the true CTR, everyone on the treatment against everyone on the control',
      },
      { name: 'estimate', type: 'double', doc: "the test at the run's salt: the clicks-per-impression lift between the arms" },
      {
        name: 'ci_low',
        type: 'double',
        field: 'ciLow',
        doc: "its interval (delta method over the design's units: users, domain-rounds for switchback, a user's cells for per-domain, clusters for cluster; log scale)",
      },
      { name: 'ci_high', type: 'double', field: 'ciHigh', doc: 'its upper end' },
      { name: 'p_value', type: 'double', field: 'pValue', doc: 'two-sided' },
      { name: 'assignments', type: 'integer', doc: 'the re-randomised assignments graded (with an estimate)' },
      { name: 'mean_estimate', type: 'double', field: 'meanEstimate', doc: 'the mean estimate over them' },
      { name: 'bias', type: 'double', doc: 'mean_estimate − global_lift' },
      { name: 'rmse', type: 'double', doc: 'root mean squared error of the estimates against global_lift' },
      { name: 'sd', type: 'double', doc: "standard deviation of the estimates: the design's variance cost" },
      { name: 'coverage', type: 'double', doc: 'share of the intervals that hold global_lift' },
      {
        name: 'decision_accuracy',
        type: 'double',
        field: 'decisionAccuracy',
        doc: "share of decisions (ship when the interval is above zero, else keep) that match global_lift's sign",
      },
    ],
  },
  {
    name: 'ab_long_term',
    since: 8,
    doc: 'with scenario.dynamics: clicks and visits per user over the whole test, per treatment arm and domain (every user with a planned visit)',
    columns: [
      RUN_ID,
      { name: 'arm', type: 'varchar', notNull: true, doc: 'the treatment arm' },
      { name: 'control', type: 'varchar', notNull: true, doc: 'the control arm' },
      { name: 'domain', type: 'varchar', notNull: true, doc: "a domain, or 'all'" },
      { name: 'metric', type: 'varchar', notNull: true, doc: 'clicks or visits (per user, over the whole test)' },
      { name: 'users', type: 'integer', doc: 'users of the arm with a planned visit, whether or not they stayed for it' },
      { name: 'control_users', type: 'integer', field: 'controlUsers', doc: "the control's" },
      { name: 'per_user', type: 'double', field: 'perUser', doc: "the arm's mean per user" },
      { name: 'control_per_user', type: 'double', field: 'controlPerUser', doc: "the control's" },
      { name: 'lift', type: 'double', doc: 'per_user / control_per_user − 1' },
      { name: 'ci_low', type: 'double', field: 'ciLow', doc: 'log-scale delta-method interval, users as units' },
      { name: 'ci_high', type: 'double', field: 'ciHigh', doc: 'its upper end' },
      { name: 'p_value', type: 'double', field: 'pValue', doc: 'two-sided' },
      { name: 'true_lift', type: 'double', field: 'trueLift', doc: 'had every user been served each arm for the whole test (from the truth)' },
      { name: 'covered', type: 'boolean', doc: 'the interval holds the true lift' },
    ],
  },
  {
    name: 'ab_looks',
    since: 5,
    doc: 'the sequential test: each primary cell and its guardrail at every look',
    columns: [
      RUN_ID,
      { name: 'look', type: 'integer', notNull: true, doc: '1-based, in time order; the last is the end of the test' },
      { name: 'time', type: 'integer', doc: "the look's end on the global timeline" },
      { name: 'users', type: 'integer', doc: 'users seen by then, all arms' },
      { name: 'arm', type: 'varchar', notNull: true, doc: 'the treatment arm' },
      { name: 'domain', type: 'varchar', notNull: true, doc: 'the domain' },
      { name: 'metric', type: 'varchar', notNull: true, doc: 'ctr (primary) or ctcvr (guardrail)' },
      { name: 'tested', type: 'boolean', doc: 'both arms reached the small-cell floor by then' },
      { name: 'lift', type: 'double', doc: 'the plain lift so far' },
      { name: 'p_value', type: 'double', field: 'pValue', doc: 'its fixed-horizon p-value (what a peeking reader sees)' },
      { name: 'cuped_lift', type: 'double', field: 'cupedLift', doc: 'the CUPED lift the sequence is built on' },
      { name: 'se_log', type: 'double', field: 'seLog', doc: 'its standard error (log scale)' },
      { name: 'seq_ci_low', type: 'double', field: 'seqCiLow', doc: 'the 1 − α confidence sequence so far' },
      { name: 'seq_ci_high', type: 'double', field: 'seqCiHigh', doc: 'its upper end' },
      { name: 'seq_p_value', type: 'double', field: 'seqPValue', doc: 'the always-valid p-value so far' },
      { name: 'seq_p_adjusted', type: 'double', field: 'seqPAdjusted', doc: 'after the correction across the primary family at this look' },
    ],
  },
  {
    name: 'ab_assignment',
    since: 1,
    doc: "each arm's traffic share and the sample-ratio check",
    columns: [
      RUN_ID,
      { name: 'arm', type: 'varchar', notNull: true, doc: 'the arm' },
      { name: 'strategy', type: 'varchar', notNull: true, doc: 'the strategy it serves' },
      { name: 'share', type: 'double', doc: 'the intended share of users' },
      { name: 'users', type: 'integer', doc: 'users assigned' },
      { name: 'srm_chi2', type: 'double', field: 'chi2', doc: 'sample-ratio χ² over all arms' },
      { name: 'srm_p_value', type: 'double', field: 'pValue', doc: 'its p-value' },
      { name: 'max_user_share', type: 'double', field: 'maxUserShare', since: 2, doc: "the largest share of the arm's impressions made by one user" },
    ],
  },
  {
    name: 'ab_decisions',
    since: 4,
    doc: 'per domain: ship, keep, not enough data or unreliable, and whether the truth agrees',
    columns: [
      RUN_ID,
      { name: 'domain', type: 'varchar', notNull: true, doc: 'the domain' },
      { name: 'decision', type: 'varchar', notNull: true, doc: "'ship', 'keep', 'not enough data' or 'unreliable'" },
      { name: 'arm', type: 'varchar', doc: 'the arm shipped, or the control when kept' },
      { name: 'lift', type: 'double', doc: "the deciding (or best) arm's CTR lift" },
      { name: 'ci_low', type: 'double', field: 'ciLow', doc: 'its interval' },
      { name: 'ci_high', type: 'double', field: 'ciHigh', doc: 'its upper end' },
      { name: 'p_adjusted', type: 'double', field: 'pAdjusted', doc: 'its corrected p-value' },
      { name: 'users', type: 'integer', doc: 'users in the domain, all arms' },
      { name: 'users_needed', type: 'double', field: 'usersNeeded', doc: 'not enough data: users that would decide it' },
      { name: 'traffic_multiple', type: 'double', field: 'trafficMultiple', doc: 'users_needed / users' },
      { name: 'srm_p_value', type: 'double', field: 'srmPValue', doc: "sample-ratio check of the domain's users" },
      { name: 'max_user_share', type: 'double', field: 'maxUserShare', doc: "the heaviest user's share of an arm's impressions here" },
      { name: 'reason', type: 'varchar', doc: 'one line: why' },
      {
        name: 'true_best',
        type: 'varchar',
        field: 'trueBest',
        doc: 'what the truth says to decide: the best treatment if its true lift reaches minLift, else the control',
      },
      { name: 'true_best_lift', type: 'double', field: 'trueBestLift', doc: "the best treatment's true lift" },
      { name: 'correct', type: 'boolean', doc: 'ship / keep chose the true best; NULL without a decision' },
      { name: 'method', type: 'varchar', since: 5, doc: "the evidence decided on: 'plain', 'cuped' or 'sequential'" },
      {
        name: 'look',
        type: 'integer',
        since: 5,
        doc: 'the look at which the decision became final (sequential: the first decisive one); NULL without a decision',
      },
      { name: 'effective_users', type: 'double', field: 'effectiveUsers', since: 5, doc: 'the fewest effective users of any arm here' },
      {
        name: 'guardrail_power',
        type: 'double',
        field: 'guardrailPower',
        since: 9,
        doc: "the guardrail's non-inferiority power for the deciding (or best) arm, if it truly does conversions no harm",
      },
      {
        name: 'evidence_arm',
        type: 'varchar',
        field: 'evidenceArm',
        since: 10,
        doc: 'the arm lift, ci_low and ci_high are about: the one shipped, else the best (NULL without evidence)',
      },
    ],
  },
  {
    name: 'ab_grades',
    since: 4,
    doc: 'run --grade K: how often each procedure decided each domain right over K re-randomised assignments of the same world and models',
    columns: [
      RUN_ID,
      { name: 'domain', type: 'varchar', notNull: true, doc: 'the domain' },
      {
        name: 'method',
        type: 'varchar',
        notNull: true,
        doc: "'plain', 'cuped', 'sequential' (the rules on each method's evidence), 'naive' (largest uncorrected significant lift ships) or 'peeking' (naive at every look); 'decisions' before version 5",
      },
      { name: 'assignments', type: 'integer', doc: 'K' },
      { name: 'ship', type: 'double', doc: 'share of assignments that shipped an arm' },
      { name: 'keep', type: 'double', doc: 'share that kept the control' },
      { name: 'not_enough_data', type: 'double', field: 'notEnoughData', doc: 'share without enough data' },
      { name: 'unreliable', type: 'double', doc: 'share flagged unreliable' },
      { name: 'correct', type: 'double', doc: 'share that shipped the true best arm, or kept the control when none truly beats it' },
      { name: 'false_ship', type: 'double', field: 'falseShip', doc: 'share that shipped an arm whose true lift is ≤ 0' },
      { name: 'missed_win', type: 'double', field: 'missedWin', doc: 'share that did not ship an arm that truly wins' },
      { name: 'overstatement', type: 'double', doc: 'mean estimated − true lift of the arms shipped' },
      { name: 'coverage', type: 'double', doc: "share of the primary tests' intervals that hold the true lift" },
      {
        name: 'aa_false_positive',
        type: 'double',
        field: 'aaFalsePositive',
        since: 5,
        doc: 'A/A arms only: share of their tests significant at α before correction; NULL without one',
      },
      { name: 'interval_width', type: 'double', field: 'intervalWidth', since: 5, doc: "mean ln((1 + high) / (1 + low)) of the primary tests' intervals" },
      { name: 'variance_reduction', type: 'double', field: 'varianceReduction', since: 5, doc: 'cuped: mean share of the plain variance removed' },
      { name: 'mean_look', type: 'double', field: 'meanLook', since: 5, doc: 'mean look at which decisions became final' },
      {
        name: 'true_return',
        type: 'double',
        field: 'trueReturn',
        since: 10,
        doc: 'mean over assignments of the true lift of the arm shipped (0 for a keep or no decision; a shipped loss counts negative)',
      },
      {
        name: 'oracle_return',
        type: 'double',
        field: 'oracleReturn',
        since: 10,
        doc: "the oracle's return: the largest true lift of any arm, 0 when none wins",
      },
      { name: 'return_share', type: 'double', field: 'returnShare', since: 10, doc: 'true_return / oracle_return; NULL when no arm truly beats the control' },
    ],
  },
  {
    name: 'world_domains',
    since: 1,
    doc: "the generated world's domains",
    columns: [
      RUN_ID,
      { name: 'domain', type: 'varchar', notNull: true, field: 'name', doc: 'the domain' },
      { name: 'share', type: 'double', doc: 'share of requests' },
      { name: 'impressions', type: 'integer', doc: 'logged impressions' },
      { name: 'ctr', type: 'double', doc: 'logged CTR' },
      { name: 'cvr', type: 'double', doc: 'logged CVR' },
      { name: 'tail', type: 'boolean', doc: 'share below half of an even split' },
    ],
  },
  {
    name: 'world_features',
    since: 1,
    doc: 'which features each domain exposes',
    columns: [
      RUN_ID,
      { name: 'feature', type: 'varchar', notNull: true, doc: 'the feature' },
      { name: 'kind', type: 'varchar', notNull: true, doc: 'categorical or numeric' },
      { name: 'source', type: 'varchar', notNull: true, doc: 'user, item or context' },
      { name: 'domain', type: 'varchar', notNull: true, doc: 'the domain' },
      { name: 'present', type: 'boolean', doc: 'whether the domain exposes it' },
    ],
  },
  {
    name: 'world_user_activity',
    since: 1,
    doc: 'activity histogram: how many users made n training impressions',
    columns: [
      RUN_ID,
      { name: 'impressions', type: 'integer', notNull: true, doc: 'training impressions (n ≥ 1)' },
      { name: 'users', type: 'integer', notNull: true, doc: 'users who made that many' },
    ],
  },
  {
    name: 'ope_estimates',
    since: 6,
    doc: 'off-policy estimates of every strategy from the logged test period, per estimator, domain and segment, beside the truth',
    columns: [
      RUN_ID,
      { name: 'logger', type: 'varchar', notNull: true, doc: 'the logging policy (traffic.loggingPolicy)' },
      { name: 'reward_model', type: 'varchar', field: 'rewardModel', doc: "the strategy whose predictions are DM's reward model" },
      { name: 'reference', type: 'varchar', doc: 'the strategy the lifts are over (the A/B control)' },
      { name: 'strategy', type: 'varchar', notNull: true, doc: 'the target policy: the strategy ranking the candidates' },
      { name: 'estimator', type: 'varchar', notNull: true, doc: 'dm, ipw, snipw, dr, switch-dr, iips, sniips, rips or sips' },
      { name: 'domain', type: 'varchar', notNull: true, doc: "a domain or 'all'" },
      { name: 'segment', type: 'varchar', notNull: true, doc: 'all, heavy, tail or cold' },
      { name: 'requests', type: 'integer', doc: 'logged test-period requests in the scope' },
      { name: 'value', type: 'double', doc: "the estimated CTR of the strategy's slates; NULL when not identified" },
      { name: 'se', type: 'double', doc: 'its user-clustered standard error' },
      { name: 'ci_low', type: 'double', field: 'ciLow', doc: 'its 1 − α interval' },
      { name: 'ci_high', type: 'double', field: 'ciHigh', doc: 'its upper end' },
      { name: 'true_value', type: 'double', field: 'trueValue', doc: 'the true CTR of those slates on the same requests' },
      { name: 'relative_error', type: 'double', field: 'relativeError', doc: '|value − true_value| / true_value' },
      { name: 'covered', type: 'boolean', doc: 'whether the interval holds the true value' },
      { name: 'lift', type: 'double', doc: 'estimated CTR over the reference’s by the same estimator, − 1' },
      { name: 'lift_low', type: 'double', field: 'liftLow', doc: 'its 1 − α interval (paired, log scale)' },
      { name: 'lift_high', type: 'double', field: 'liftHigh', doc: 'its upper end' },
      { name: 'true_lift', type: 'double', field: 'trueLift', doc: 'the true lift on the same requests (the logs’ click model)' },
      { name: 'lift_covered', type: 'boolean', field: 'liftCovered', doc: 'whether the lift interval holds the true lift' },
      { name: 'online_true_lift', type: 'double', field: 'onlineTrueLift', doc: "the true lift with the A/B test's position curve" },
      { name: 'ess', type: 'double', doc: "Kish's effective sample size of the estimator's weights" },
      { name: 'ess_share', type: 'double', field: 'essShare', doc: 'ess over the weighted units (logged rows; requests for sips)' },
      { name: 'max_weight', type: 'double', field: 'maxWeight', doc: 'the largest importance weight' },
      {
        name: 'position_deficiency',
        type: 'double',
        field: 'positionDeficiency',
        doc: "share of the target's slate positions the logger never fills with that item",
      },
      { name: 'item_deficiency', type: 'double', field: 'itemDeficiency', doc: "share of the target's items the logger never shows" },
      { name: 'identified', type: 'boolean', doc: "the logger's support covers the target (else the estimate is not identified)" },
      { name: 'threshold', type: 'double', doc: 'switch-dr: the weight above which corrections were dropped (NULL: none)' },
    ],
  },
  {
    name: 'offline_online',
    since: 6,
    doc: 'per domain and offline signal: how well it orders the strategies by their true online CTR',
    columns: [
      RUN_ID,
      { name: 'domain', type: 'varchar', notNull: true, doc: "a domain or 'all'" },
      { name: 'signal', type: 'varchar', notNull: true, doc: 'auc, gauc, logloss, or an off-policy estimate (ope-dm, ope-snipw, ope-dr, ope-switch-dr)' },
      { name: 'strategies', type: 'integer', doc: 'strategies ordered' },
      { name: 'tau', type: 'double', doc: "Kendall's τ-b between the signal's and the true online ordering" },
      { name: 'pair_agreement', type: 'double', field: 'pairAgreement', doc: 'share of strategy pairs ordered as the truth orders them' },
      { name: 'offline_winner', type: 'varchar', field: 'offlineWinner', doc: "the signal's best strategy" },
      { name: 'online_winner', type: 'varchar', field: 'onlineWinner', doc: 'the best by true online CTR' },
      { name: 'winner_agrees', type: 'boolean', field: 'winnerAgrees', doc: 'they are the same strategy' },
      { name: 'regret', type: 'double', doc: "true online CTR of the online winner over the signal's winner, − 1" },
    ],
  },
  {
    name: 'offline_online_pairs',
    since: 6,
    doc: "every pair of strategies per domain and signal: the signal's difference beside the true online lift",
    columns: [
      RUN_ID,
      { name: 'domain', type: 'varchar', notNull: true, doc: "a domain or 'all'" },
      { name: 'signal', type: 'varchar', notNull: true, doc: 'as in offline_online' },
      { name: 'a', type: 'varchar', notNull: true, doc: 'one strategy' },
      { name: 'b', type: 'varchar', notNull: true, doc: 'the other' },
      { name: 'delta', type: 'double', doc: "the signal's difference in a's favour (ΔAUC, ΔGAUC, b's log loss − a's, estimated CTR lift)" },
      { name: 'true_lift', type: 'double', field: 'trueLift', doc: "a's true online CTR over b's, − 1" },
      { name: 'agrees', type: 'boolean', doc: 'the signal and the truth point the same way' },
    ],
  },
  {
    name: 'log_datasets',
    since: 7,
    doc: 'one row per imported log (crossab import): what was read, how it was mapped, and its checksum',
    columns: [
      { name: 'dataset', type: 'varchar', primaryKey: true, doc: "the dataset's name" },
      {
        name: 'checksum',
        type: 'varchar',
        notNull: true,
        doc: "SHA-256 of the mapping and every file's bytes: importing the same files again changes nothing",
      },
      { name: 'mapping_json', type: 'varchar', notNull: true, field: 'mappingJson', doc: 'the mapping as applied (defaults filled in)' },
      { name: 'unit', type: 'varchar', notNull: true, doc: "the analysis unit: 'row', 'timestamp' or a column's name" },
      { name: 'control', type: 'varchar', notNull: true, doc: 'the control arm' },
      { name: 'rows', type: 'bigint', notNull: true, doc: 'rows imported over all files' },
      { name: 'imported_at', type: 'timestamp', notNull: true, field: 'importedAt', doc: 'when' },
    ],
  },
  {
    name: 'log_files',
    since: 7,
    doc: 'the files of an imported log, one row each',
    columns: [
      { name: 'dataset', type: 'varchar', notNull: true, doc: 'the dataset (log_datasets.dataset)' },
      { name: 'file', type: 'integer', notNull: true, doc: 'its number in the dataset, from 0' },
      { name: 'path', type: 'varchar', notNull: true, doc: 'the path it was read from' },
      { name: 'sha256', type: 'varchar', notNull: true, doc: 'SHA-256 of its bytes' },
      { name: 'format', type: 'varchar', notNull: true, doc: 'csv or parquet' },
      { name: 'rows', type: 'bigint', notNull: true, doc: 'rows read' },
      { name: 'items_path', type: 'varchar', field: 'itemsPath', doc: 'the item side table read with it, if any' },
    ],
  },
  {
    name: 'log_rows',
    since: 7,
    doc: 'every logged display of an imported log: one (impression, position), its click and the logging propensity',
    columns: [
      { name: 'dataset', type: 'varchar', notNull: true, doc: 'the dataset' },
      { name: 'file', type: 'integer', notNull: true, doc: 'the file (log_files.file)' },
      { name: 'row', type: 'bigint', notNull: true, doc: "the row's number in its file, from 1 (the header not counted)" },
      { name: 'domain', type: 'varchar', notNull: true, doc: 'the domain (scenario, campaign)' },
      { name: 'arm', type: 'varchar', notNull: true, doc: 'the arm: the policy that served it' },
      { name: 'time', type: 'timestamp', notNull: true, doc: 'when it was served (UTC)' },
      { name: 'unit', type: 'varchar', notNull: true, doc: 'the analysis unit it belongs to (the row itself, its timestamp, or a user / session column)' },
      { name: 'item', type: 'varchar', notNull: true, doc: 'the item shown' },
      { name: 'position', type: 'integer', notNull: true, doc: 'its slot in the slate, from 1' },
      { name: 'click', type: 'integer', notNull: true, check: 'click IN (0, 1)', doc: '1 if clicked' },
      { name: 'conversion', type: 'integer', check: 'conversion IN (0, 1)', doc: '1 if converted (NULL when the log has none)' },
      {
        name: 'propensity',
        type: 'double',
        notNull: true,
        check: 'propensity > 0 AND propensity <= 1',
        doc: "the logging policy's probability of this item at this position",
      },
      { name: 'user_features', type: 'varchar', field: 'userFeatures', doc: 'the mapped user features as a JSON object' },
      { name: 'context_features', type: 'varchar', field: 'contextFeatures', doc: 'the mapped context features as a JSON object' },
    ],
  },
  {
    name: 'log_items',
    since: 7,
    doc: "the items each file of an imported log shows, per domain, with the features of the file's item side table",
    columns: [
      { name: 'dataset', type: 'varchar', notNull: true, doc: 'the dataset' },
      { name: 'file', type: 'integer', notNull: true, doc: 'the file whose rows show it (log_files.file): side tables of one domain may disagree' },
      { name: 'domain', type: 'varchar', notNull: true, doc: 'the domain whose catalogue holds it' },
      { name: 'item', type: 'varchar', notNull: true, doc: 'the item' },
      { name: 'features', type: 'varchar', doc: 'its mapped features as a JSON object (NULL without a side table)' },
    ],
  },
] as const satisfies readonly TableDef[];

export type TableName = (typeof TABLES)[number]['name'];
type Table<N extends TableName> = Extract<(typeof TABLES)[number], { name: N }>;
type Columns<N extends TableName> = Table<N>['columns'][number];

/** A value as DuckDB's JSON rows carry it: BIGINT and TIMESTAMP as strings. */
type JsonOf<K extends ColumnKind> = K extends 'varchar' | 'bigint' | 'timestamp' ? string : K extends 'boolean' ? boolean : number;

/** One stored row as read back (column names, JSON values; NULL for an undefined metric). */
export type StoredRow<N extends TableName> = { [C in Columns<N> as C['name']]: JsonOf<C['type']> | null };

export function table<N extends TableName>(name: N): Table<N> {
  return TABLES.find((t) => t.name === name) as Table<N>;
}

const DUCKDB_TYPE: Record<ColumnKind, DuckDBType> = {
  varchar: VARCHAR,
  double: DOUBLE,
  integer: INTEGER,
  bigint: BIGINT,
  boolean: BOOLEAN,
  timestamp: TIMESTAMP,
};

function columnDdl(c: ColumnDef): string {
  return [c.name, c.type.toUpperCase(), c.primaryKey ? 'PRIMARY KEY' : '', c.notNull ? 'NOT NULL' : '', c.check ? `CHECK (${c.check})` : '']
    .filter(Boolean)
    .join(' ');
}

/** The statements that take a store from schema version v − 1 to v: tables created, then columns added. */
export function migrationTo(v: number): string[] {
  const created = TABLES.filter((t) => t.since === v).map(
    (t) =>
      `CREATE TABLE ${t.name} (${t.columns
        .filter((c: ColumnDef) => (c.since ?? t.since) <= v)
        .map(columnDdl)
        .join(', ')})`,
  );
  const added = TABLES.filter((t) => t.since < v).flatMap((t) =>
    t.columns.filter((c: ColumnDef) => c.since === v).map((c) => `ALTER TABLE ${t.name} ADD COLUMN ${columnDdl(c)}`),
  );
  return [...created, ...added];
}

/** The newest schema version any declaration mentions. */
export const LATEST_VERSION = Math.max(...TABLES.flatMap((t) => [t.since, ...t.columns.map((c: ColumnDef) => c.since ?? t.since)]));

function convert(kind: ColumnKind, v: unknown): unknown {
  if (v === undefined || v === null) return null;
  if (kind === 'double') return Number.isFinite(v as number) ? v : null; // NaN (undefined metric) is stored as NULL
  if (kind === 'bigint') return Number.isFinite(v as number) ? BigInt(Math.round(v as number)) : null;
  if (kind === 'integer') return Number.isFinite(v as number) ? Math.round(v as number) : null;
  return v;
}

/** The property of a result object that fills each column of the table. */
export type RowInput<N extends TableName> = { [C in Columns<N> as C extends { field: infer F extends string } ? F : C['name']]: unknown };

/** Append result objects to a table, every column filled from its declared field. */
export async function appendTable<N extends TableName>(con: DuckDBConnection, name: N, rows: RowInput<N>[]): Promise<void> {
  const t = table(name);
  const cols = t.columns.map((c: ColumnDef) => {
    const key = c.field ?? c.name;
    return { name: c.name, type: DUCKDB_TYPE[c.type], data: rows.map((r) => convert(c.type, (r as Record<string, unknown>)[key])) };
  });
  await appendColumns(con, name, cols, rows.length);
}

/**
 * A result object as its table stores it, for JSON output: each declared column but run_id, by its
 * name, from its declared field; an undefined metric (NaN) is null, as in the store. `run --json` and
 * the store so cannot name one figure two ways.
 */
export function jsonRow<N extends TableName>(name: N, row: Omit<RowInput<N>, 'run_id'>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of table(name).columns as readonly ColumnDef[]) {
    if (c.name === 'run_id') continue;
    const v = (row as Record<string, unknown>)[c.field ?? c.name];
    out[c.name] = v === undefined || (typeof v === 'number' && !Number.isFinite(v)) ? null : v;
  }
  return out;
}

/**
 * The store reference (docs/reference/store.md): every table and column as declared here — type,
 * the schema version that added it, what it holds — so the page cannot drift from the store.
 */
export function storeReference(): string {
  const cell = (x: string) => x.replace(/\|/g, '\\|');
  const tables = TABLES.map((t) => {
    const rows = (t.columns as readonly ColumnDef[]).map((c) => `| \`${c.name}\` | ${c.type} | ${c.since ?? t.since} | ${cell(c.doc)} |`);
    return `## \`${t.name}\`\n\n${t.doc} (schema ${t.since}).\n\n| column | type | since | meaning |\n|---|---|---|---|\n${rows.join('\n')}\n`;
  });
  return `# Store reference\n\nGenerated from \`src/store/tables.ts\` by \`npm run docs\`; do not edit by hand. Schema version ${LATEST_VERSION}.\n\n${tables.join('\n')}`;
}
