// The scenario file: one JSON document that fully determines a world, its training and its A/B test.
// Every number has a range; cross-field rules (shares sum to 1, features exist) are refinements so
// that errors carry the path of the offending field.
import { MAX_SEED } from '../util/seed.js';
import { z } from 'zod';

/** Names end up in file names, run IDs and report titles: short and safe everywhere. */
const name = z
  .string()
  .max(64)
  .regex(/^[a-z][a-z0-9_-]*$/, 'must be lower-case letters, digits, _ or -');
/** Names a report or an expectation uses for groups of domains or users cannot name a domain. */
const RESERVED_DOMAINS = ['all', 'head-domains', 'tail-domains'];
const prob = z.number().gt(0).lt(1);
/** The logging policies a world's logged traffic can come from (world/logging.ts draws them). */
export const LOGGING_POLICIES = ['random', 'popularity', 'softmax', 'epsilon-greedy', 'top-popularity'] as const;

export const FeatureSchema = z.strictObject({
  name,
  kind: z.enum(['categorical', 'numeric']),
  /** Whose attribute it is: drawn once per user, once per item, or per request. */
  source: z.enum(['user', 'item', 'context']),
  /** Number of distinct values (categorical only). */
  vocab: z.number().int().min(2).max(1_000_000).optional(),
  /** Zipf exponent of value frequencies (categorical): 0 = uniform. */
  skew: z.number().min(0).max(4).default(1),
  /** Strength of the feature's effect in the ground truth. */
  weight: z.number().min(0).max(10).default(1),
  /** How much the value distribution differs between domains, 0 (same) to 1 (unrelated). */
  domainShift: z.number().min(0).max(1).default(0),
});

export const DomainSchema = z.strictObject({
  name,
  /** Traffic share; give it for every domain or use `domainShares.zipf`. */
  share: z.number().gt(0).max(1).optional(),
  baseCtr: z.number().min(0.001).max(0.9),
  baseCvr: z.number().min(0.001).max(0.9).default(0.1),
  /** Candidates per request, and how many of them are shown (the slate). */
  candidates: z.number().int().min(2).max(1000),
  slate: z.number().int().min(1).max(100),
  /** Fraction of the item catalogue this domain serves. */
  catalogue: z.number().gt(0).max(1).default(0.5),
  /** Names of the declared features this domain exposes (item_id is implicit when enabled). */
  features: z.array(name).min(1),
});

export const UsersSchema = z.strictObject({
  count: z.number().int().min(10).max(10_000_000),
  /** Zipf exponent of user activity: larger = a few heavier users, longer tail. */
  activitySkew: z.number().min(0).max(3).default(1),
  /** Share of users (with history) counted as heavy: the most active ones. */
  heavyShare: z.number().gt(0).lt(1).default(0.05),
  /** Share of the population that first arrives after the training period (cold start). */
  coldStartShare: z.number().min(0).lt(1).default(0.1),
  /** Scale of each user's idiosyncratic preference, learnable only from that user's history. */
  idiosyncratic: z.number().min(0).max(5).default(0.8),
  /** Scale of each user's per-domain drift of that preference. */
  drift: z.number().min(0).max(5).default(0.3),
  /**
   * Interest drift over time (none when absent): each user's personal taste moves along a direction
   * of their own, by this much (in units of the idiosyncratic scale at 1) from the start of the logs
   * to the end of the test, linearly in time — models trained on the logs are a little stale by the
   * test, and more for users who drift far.
   */
  interestDrift: z.number().gt(0).max(10).optional(),
  /**
   * New users behave differently: a preference shared by all novices whose weight halves every
   * `halfLife` impressions of experience (POSO's premise). 0 = experience does not matter.
   */
  novice: z
    .strictObject({
      scale: z.number().min(0).max(5).default(0),
      halfLife: z.number().gt(0).max(10_000).default(8),
    })
    .default({ scale: 0, halfLife: 8 }),
});

export const ItemsSchema = z.strictObject({
  count: z.number().int().min(10).max(10_000_000),
  popularitySkew: z.number().min(0).max(3).default(1),
  /** Fraction of each domain's catalogue drawn from a pool common to all domains. */
  overlap: z.number().min(0).max(1).default(0.5),
  /** Expose the item ID as a categorical feature in every domain. */
  idFeature: z.boolean().default(true),
});

export const TruthSchema = z.strictObject({
  /** Correlation between domains' click functions (the MMoE paper's cosine p). */
  correlation: z.number().min(0).max(1).default(0.8),
  latentDim: z.number().int().min(2).max(64).default(8),
  /** Scale of the feature-driven main effect and of its nonlinearity (sum of sines). */
  main: z.number().min(0).max(10).default(1),
  sines: z.number().int().min(0).max(20).default(5),
  /** Scale of the user × item interaction. */
  interaction: z.number().min(0).max(10).default(1),
  /** Scale of the conversion function's own component relative to the click-correlated one. */
  conversionOwn: z.number().min(0).max(1).default(0.5),
  /**
   * A click model fitted to real logs (`crossab fit`): per domain, a logit for each item of its
   * catalogue (in catalogue order) and for each slate position (0 at the best), added to whatever
   * the rest of the truth gives — with main and interaction 0, the click function is exactly the
   * fitted model, and the ground truth stays known.
   */
  fitted: z
    .strictObject({
      domains: z.record(
        z.string(),
        z.strictObject({
          items: z.array(z.number().min(-20).max(20)).min(1),
          positions: z.array(z.number().min(-20).max(0)).min(1),
          /** The log's id of each catalogue item, in catalogue order (so a strategy's slates can be named in the log's terms). */
          itemIds: z.array(z.string().min(1)).optional(),
        }),
      ),
    })
    .optional(),
});

export const TrafficSchema = z.strictObject({
  /** Logged requests over the train, validation and test periods. */
  requests: z.number().int().min(100).max(50_000_000),
  /** Requests in the later A/B replay period. */
  replayRequests: z.number().int().min(0).max(50_000_000).default(10_000),
  periods: z.strictObject({ train: prob, valid: prob, test: prob }).default({ train: 0.7, valid: 0.1, test: 0.2 }),
  /**
   * Which slate the logged traffic shows (and with what probability, recorded per impression):
   * 'random' (uniform), 'popularity' (Plackett–Luce by item popularity), 'softmax' (Plackett–Luce by
   * popularity^(1/loggingTemperature): below 1 more peaked), 'epsilon-greedy' (the popularity top-k,
   * a uniform slate with probability loggingEpsilon), 'top-popularity' (the top-k, deterministic: no
   * unbiased estimate of another policy exists from its logs).
   */
  loggingPolicy: z.enum(LOGGING_POLICIES).default('random'),
  /** Optional so that a scenario that does not use them stores no default (softmax: 0.5, epsilon-greedy: 0.1). */
  loggingTemperature: z.number().min(0.1).max(10).optional(),
  loggingEpsilon: z.number().gt(0).max(1).optional(),
  /**
   * The fewest test-period impressions each domain gets (default: none, the test period has the
   * traffic mix). Tail domains' shares of the test period are raised until each expects this many
   * (the head domains give up the difference), so a small domain's offline AUC has a small standard
   * error; training and the replay keep the configured mix.
   */
  testFloor: z.number().int().min(1).max(50_000_000).optional(),
  /**
   * Whether the replay period streams: its requests are generated, scored by each arm and reduced to
   * the arms' slates in chunks, never held with every candidate and feature (default: when the
   * replay has more than 16,777,216 candidates). The test's numbers are the same either way. A
   * streamed replay cannot serve what needs every candidate at once: dynamics, feedback
   * loops, policy arms, maml-serve and `run --policy-out`.
   */
  streamReplay: z.boolean().optional(),
});

export const TrainingSchema = z.strictObject({
  epochs: z.number().int().min(1).max(200).default(4),
  batchSize: z.number().int().min(16).max(65536).default(512),
  learningRate: z.number().gt(0).max(1).default(0.003),
  embeddingDim: z.number().int().min(1).max(256).default(8),
  /** Hidden sizes of the bottom / expert MLP and of the towers. */
  hidden: z.array(z.number().int().min(1).max(4096)).min(1).default([64, 32]),
  tower: z.array(z.number().int().min(1).max(4096)).default([16]),
  experts: z.number().int().min(1).max(32).default(4),
  /** PLE: extraction levels and domain-specific experts per domain. */
  levels: z.number().int().min(1).max(4).default(2),
  specificExperts: z.number().int().min(1).max(16).default(1),
  /** Epochs without validation-AUC improvement before stopping. */
  patience: z.number().int().min(1).max(50).default(2),
  l2: z.number().min(0).max(1).default(0),
  /** Weights of domains' and tasks' losses; `uncertainty` learns them (Kendall et al. 2018) on top. */
  lossWeights: z
    .strictObject({
      domains: z.record(z.string(), z.number().min(0).max(100)).optional(),
      click: z.number().min(0).max(100).default(1),
      conversion: z.number().min(0).max(100).default(1),
      uncertainty: z.boolean().default(false),
    })
    .optional(),
  /** MAML: inner-loop step, inner steps, support size at adaptation time. */
  maml: z
    .strictObject({
      innerLr: z.number().gt(0).max(10).default(0.1),
      innerSteps: z.number().int().min(1).max(20).default(3),
      support: z.number().int().min(1).max(256).default(16),
      metaUsers: z.number().int().min(1).max(4096).default(64),
      metaWeight: z.number().min(0).max(10).default(1),
      /** Take the meta loss every n-th step, weighted n× (the same expected gradient at 1/n of the cost). */
      metaEvery: z.number().int().min(1).max(100).default(2),
    })
    .default({ innerLr: 0.1, innerSteps: 3, support: 16, metaUsers: 64, metaWeight: 1, metaEvery: 2 }),
});

/**
 * How an A/B readout becomes a decision per domain. The primary family is each treatment arm's CTR
 * lift on each domain (all users); segments and the domain groups are exploratory.
 */
export const DecisionRulesSchema = z.strictObject({
  /** Significance level of every test, after the correction across the primary family. */
  alpha: z.number().gt(0).max(0.2).default(0.05),
  /** Power the minimum detectable lift and the traffic needed are computed for. */
  power: z.number().min(0.5).lt(1).default(0.8),
  /** Across the primary family: Holm (family-wise error), Benjamini–Hochberg (false discovery rate) or none. */
  correction: z.enum(['holm', 'bh', 'none']).default('holm'),
  /**
   * The family the correction runs over: 'metric' (every treatment arm × every domain's CTR: one
   * family per test) or 'domain' (each domain's arms on their own: a domain's decision does not get
   * harder as domains are added). Conversions are a guardrail, a non-inferiority test of its own.
   */
  correctionScope: z.enum(['metric', 'domain']).default('metric'),
  /** The smallest relative CTR lift worth shipping: a test that cannot see it has not enough data. */
  minLift: z.number().gt(0).max(5).default(0.05),
  /** Guardrail: a shipped arm's conversions per impression may not be significantly lower than control's by more than this share. */
  guardrailMargin: z.number().min(0).max(1).default(0.05),
  /**
   * Level of the guardrail's one-sided non-inferiority test: the conversions' lower bound at 1 −
   * guardrailAlpha must clear −guardrailMargin (a breach: the upper bound falls below it). Default α/2,
   * the lower end of the two-sided 1 − α interval (the regulatory convention, ICH E9); 0.05 is a one-sided 5% test.
   */
  guardrailAlpha: z.number().gt(0).max(0.25).optional(),
  /** A cell is tested only with at least this many users and clicks in each of the two arms. */
  minUsers: z.number().int().min(2).max(1_000_000).default(50),
  minClicks: z.number().int().min(1).max(1_000_000).default(10),
  /**
   * A domain is decided only when every arm there carries at least this many effective users (Kish:
   * (Σ impressions)² / Σ impressions²): with fewer, a few heavy users' luck moves the estimate and the
   * intervals under-cover — CUPED's first, as θ is then fitted to a handful of users (A/A, 3,600
   * domain-tests each: CUPED 6.9% false positives at ~70 effective users, 5.5% at ~200; plain 5.6%
   * and 5.2%; coverage 91–94% at 15–35 effective users).
   */
  minEffectiveUsers: z.number().min(0).max(1_000_000).default(100),
  /**
   * Below minEffectiveUsers, decide on the user-level jackknife (the method's own estimate recomputed
   * without each user, on Student's t) instead of refusing, down to jackknifeMinEffectiveUsers;
   * false keeps such domains UNRELIABLE. The sequential method never uses it (it is a fixed-horizon interval).
   */
  jackknife: z.boolean().default(true),
  /**
   * Per-user capping of the primary tests: each user's impressions in a domain count at most the
   * domain's `capping` quantile of users' impressions (clicks and conversions scaled alike), 1 for none.
   * It bounds a heavy user's weight but estimates a capped-weight lift, biased when heavy users
   * respond differently; the default is none (measured: docs/ab-replay.md, Decisions per domain).
   */
  capping: z.number().gt(0.5).max(1).default(1),
  jackknifeMinEffectiveUsers: z.number().min(2).max(1_000_000).default(20),
  /**
   * Which estimate decides: 'plain' (the delta-method lift), 'cuped' (adjusted by each user's
   * pre-experiment behaviour) or 'sequential' (CUPED looked at `looks` times with an always-valid
   * confidence sequence, so stopping at the first decisive look keeps α).
   */
  method: z.enum(['plain', 'cuped', 'sequential']).default('cuped'),
  /** Equally spaced looks over the replay period for the sequential test (and for showing what naive peeking does). */
  looks: z.number().int().min(1).max(1000).default(10),
});

export type DecisionRules = z.infer<typeof DecisionRulesSchema>;
export const DEFAULT_DECISION_RULES: DecisionRules = DecisionRulesSchema.parse({});

/**
 * A policy that serves as an A/B arm beside the strategies, given by its action probabilities (items
 * are a domain's catalogue positions, "0", "1", …, the order `crossab fit` writes a fitted world's
 * catalogue in): 'uniform' (every candidate alike: a random logger), 'thompson-prior' (Bernoulli
 * Thompson sampling with a fixed Beta(α, β) per item: each request ranks by fresh θ draws, BTS's own
 * mechanism), 'table' (π(item, position); slates by Plackett–Luce on the first position's column) or
 * 'explore' (a trained strategy's slates sampled by Plackett–Luce on its click logits / temperature,
 * Boltzmann exploration around it: the same model, more varied slates; the strategy is trained too).
 */
export const PolicyArmSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('uniform') }),
  z.strictObject({ kind: z.literal('explore'), strategy: name, temperature: z.number().gt(0).max(100) }),
  z.strictObject({
    kind: z.literal('thompson-prior'),
    domains: z.record(z.string(), z.strictObject({ alpha: z.array(z.number().positive()).min(1), beta: z.array(z.number().positive()).min(1) })),
  }),
  z.strictObject({
    kind: z.literal('table'),
    domains: z.record(z.string(), z.strictObject({ probabilities: z.array(z.array(z.number().min(0).max(1)).min(1)).min(1) })),
  }),
]);
export type PolicyArm = z.infer<typeof PolicyArmSchema>;

export const AbTestSchema = z.strictObject({
  arms: z.array(name).min(2),
  /** Arms that are policies, not trained strategies: by name (an arm naming one of these serves it). */
  policies: z.record(name, PolicyArmSchema).optional(),
  control: name,
  /** Traffic split over arms; equal when omitted. */
  split: z.array(prob).optional(),
  /** Click-probability multiplier per slate position (1-based order). */
  positionBias: z.array(z.number().gt(0).max(1)).optional(),
  decisions: DecisionRulesSchema.default(DEFAULT_DECISION_RULES),
  /** An A/A test (as `run --aa`): the control's strategy in two arms of equal share, whatever `arms` lists; grades report its false positives. */
  aa: z.boolean().optional(),
});

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
/** The off-policy estimators (ope/estimators.ts implements them) and the offline signals consistency compares. */
export const OPE_ESTIMATORS = ['dm', 'ipw', 'snipw', 'dr', 'switch-dr', 'iips', 'sniips', 'rips', 'sips'] as const;
export const OFFLINE_SIGNALS = ['auc', 'gauc', 'logloss', 'ope-dm', 'ope-snipw', 'ope-dr', 'ope-switch-dr'] as const;
/** The procedures a grade compares: the rules on each method's evidence, and the naive readers with and without peeking. */
export const GRADED_METHODS = ['plain', 'cuped', 'sequential', 'naive', 'peeking'] as const;

/**
 * A claim about a scenario's results, judged by `crossab check` over several seeds: the metric of
 * `strategy` (offline) or `arm` (A/B), minus the same metric of `vs` when given, must be at least /
 * at most a threshold — on the mean over seeds (with a confidence interval) or in every seed.
 */

/** Every expectation metric by family: what validation and `check` dispatch on (one table, read by both). */
export const METRIC_FAMILIES = {
  offline: OFFLINE_METRICS,
  ab: AB_METRICS,
  power: POWER_METRICS,
  grade: GRADE_METRICS,
  ope: OPE_METRICS,
  consistency: CONSISTENCY_METRICS,
  feedback: FEEDBACK_METRICS,
} as const;
export type MetricFamily = keyof typeof METRIC_FAMILIES;
const FAMILY_OF = new Map<string, MetricFamily>(
  Object.entries(METRIC_FAMILIES).flatMap(([family, metrics]) => metrics.map((m) => [m, family as MetricFamily] as const)),
);
type Metric = (typeof METRIC_FAMILIES)[MetricFamily][number];
/** The family of an expectation's metric. */
export const familyOf = (metric: string): MetricFamily => FAMILY_OF.get(metric)!;

export const ExpectationSchema = z.strictObject({
  name: z.string().min(1).max(200).optional(),
  metric: z.enum(Object.values(METRIC_FAMILIES).flat() as [Metric, ...Metric[]]),
  /** Off-policy metrics: which estimator (default DR). */
  estimator: z.enum(OPE_ESTIMATORS).optional(),
  /** Consistency metrics: which offline signal (default AUC). */
  signal: z.enum(OFFLINE_SIGNALS).optional(),
  /** Power and grade metrics: whose decisions (default: the scenario's decision method). */
  method: z.enum(GRADED_METHODS).optional(),
  /** Offline metrics: the click model or the click-and-convert (ESMM-style) prediction. */
  target: z.enum(['click', 'conversion']).default('click'),
  /** Offline metrics: the strategy judged ('oracle' and 'constant' are allowed). */
  strategy: name.optional(),
  /** A/B metrics: the arm judged (its lift is over the control). */
  arm: name.optional(),
  /** Feedback metrics: the learner of the feedback block, or the strategy of an A/B arm, judged. */
  participant: name.optional(),
  /** Subtract this strategy's (offline) or arm's (ab_ctr) value: a paired, per-seed difference. */
  vs: name.optional(),
  /**
   * A domain, 'all', 'head-domains', 'tail-domains', 'each' (every domain must hold) or 'any' (at
   * least one must: per seed, the domain with the best value for the bound).
   */
  domain: name.default('all'),
  /** Users: all, heavy, tail (light) or cold-start. Offline metrics are stored per domain or per segment, not both. */
  segment: z.enum(['all', 'heavy', 'tail', 'cold']).default('all'),
  atLeast: z.number().optional(),
  atMost: z.number().optional(),
  /** 'mean': a confidence interval of the mean over seeds must clear the threshold; 'every-seed': each seed must. */
  over: z.enum(['mean', 'every-seed']).default('mean'),
  confidence: z.number().gt(0.5).lt(1).default(0.95),
});

export const DEFAULT_ASSIGNMENTS = 200;

export const CheckSchema = z.strictObject({
  /** Seeds `crossab check` runs when --seeds is not given. */
  seeds: z.array(z.number().int().min(0).max(MAX_SEED)).min(1).max(100).optional(),
  /** Re-randomised assignments per seed when an expectation judges the decisions themselves (decision_accuracy, false_ship_rate). */
  assignments: z.number().int().min(1).max(10_000).default(DEFAULT_ASSIGNMENTS),
});

/** Off-policy evaluation of the logged test period. */
export const OpeSchema = z.strictObject({
  /** The strategy whose click predictions are the Direct Method's reward model (default: the best by validation AUC). */
  rewardModel: name.optional(),
});

/**
 * A test period that moves (scenario.dynamics; off when absent, and the world then is exactly the
 * static one). Users remember what they were shown: each impression adds 1 to the user's stock of
 * its item's `similarBy` value, and the stock halves every `memory` of the user's visits.
 */
export const DynamicsSchema = z.strictObject({
  /** What makes items similar: a categorical item feature (default: the first one), or 'item' (only the item itself). */
  similarBy: name.optional(),
  /** Visits for a remembered impression's weight to halve (default 5). */
  memory: z.number().gt(0).max(1_000_000).default(5),
  /** Fatigue: an item's click logit falls by this much per remembered impression of its kind (default 0: none). */
  fatigue: z.number().min(0).max(10).default(0),
  /**
   * Retention: after each visit the user leaves for the rest of the test with probability
   * min(1, leave · e^(boredom · s̄)) · (1 − perClick)^clicks, s̄ the mean remembered stock of the
   * slate's items' kinds: a visit that pleased (clicks) keeps them, one of the same again drives them off.
   */
  retention: z
    .strictObject({
      leave: z.number().min(0).max(1),
      perClick: z.number().min(0).max(1).default(0.5),
      boredom: z.number().min(0).max(10).default(0),
    })
    .optional(),
});

/**
 * Feedback loops (scenario.feedback; none when absent): every A/B arm and each learner here is
 * deployed to the whole replay period in `rounds` of serve → log → retrain on its own log. Learners:
 * 'popular' (ranks by its log's clicks per item) or 'thompson' (Thompson sampling on its log's
 * clicks and impressions per item). A/B arms take part as they are ('static', the default) or, with
 * `arms: 'retrain'`, a trained arm (and an 'explore' arm's strategy, exploring as it serves) is
 * fine-tuned on what it served itself: incremental training, `epochs` passes of Adam over the rows
 * of its log since its last update, no early stopping, from the weights it was trained to.
 */
export const FeedbackSchema = z.strictObject({
  rounds: z.number().int().min(1).max(1000).default(5),
  /** The retrain cadence: every participant updates on its log after every this many rounds. */
  every: z.number().int().min(1).max(1000).default(1),
  /** By name; warmStart (true): the learner's log starts with the logged training period, else empty (it starts from nothing). */
  learners: z.record(name, z.strictObject({ kind: z.enum(['popular', 'thompson']), warmStart: z.boolean().default(true) })).default({}),
  /** 'static': A/B arms serve as trained, every round; 'retrain': trained arms fine-tune on their own served rows. */
  arms: z.enum(['static', 'retrain']).default('static'),
  /** Retrained arms: passes over the new rows of their log per update. */
  epochs: z.number().int().min(1).max(100).default(1),
});

export const ScenarioSchema = z
  .strictObject({
    $schema: z.string().optional(),
    name,
    description: z.string().max(2000).default(''),
    seed: z.number().int().min(0).max(MAX_SEED).default(1),
    domainShares: z.strictObject({ zipf: z.number().min(0).max(5) }).optional(),
    domains: z.array(DomainSchema).min(1).max(64),
    features: z.array(FeatureSchema).default([]),
    users: UsersSchema,
    items: ItemsSchema,
    truth: TruthSchema.default(TruthSchema.parse({})),
    traffic: TrafficSchema,
    training: TrainingSchema.default(TrainingSchema.parse({})),
    strategies: z.array(name).min(1).optional(),
    abtest: AbTestSchema.optional(),
    ope: OpeSchema.optional(),
    dynamics: DynamicsSchema.optional(),
    feedback: FeedbackSchema.optional(),
    expectations: z.array(ExpectationSchema).default([]),
    check: CheckSchema.optional(),
  })
  .superRefine((s, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    const featureNames = new Set<string>();
    s.features.forEach((f, i) => {
      if (featureNames.has(f.name)) issue(['features', i, 'name'], `duplicate feature '${f.name}'`);
      featureNames.add(f.name);
      if (f.name === 'item_id' && s.items.idFeature) issue(['features', i, 'name'], "'item_id' is reserved (items.idFeature adds it)");
      if (f.kind === 'categorical' && f.vocab === undefined) issue(['features', i, 'vocab'], 'categorical features need a vocab size');
      if (f.kind === 'numeric' && f.vocab !== undefined) issue(['features', i, 'vocab'], 'numeric features take no vocab');
    });
    const domainNames = new Set<string>();
    s.domains.forEach((d, i) => {
      if (domainNames.has(d.name)) issue(['domains', i, 'name'], `duplicate domain '${d.name}'`);
      if (RESERVED_DOMAINS.includes(d.name)) issue(['domains', i, 'name'], `'${d.name}' is reserved for a group of domains`);
      domainNames.add(d.name);
      if (d.slate > d.candidates) issue(['domains', i, 'slate'], `slate (${d.slate}) exceeds candidates (${d.candidates})`);
      d.features.forEach((f, j) => {
        if (!featureNames.has(f)) issue(['domains', i, 'features', j], `feature '${f}' is not declared in features`);
      });
      if (new Set(d.features).size !== d.features.length) issue(['domains', i, 'features'], 'lists a feature twice');
    });
    const withShare = s.domains.filter((d) => d.share !== undefined).length;
    if (s.domainShares && withShare > 0) issue(['domainShares'], 'give either domainShares.zipf or a share per domain, not both');
    if (!s.domainShares) {
      if (withShare !== s.domains.length) issue(['domains'], 'every domain needs a share (or set domainShares.zipf)');
      else {
        const sum = s.domains.reduce((a, d) => a + (d.share ?? 0), 0);
        if (Math.abs(sum - 1) > 1e-6) issue(['domains'], `domain shares sum to ${+sum.toFixed(6)}, not 1`);
      }
    }
    for (const [name, f] of Object.entries(s.truth.fitted?.domains ?? {})) {
      const d = s.domains.find((x) => x.name === name);
      if (!d) {
        issue(['truth', 'fitted', 'domains', name], `unknown domain '${name}'`);
        continue;
      }
      const size = Math.max(1, Math.round(d.catalogue * s.items.count));
      if (f.items.length !== size) issue(['truth', 'fitted', 'domains', name, 'items'], `has ${f.items.length} logits for a catalogue of ${size} items`);
      if (f.positions.length !== d.slate)
        issue(['truth', 'fitted', 'domains', name, 'positions'], `has ${f.positions.length} logits for a slate of ${d.slate}`);
      if (f.itemIds && f.itemIds.length !== f.items.length)
        issue(['truth', 'fitted', 'domains', name, 'itemIds'], `has ${f.itemIds.length} ids for ${f.items.length} items`);
    }
    for (const d of Object.keys(s.training.lossWeights?.domains ?? {})) {
      if (!domainNames.has(d)) issue(['training', 'lossWeights', 'domains', d], `unknown domain '${d}'`);
    }
    const p = s.traffic.periods;
    if (Math.abs(p.train + p.valid + p.test - 1) > 1e-6) issue(['traffic', 'periods'], 'train + valid + test must sum to 1');
    if (s.dynamics) {
      const by = s.dynamics.similarBy;
      const kinds = s.features.filter((f) => f.kind === 'categorical' && f.source === 'item');
      if (by && by !== 'item' && !kinds.some((f) => f.name === by)) issue(['dynamics', 'similarBy'], `'${by}' is not a categorical item feature (or 'item')`);
      if (!by && !kinds.length) issue(['dynamics'], 'needs a categorical item feature to tell similar items apart (features, similarBy)');
    }
    const floor = s.traffic.testFloor;
    if (floor) {
      // As world/traffic.ts's timeline counts the test period.
      const testRequests = s.traffic.requests - Math.round(s.traffic.requests * (p.train + p.valid));
      const needed = Math.ceil(s.domains.reduce((a, d) => a + floor / d.slate, 0));
      if (needed > testRequests)
        issue(['traffic', 'testFloor'], `${floor} test impressions per domain need ${needed} test requests; the test period has ${testRequests}`);
    }
    if (s.strategies && new Set(s.strategies).size !== s.strategies.length) issue(['strategies'], 'lists a strategy twice');
    if (s.abtest) {
      if (!s.abtest.arms.includes(s.abtest.control)) issue(['abtest', 'control'], `control '${s.abtest.control}' is not one of the arms`);
      for (const [pname, pol] of Object.entries(s.abtest.policies ?? {})) {
        if (s.strategies?.includes(pname)) issue(['abtest', 'policies', pname], `'${pname}' is also a strategy to train: give the policy another name`);
        if (pol.kind === 'explore' && Object.hasOwn(s.abtest.policies ?? {}, pol.strategy))
          issue(['abtest', 'policies', pname, 'strategy'], `'${pol.strategy}' is a policy; explore around a trained strategy`);
        if (pol.kind === 'uniform' || pol.kind === 'explore') continue;
        for (const [dname, pd] of Object.entries(pol.domains)) {
          const d = s.domains.find((x) => x.name === dname);
          const at = ['abtest', 'policies', pname, 'domains', dname];
          if (!d) {
            issue(at, `unknown domain '${dname}'`);
            continue;
          }
          const size = Math.max(1, Math.round(d.catalogue * s.items.count));
          const n = 'alpha' in pd ? pd.alpha.length : pd.probabilities.length;
          if (n !== size) issue(at, `gives ${n} items for a catalogue of ${size}`);
          if ('beta' in pd && pd.beta.length !== pd.alpha.length) issue(at, 'alpha and beta differ in length');
        }
        for (const d of s.domains) if (!(d.name in pol.domains)) issue(['abtest', 'policies', pname, 'domains'], `no probabilities for domain '${d.name}'`);
      }
      if (s.abtest.split) {
        if (s.abtest.split.length !== s.abtest.arms.length) issue(['abtest', 'split'], 'needs one share per arm');
        else if (Math.abs(s.abtest.split.reduce((a, b) => a + b, 0) - 1) > 1e-6) issue(['abtest', 'split'], 'shares must sum to 1');
      }
    }
    if (s.check?.seeds && new Set(s.check.seeds).size !== s.check.seeds.length) issue(['check', 'seeds'], 'lists a seed twice');
    s.expectations.forEach((e, i) => {
      const at = (key: string, message: string) => issue(['expectations', i, key], message);
      if ((e.atLeast === undefined) === (e.atMost === undefined)) at('atLeast', 'give exactly one of atLeast and atMost');
      if (e.domain !== 'each' && e.domain !== 'any' && !RESERVED_DOMAINS.includes(e.domain) && !domainNames.has(e.domain))
        at('domain', `unknown domain '${e.domain}' (domains: ${[...domainNames].join(', ')}; or all, head-domains, tail-domains, each, any)`);
      const family = familyOf(e.metric);
      if (e.method && family !== 'power' && family !== 'grade') at('method', `only ${[...POWER_METRICS, ...GRADE_METRICS].join(', ')} take a method`);
      if (family === 'feedback') {
        if (!s.feedback) return at('metric', `'${e.metric}' needs a feedback block`);
        const known = [...Object.keys(s.feedback.learners), ...(s.abtest?.arms ?? [])];
        for (const key of ['participant', 'vs'] as const) {
          const v = e[key];
          if (key === 'participant' && !v) at(key, `'${e.metric}' is judged per participant: name a learner or an A/B arm (${known.join(', ')})`);
          else if (v && !known.includes(v)) at(key, `'${v}' takes no part in the feedback loops (${known.join(', ')})`);
        }
        if (!domainNames.has(e.domain) && e.domain !== 'each' && e.domain !== 'any') at('domain', `'${e.metric}' is kept per domain: name one, each or any`);
        if (e.segment !== 'all') at('segment', `'${e.metric}' is judged over all users`);
        return;
      }
      if (e.participant) at('participant', 'only feedback metrics take a participant');
      if (family === 'offline') {
        if (!e.strategy) at('strategy', `metric '${e.metric}' is judged per strategy: name one`);
        if (e.arm) at('arm', `metric '${e.metric}' is an offline metric; use strategy, not arm`);
        if (e.segment !== 'all' && e.domain !== 'all') at('segment', 'offline metrics are stored per domain or per user segment, not both: set domain to all');
        return;
      }
      const ope = family === 'ope';
      const consistency = family === 'consistency';
      if (e.estimator && !ope) at('estimator', `only ${OPE_METRICS.join(', ')} take an estimator`);
      if (e.signal && !consistency) at('signal', `only ${CONSISTENCY_METRICS.join(', ')} take a signal`);
      if (ope || consistency) {
        if (RESERVED_DOMAINS.slice(1).includes(e.domain)) at('domain', `'${e.metric}' is stored per domain and for all: not for ${e.domain}`);
        if (e.arm) at('arm', `'${e.metric}' judges strategies, not arms${ope ? ': use strategy' : ''}`);
        if (e.target !== 'click') at('target', `'${e.metric}' is about clicks`);
        if (ope && !e.strategy) at('strategy', `metric '${e.metric}' is judged per strategy: name one`);
        if (consistency && e.strategy) at('strategy', `'${e.metric}' orders all strategies: remove strategy`);
        if (consistency && e.segment !== 'all') at('segment', `'${e.metric}' is judged over all users`);
        if (e.vs && consistency) at('vs', `'${e.metric}' compares no pair`);
        return;
      }
      if (e.target !== 'click') at('target', 'A/B metrics have no target');
      if (e.strategy) at('strategy', `metric '${e.metric}' is an A/B metric; use arm, not strategy`);
      if (!s.abtest) {
        at('metric', `'${e.metric}' needs an abtest block`);
        return;
      }
      const arms = s.abtest.arms;
      if (/^ab_(clicks|visits)_per_user/.test(e.metric)) {
        if (!s.dynamics) at('metric', `'${e.metric}' reads the long-term readout, which needs a dynamics block`);
        if (e.segment !== 'all') at('segment', `'${e.metric}' is judged over all users`);
        if (e.domain === 'head-domains' || e.domain === 'tail-domains') at('domain', `'${e.metric}' is kept per domain and for all`);
      }
      const graded = family === 'grade';
      const perTest = family === 'power';
      if (graded || perTest) {
        if (e.domain !== 'each' && e.domain !== 'any' && !domainNames.has(e.domain))
          at('domain', `'${e.metric}' is decided per domain: name one of ${[...domainNames].join(', ')}, each or any`);
        if (e.segment !== 'all') at('segment', `'${e.metric}' is judged over all users of a domain`);
      }
      if (e.method && perTest && !['plain', 'cuped', 'sequential'].includes(e.method))
        at('method', `'${e.metric}' is a property of a test: plain, cuped or sequential (which uses CUPED's estimate)`);
      if (graded && e.arm) at('arm', `'${e.metric}' grades the decision on a domain, not one arm: remove arm`);
      const needsArm = e.metric !== 'srm_p_value' && e.metric !== 'max_user_share' && !graded;
      if (needsArm && !e.arm) at('arm', `metric '${e.metric}' is judged per arm: name one of ${arms.join(', ')}`);
      if (e.arm && !arms.includes(e.arm)) at('arm', `'${e.arm}' is not an arm (arms: ${arms.join(', ')})`);
      if (e.metric === 'srm_p_value' && e.arm) at('arm', 'the sample-ratio check covers all arms at once: remove arm');
      if (e.arm && e.arm === s.abtest.control && e.metric !== 'ab_ctr' && e.metric !== 'max_user_share')
        at('arm', `'${e.arm}' is the control; lifts are measured against it`);
      if (e.vs && e.metric !== 'ab_ctr') at('vs', `only ab_ctr compares two arms; '${e.metric}' is already relative to the control`);
      if (e.vs && !arms.includes(e.vs)) at('vs', `'${e.vs}' is not an arm (arms: ${arms.join(', ')})`);
      if ((e.metric === 'srm_p_value' || e.metric === 'max_user_share') && (e.domain !== 'all' || e.segment !== 'all'))
        at('domain', `'${e.metric}' is stored per run, not per domain or segment`);
    });
  });

export type Scenario = z.infer<typeof ScenarioSchema>;
export type TrainingConfig = Scenario['training'];
export type Expectation = Scenario['expectations'][number];
