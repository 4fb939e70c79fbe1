// The scenario file's blocks, field by field: each field's type, range, default and meaning. The
// meaning is a `.describe()` so that it reaches the JSON Schema editors read and the generated
// reference page (docs/reference/scenario.md); a test fails when a field has none. A declaration
// table: the rules that relate fields to each other live in rules.ts.
import { MAX_SEED } from '../util/seed.js';
import { z } from 'zod';
import { CONSISTENCY_METRICS, GRADED_METHODS, INTERFERENCE_DESIGNS, METRIC_FAMILIES, type Metric, OFFLINE_SIGNALS, OPE_ESTIMATORS } from './metrics.js';

/** Names end up in file names, run IDs and report titles: short and safe everywhere. */
const name = z
  .string()
  .max(64)
  .regex(/^[a-z][a-z0-9_-]*$/, 'must be lower-case letters, digits, _ or -');
const prob = z.number().gt(0).lt(1);
/** The logging policies a world's logged traffic can come from (world/logging.ts draws them). */
export const LOGGING_POLICIES = ['random', 'popularity', 'softmax', 'epsilon-greedy', 'top-popularity'] as const;

export const FeatureSchema = z
  .strictObject({
    name: name.describe("The feature's name, as domains list it (`item_id` is reserved: `items.idFeature` adds it)."),
    kind: z.enum(['categorical', 'numeric']).describe('Categorical (an embedded value out of `vocab`) or numeric (one standardised number).'),
    source: z.enum(['user', 'item', 'context']).describe('Whose attribute it is: drawn once per user, once per item, or per request.'),
    vocab: z.number().int().min(2).max(1_000_000).optional().describe('Number of distinct values (categorical features only, and required for them).'),
    skew: z.number().min(0).max(4).default(1).describe('Zipf exponent of the value frequencies (categorical): 0 is uniform.'),
    weight: z.number().min(0).max(10).default(1).describe("Strength of the feature's effect in the ground truth; 0 makes it pure noise."),
    domainShift: z
      .number()
      .min(0)
      .max(1)
      .default(0)
      .describe('How much the value distribution differs between domains, 0 (the same everywhere) to 1 (unrelated).'),
  })
  .describe('A feature the world draws and the models see.');

export const DomainSchema = z
  .strictObject({
    name: name.describe("The domain's name (not `all`, `head-domains` or `tail-domains`, which name groups)."),
    share: z.number().gt(0).max(1).optional().describe('Share of the requests; give it for every domain (summing to 1) or use `domainShares.zipf`.'),
    baseCtr: z.number().min(0.001).max(0.9).describe('The mean click probability of a shown item, what the truth is calibrated to.'),
    baseCvr: z.number().min(0.001).max(0.9).default(0.1).describe('The mean conversion probability given a click.'),
    candidates: z.number().int().min(2).max(1000).describe('Candidate items per request, out of which a strategy ranks the slate.'),
    slate: z.number().int().min(1).max(100).describe('Items shown per request (at most `candidates`).'),
    catalogue: z.number().gt(0).max(1).default(0.5).describe('Share of the item catalogue this domain serves.'),
    features: z
      .array(name)
      .min(1)
      .describe('Names of the declared features this domain logs: domains can see different features (`item_id` is added when enabled).'),
  })
  .describe('A scenario (a surface such as a feed or search) with its own traffic, click rate and features.');

export const UsersSchema = z
  .strictObject({
    count: z.number().int().min(10).max(10_000_000).describe('Users in the population, logged and replayed alike.'),
    activitySkew: z.number().min(0).max(3).default(1).describe('Zipf exponent of user activity: larger means a few heavier users and a longer tail.'),
    heavyShare: z.number().gt(0).lt(1).default(0.05).describe('Share of the users with history counted as heavy: the most active ones (a segment).'),
    coldStartShare: z
      .number()
      .min(0)
      .lt(1)
      .default(0.1)
      .describe('Share of the population that first arrives after the training period (cold start: no history to learn from).'),
    idiosyncratic: z.number().min(0).max(5).default(0.8).describe("Scale of each user's personal taste, learnable only from that user's history."),
    drift: z.number().min(0).max(5).default(0.3).describe("Scale of each user's per-domain drift of that taste."),
    interestDrift: z
      .number()
      .gt(0)
      .max(10)
      .optional()
      .describe(
        "Interest drift over time (none when absent): each user's taste moves along a direction of their own, by this much (in units of the idiosyncratic scale) from the start of the logs to the end of the test, linearly in time, so models trained on the logs are a little stale by the test.",
      ),
    novice: z
      .strictObject({
        scale: z.number().min(0).max(5).default(0).describe('Scale of the preference all novices share; 0: experience does not matter.'),
        halfLife: z.number().gt(0).max(10_000).default(8).describe("Impressions of experience for that preference's weight to halve."),
      })
      .default({ scale: 0, halfLife: 8 })
      .describe(
        "New users behave differently: a preference shared by all novices whose weight halves every `halfLife` impressions of experience (POSO's premise).",
      ),
  })
  .describe('The user population.');

export const ItemsSchema = z
  .strictObject({
    count: z.number().int().min(10).max(10_000_000).describe('Items in the catalogue shared out over the domains.'),
    popularitySkew: z.number().min(0).max(3).default(1).describe('Zipf exponent of item popularity, which shapes the candidate pools.'),
    overlap: z.number().min(0).max(1).default(0.5).describe("Share of each domain's catalogue drawn from a pool common to all domains."),
    idFeature: z.boolean().default(true).describe('Expose the item ID as a categorical feature (`item_id`) in every domain.'),
  })
  .describe('The item catalogue.');

const FittedDomainSchema = z
  .strictObject({
    items: z.array(z.number().min(-20).max(20)).min(1).describe("A click logit for each item of the domain's catalogue, in catalogue order."),
    positions: z.array(z.number().min(-20).max(0)).min(1).describe('A click logit for each slate position, 0 at the best (one per slate slot).'),
    itemIds: z
      .array(z.string().min(1))
      .optional()
      .describe("The log's id of each catalogue item, in catalogue order, so that a strategy's slates can be named in the log's terms."),
  })
  .describe("One domain's fitted click model.");

export const TruthSchema = z
  .strictObject({
    correlation: z
      .number()
      .min(0)
      .max(1)
      .default(0.8)
      .describe("Correlation between the domains' click functions (the MMoE paper's cosine p): 1 makes them one function."),
    latentDim: z.number().int().min(2).max(64).default(8).describe('Dimension of the user and item latent vectors behind the user × item interaction.'),
    main: z.number().min(0).max(10).default(1).describe('Scale of the feature-driven main effect and of its nonlinearity.'),
    sines: z.number().int().min(0).max(20).default(5).describe('Number of sinusoid terms in the main effect (its nonlinearity; 0 makes it linear).'),
    interaction: z.number().min(0).max(10).default(1).describe('Scale of the user × item interaction.'),
    conversionOwn: z.number().min(0).max(1).default(0.5).describe("Scale of the conversion function's own component relative to the click-correlated one."),
    fitted: z
      .strictObject({
        domains: z.record(z.string(), FittedDomainSchema).describe('Per domain (by name), its fitted click model.'),
      })
      .optional()
      .describe(
        'A click model fitted to real logs (`crossab fit`), added to whatever the rest of the truth gives: with main and interaction 0 the click function is exactly the fitted model, and the ground truth stays known.',
      ),
  })
  .describe('The ground truth: the click and conversion functions every estimate is graded against.');

export const TrafficSchema = z
  .strictObject({
    requests: z.number().int().min(100).max(50_000_000).describe('Logged requests over the train, validation and test periods: what the models learn from.'),
    replayRequests: z
      .number()
      .int()
      .min(0)
      .max(50_000_000)
      .default(10_000)
      .describe('Requests in the A/B replay period that follows the logs: the size of the online test.'),
    periods: z
      .strictObject({
        train: prob.describe('Share of the logged requests for training.'),
        valid: prob.describe('Share for validation (early stopping).'),
        test: prob.describe('Share for the offline test (AUC, off-policy evaluation).'),
      })
      .default({ train: 0.7, valid: 0.1, test: 0.2 })
      .describe('How the logged requests split in time; the three shares sum to 1.'),
    loggingPolicy: z
      .enum(LOGGING_POLICIES)
      .default('random')
      .describe(
        "Which slate the logged traffic shows (the probability is recorded per impression): 'random' (uniform), 'popularity' (Plackett–Luce by item popularity), 'softmax' (Plackett–Luce by popularity^(1/loggingTemperature)), 'epsilon-greedy' (the popularity top-k, a uniform slate with probability loggingEpsilon), 'top-popularity' (the top-k, deterministic: no unbiased estimate of another policy exists from its logs).",
      ),
    loggingTemperature: z.number().min(0.1).max(10).optional().describe("The softmax logger's temperature (0.5 when absent): below 1 more peaked."),
    loggingEpsilon: z.number().gt(0).max(1).optional().describe("The epsilon-greedy logger's exploration probability (0.1 when absent)."),
    testFloor: z
      .number()
      .int()
      .min(1)
      .max(50_000_000)
      .optional()
      .describe(
        "The fewest test-period impressions each domain gets (none when absent): tail domains' shares of the test period are raised until each expects this many, so a small domain's offline AUC has a small standard error; training and the replay keep the configured mix.",
      ),
    streamReplay: z
      .boolean()
      .optional()
      .describe(
        "Whether the replay streams: its requests are generated, scored by each arm and reduced to the arms' slates in chunks, never held with every candidate and feature (default: when the replay has more than 16,777,216 candidates). The numbers are the same either way; a streamed replay cannot serve dynamics, feedback loops, policy arms, maml-serve or `run --policy-out`.",
      ),
  })
  .describe('How much traffic is logged and replayed, and by which logging policy.');

export const TrainingSchema = z
  .strictObject({
    epochs: z.number().int().min(1).max(200).default(4).describe('Most passes over the training rows (early stopping may end sooner).'),
    batchSize: z.number().int().min(16).max(65536).default(512).describe('Rows per Adam step.'),
    learningRate: z.number().gt(0).max(1).default(0.003).describe("Adam's learning rate."),
    embeddingDim: z.number().int().min(1).max(256).default(8).describe('Width of every categorical embedding.'),
    hidden: z
      .array(z.number().int().min(1).max(4096))
      .min(1)
      .default([64, 32])
      .describe('Hidden layer sizes of the bottom MLP, of each expert, and of the shared network.'),
    tower: z.array(z.number().int().min(1).max(4096)).default([16]).describe("Hidden layer sizes of each domain's (or task's) tower."),
    experts: z.number().int().min(1).max(32).default(4).describe('Shared experts of the mixture models (MMoE, OMoE, PLE, AdaTT, shared-private, M2M).'),
    levels: z.number().int().min(1).max(4).default(2).describe('Extraction (fusion) levels of PLE and AdaTT.'),
    specificExperts: z.number().int().min(1).max(16).default(1).describe('Domain-specific experts per domain (PLE, AdaTT, shared-private).'),
    loraRank: z
      .number()
      .int()
      .min(1)
      .max(256)
      .optional()
      .describe("MLoRA: the rank r of each domain's low-rank delta A_d·B_d on every hidden layer (4 when absent, the paper code's default)."),
    hamurRank: z
      .number()
      .int()
      .min(1)
      .max(64)
      .optional()
      .describe('HAMUR: the rank k of the hyper-network’s generated k × k core in each adapter weight U·H(x)·V (8 when absent).'),
    softSharing: z
      .number()
      .min(0)
      .max(100)
      .optional()
      .describe(
        "soft-sharing: the weight λ of the L2 penalty pulling the domains' corresponding hidden-layer weights to their mean (1e-4 when absent; 0 leaves the domains' networks independent).",
      ),
    sluiceOrthogonality: z
      .number()
      .min(0)
      .max(100)
      .optional()
      .describe("sluice: the weight λ of the penalty Σ ‖G₁ᵀG₂ / B‖² pushing each hidden layer's two subspaces apart (0.01 when absent; 0 turns it off)."),
    patience: z.number().int().min(1).max(50).default(2).describe('Epochs without a validation-AUC improvement before stopping (the best epoch is restored).'),
    l2: z.number().min(0).max(1).default(0).describe('L2 penalty on the weights.'),
    lossWeights: z
      .strictObject({
        domains: z.record(z.string(), z.number().min(0).max(100)).optional().describe("Per domain (by name), its loss's weight (1 when absent)."),
        click: z.number().min(0).max(100).default(1).describe("The click task's loss weight."),
        conversion: z.number().min(0).max(100).default(1).describe("The conversion task's loss weight (multi-task strategies)."),
        uncertainty: z.boolean().default(false).describe('Learn the task weights on top (uncertainty weighting, Kendall et al. 2018).'),
        gradNorm: z
          .strictObject({
            alpha: z
              .number()
              .min(0)
              .max(10)
              .default(1.5)
              .describe('How strongly a task that trains slower is pulled up (α of GradNorm; 0 equalises the gradient norms).'),
            learningRate: z.number().gt(0).max(1).default(0.025).describe("The task weights' step size."),
          })
          .optional()
          .describe(
            "Balance each domain's click and conversion weights by GradNorm (Chen et al., ICML 2018): the weights move so that each task's gradient norm on the weights both tasks reach tracks the mean norm times its relative training rate^α; they sum to 2. Costs two more backward passes a step for the strategies that predict conversion; one-task strategies are left alone.",
          ),
      })
      .optional()
      .describe("Weights of the domains' and tasks' losses (equal when absent)."),
    maml: z
      .strictObject({
        innerLr: z.number().gt(0).max(10).default(0.1).describe("The inner loop's step size."),
        innerSteps: z.number().int().min(1).max(20).default(3).describe('Inner-loop steps per adaptation.'),
        support: z.number().int().min(1).max(256).default(16).describe("A user's most recent impressions the tower adapts on."),
        metaUsers: z.number().int().min(1).max(4096).default(64).describe('Users per meta batch.'),
        metaWeight: z.number().min(0).max(10).default(1).describe("The meta loss's weight beside the ordinary loss."),
        metaEvery: z
          .number()
          .int()
          .min(1)
          .max(100)
          .default(2)
          .describe('Take the meta loss every n-th step, weighted n× (the same expected gradient at 1/n of the cost).'),
      })
      .default({ innerLr: 0.1, innerSteps: 3, support: 16, metaUsers: 64, metaWeight: 1, metaEvery: 2 })
      .describe('First-order MAML (maml, maml-noadapt, maml-serve): the per-user adaptation of the tower.'),
  })
  .describe('How every strategy is trained.');

export const DecisionRulesSchema = z
  .strictObject({
    alpha: z.number().gt(0).max(0.2).default(0.05).describe('Significance level of every test, after the correction across the primary family.'),
    power: z.number().min(0.5).lt(1).default(0.8).describe('Power the minimum detectable lift and the traffic needed are computed for.'),
    correction: z
      .enum(['holm', 'bh', 'none'])
      .default('holm')
      .describe('Across the primary family: Holm (family-wise error), Benjamini–Hochberg (false discovery rate) or none.'),
    correctionScope: z
      .enum(['metric', 'domain'])
      .default('metric')
      .describe(
        "The family the correction runs over: 'metric' (every treatment arm × every domain's CTR) or 'domain' (each domain's arms on their own: a domain's decision does not get harder as domains are added).",
      ),
    minLift: z.number().gt(0).max(5).default(0.05).describe('The smallest relative CTR lift worth shipping: a test that cannot see it has not enough data.'),
    guardrailMargin: z
      .number()
      .min(0)
      .max(1)
      .default(0.05)
      .describe("Guardrail: a shipped arm's conversions per impression must be shown no lower than control's by more than this share."),
    guardrailAlpha: z
      .number()
      .gt(0)
      .max(0.25)
      .optional()
      .describe(
        "Level of the guardrail's one-sided non-inferiority test: the conversions' lower bound at 1 − guardrailAlpha must clear −guardrailMargin. Default α/2, the lower end of the two-sided 1 − α interval (ICH E9); 0.05 is a one-sided 5% test.",
      ),
    minUsers: z.number().int().min(2).max(1_000_000).default(50).describe('A cell is tested only with at least this many users in each of the two arms.'),
    minClicks: z.number().int().min(1).max(1_000_000).default(10).describe('… and at least this many clicks in each.'),
    minEffectiveUsers: z
      .number()
      .min(0)
      .max(1_000_000)
      .default(100)
      .describe(
        "A domain is decided only when every arm there carries at least this many effective users (Kish: (Σ impressions)² / Σ impressions²): with fewer, a few heavy users' luck moves the estimate and the intervals under-cover, CUPED's first.",
      ),
    jackknife: z
      .boolean()
      .default(true)
      .describe(
        "Below minEffectiveUsers, decide on the user-level jackknife (on Student's t) instead of refusing, down to jackknifeMinEffectiveUsers; false keeps such domains UNRELIABLE.",
      ),
    capping: z
      .number()
      .gt(0.5)
      .max(1)
      .default(1)
      .describe(
        "Per-user capping of the primary tests: each user's impressions in a domain count at most the domain's `capping` quantile of users' impressions (1: none). It bounds a heavy user's weight but estimates a capped-weight lift, biased when heavy users respond differently.",
      ),
    jackknifeMinEffectiveUsers: z.number().min(2).max(1_000_000).default(20).describe('The fewest effective users the jackknife decides on.'),
    method: z
      .enum(['plain', 'cuped', 'sequential'])
      .default('cuped')
      .describe(
        "Which estimate decides: 'plain' (the delta-method lift), 'cuped' (adjusted by each user's pre-experiment behaviour) or 'sequential' (CUPED looked at `looks` times with an always-valid confidence sequence).",
      ),
    looks: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(10)
      .describe('Equally spaced looks over the replay for the sequential test (and for showing what naive peeking does).'),
  })
  .describe(
    "How an A/B readout becomes a decision per domain. The primary family is each treatment arm's CTR lift on each domain (all users); conversions are a guardrail; segments and domain groups are exploratory.",
  );

export type DecisionRules = z.infer<typeof DecisionRulesSchema>;
export const DEFAULT_DECISION_RULES: DecisionRules = DecisionRulesSchema.parse({});

const betaPriors = z.strictObject({
  alpha: z.array(z.number().positive()).min(1).describe("Each catalogue item's Beta α."),
  beta: z.array(z.number().positive()).min(1).describe("Each catalogue item's Beta β."),
});
const positionTable = z.strictObject({
  probabilities: z
    .array(z.array(z.number().min(0).max(1)).min(1))
    .min(1)
    .describe('π(item, position): a row per catalogue item, a column per slate position.'),
});

export const PolicyArmSchema = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('uniform').describe('Every candidate alike: a random logger.') }),
    z.strictObject({
      kind: z.literal('explore').describe("A trained strategy's slates sampled by Plackett–Luce on its click logits / temperature."),
      strategy: name.describe('The trained strategy explored around (trained too).'),
      temperature: z.number().gt(0).max(100).describe('Higher: more varied slates.'),
    }),
    z.strictObject({
      kind: z.literal('thompson-prior').describe('Bernoulli Thompson sampling with a fixed Beta(α, β) per item: each request ranks by fresh θ draws.'),
      domains: z.record(z.string(), betaPriors).describe('Per domain (by name), the priors of its catalogue.'),
    }),
    z.strictObject({
      kind: z.literal('table').describe("Action probabilities as a table; slates by Plackett–Luce on the first position's column."),
      domains: z.record(z.string(), positionTable).describe('Per domain (by name), its table.'),
    }),
  ])
  .describe(
    "A policy that serves as an A/B arm beside the strategies, given by its action probabilities (items are a domain's catalogue positions, the order `crossab fit` writes a fitted world's catalogue in).",
  );
export type PolicyArm = z.infer<typeof PolicyArmSchema>;

export const AbTestSchema = z
  .strictObject({
    arms: z.array(name).min(2).describe('The strategies (or policies) that serve the replay, one arm each.'),
    policies: z
      .record(name, PolicyArmSchema)
      .optional()
      .describe('Arms that are policies, not trained strategies, by name: an arm naming one of these serves it.'),
    control: name.describe('The arm every lift is measured against (one of `arms`).'),
    split: z.array(prob).optional().describe('Traffic share per arm, in the order of `arms` (equal when absent).'),
    positionBias: z
      .array(z.number().gt(0).max(1))
      .optional()
      .describe('Click-probability multiplier per slate position, first position first (none when absent).'),
    decisions: DecisionRulesSchema.default(DEFAULT_DECISION_RULES),
    aa: z
      .boolean()
      .optional()
      .describe("An A/A test (as `run --aa`): the control's strategy in two arms of equal share, whatever `arms` lists; grades report its false positives."),
  })
  .describe('The A/B test replayed against the truth: its arms, split and decision rules.');

export const ExpectationSchema = z
  .strictObject({
    name: z.string().min(1).max(200).optional().describe("What the claim says, in words (shown in check's verdicts)."),
    metric: z
      .enum(Object.values(METRIC_FAMILIES).flat() as [Metric, ...Metric[]])
      .describe('The metric judged: offline (per strategy), A/B (per arm), power and grades (per domain), off-policy, consistency or feedback.'),
    estimator: z.enum(OPE_ESTIMATORS).optional().describe('Off-policy metrics: which estimator (DR when absent).'),
    signal: z
      .enum(OFFLINE_SIGNALS)
      .optional()
      .describe(`Consistency metrics (${CONSISTENCY_METRICS.join(', ')}): which offline signal (AUC when absent).`),
    method: z.enum(GRADED_METHODS).optional().describe("Power and grade metrics: whose decisions (the scenario's decision method when absent)."),
    target: z.enum(['click', 'conversion']).default('click').describe('Offline metrics: the click model or the click-and-convert (ESMM-style) prediction.'),
    strategy: name.optional().describe("Offline and off-policy metrics: the strategy judged ('oracle' and 'constant' are allowed)."),
    arm: name.optional().describe('A/B metrics: the arm judged (its lift is over the control).'),
    participant: name.optional().describe('Feedback metrics: the learner of the feedback block, or the strategy of an A/B arm, judged.'),
    design: z.enum(INTERFERENCE_DESIGNS).optional().describe('Interference metrics: the design of feedback.test judged.'),
    vs: name.optional().describe("Subtract this strategy's (offline), arm's (ab_ctr) or design's (interference) value: a paired, per-seed difference."),
    domain: name.default('all').describe("A domain, 'all', 'head-domains', 'tail-domains', 'each' (every domain must hold) or 'any' (at least one must)."),
    segment: z
      .enum(['all', 'heavy', 'tail', 'cold'])
      .default('all')
      .describe('Users: all, heavy, tail (light) or cold-start. Offline metrics are stored per domain or per segment, not both.'),
    atLeast: z.number().optional().describe('The value must be at least this (give exactly one of atLeast and atMost).'),
    atMost: z.number().optional().describe('The value must be at most this.'),
    over: z
      .enum(['mean', 'every-seed'])
      .default('mean')
      .describe("'mean': a confidence interval of the mean over seeds must clear the threshold; 'every-seed': each seed must."),
    confidence: z.number().gt(0.5).lt(1).default(0.95).describe("The confidence of the mean's interval."),
  })
  .describe(
    "A claim about a scenario's results, judged by `crossab check` over several seeds: the metric (minus the same metric of `vs`) must be at least / at most a threshold, on the mean over seeds or in every seed.",
  );

export const DEFAULT_ASSIGNMENTS = 200;

export const CheckSchema = z
  .strictObject({
    seeds: z.array(z.number().int().min(0).max(MAX_SEED)).min(1).max(100).optional().describe('Seeds `crossab check` runs when --seeds is not given.'),
    assignments: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(DEFAULT_ASSIGNMENTS)
      .describe('Re-randomised assignments each seed grades when an expectation judges the decisions themselves (grade metrics).'),
  })
  .describe('How `crossab check` runs this scenario.');

export const OpeSchema = z
  .strictObject({
    rewardModel: name
      .optional()
      .describe("The strategy whose click predictions are the Direct Method's reward model (the least log loss on the logged test rows when absent)."),
  })
  .describe('Off-policy evaluation of the logged test period.');

// A user's memory of what they were shown (world/memory.ts): the dynamics block's and the feedback loops' user state.
const similarBy = name
  .optional()
  .describe("What makes items similar: a categorical item feature (the first one when absent), or 'item' (only the item itself).");
const memory = z.number().gt(0).max(1_000_000).default(5).describe("The user's visits for a remembered impression's weight to halve.");

export const DynamicsSchema = z
  .strictObject({
    similarBy,
    memory,
    fatigue: z
      .number()
      .min(0)
      .max(10)
      .default(0)
      .describe("Fatigue: an item's click logit falls by this much per remembered impression of its kind (0: none)."),
    retention: z
      .strictObject({
        leave: z.number().min(0).max(1).describe('The base probability of leaving after a visit.'),
        perClick: z.number().min(0).max(1).default(0.5).describe('Each click of the visit multiplies it by (1 − perClick).'),
        boredom: z.number().min(0).max(10).default(0).describe("It grows by e^(boredom · s̄), s̄ the slate's items' mean remembered stock."),
      })
      .optional()
      .describe(
        'Retention: after each visit the user leaves for the rest of the test with probability min(1, leave · e^(boredom · s̄)) · (1 − perClick)^clicks: a visit that pleased keeps them, one of the same again drives them off.',
      ),
  })
  .describe(
    "A test period that moves (off when absent: the world is then exactly the static one). Each impression adds 1 to the user's stock of its item's kind, which halves every `memory` of the user's visits.",
  );

export const FeedbackSchema = z
  .strictObject({
    rounds: z.number().int().min(1).max(1000).default(5).describe('Serve → log → retrain rounds over the replay period.'),
    every: z.number().int().min(1).max(1000).default(1).describe('The retrain cadence: every participant updates on its log after every this many rounds.'),
    learners: z
      .record(
        name,
        z.strictObject({
          kind: z
            .enum(['popular', 'thompson'])
            .describe("'popular' ranks by its log's clicks per item; 'thompson' samples from its log's clicks and impressions per item."),
          warmStart: z.boolean().default(true).describe("The learner's log starts with the logged training period (else empty)."),
        }),
      )
      .default({})
      .describe('Learners that take part beside the A/B arms, by name.'),
    arms: z
      .enum(['static', 'retrain'])
      .default('static')
      .describe(
        "'static': A/B arms serve as trained, every round; 'retrain': trained arms fine-tune on their own served rows (incremental Adam, no early stopping).",
      ),
    epochs: z.number().int().min(1).max(100).default(1).describe('Retrained arms: passes over the new rows of their log per update.'),
    itemState: z
      .strictObject({
        decay: z
          .number()
          .min(0)
          .max(10)
          .describe(
            "How fast an item wears out: its click probability is scaled by exp(−decay · its exposure relative to an even spread over the domain's catalogue).",
          ),
        recovery: z
          .number()
          .min(0)
          .max(1)
          .default(0.5)
          .describe('Share of the accumulated exposure forgotten after each round (1: only the last round counts).'),
        by: name
          .optional()
          .describe(
            "A categorical user feature whose values are separate markets: each market's items wear on their own (exposure counted per domain and value), so users interfere only within their market. Absent: one market per domain.",
          ),
      })
      .optional()
      .describe(
        "Items wear out with exposure (novelty, finite attention), a state every user sees: what one participant shows, it makes less clickable for whoever is served next — in an A/B test inside the loops, for the other arm's users too. Off when absent.",
      ),
    userState: z
      .strictObject({
        similarBy,
        memory,
        fatigue: z.number().gt(0).max(10).describe("An item's click logit falls by this much per remembered impression of its kind, in every domain."),
      })
      .optional()
      .describe(
        "Users tire of the kinds of items they were shown (the dynamics block's fatigue, carried through the loops), a state that moves with the user across domains: what one domain shows changes the clicks of another — in an A/B test inside the loops that randomises each domain on its own, across arms too. Off when absent.",
      ),
    test: z
      .strictObject({
        treatment: name.describe(
          "A learner of this block or an A/B arm (static; with arms 'retrain', two retrained arms: a trained strategy's own arm or an explore arm over one): the treatment.",
        ),
        control: name.describe('Another: the control.'),
        designs: z
          .array(z.enum(INTERFERENCE_DESIGNS))
          .min(1)
          .default(['pooled', 'diverted'])
          .describe(
            "How traffic is split and the arms retrain during the test: 'pooled' users split, both arms on the log of both arms' users (as production pipelines do); 'diverted' users split, each arm on its own users' log; 'switchback' each domain's rounds alternate between the arms on a random schedule, each arm on what it served; 'per-domain' users split in each domain on its own (each surface's own test: a user can be in the treatment on one domain and the control on another), both arms on the pooled log; 'cluster' whole clusters of users (the values of clusterBy) split, both arms on the pooled log.",
          ),
        split: z.number().gt(0).lt(1).default(0.5).describe("The treatment's share of users (switchback: of each domain's rounds; cluster: of the clusters)."),
        clusterBy: name
          .optional()
          .describe("The 'cluster' design: a categorical user feature whose values are the clusters (all users of a value in one arm)."),
        period: z
          .number()
          .int()
          .min(1)
          .max(1000)
          .default(2)
          .describe('Switchback: rounds per period, during which one arm serves all of a domain (longer than the carry-over, or the estimate keeps it).'),
        washout: z
          .number()
          .int()
          .min(0)
          .max(100)
          .default(1)
          .describe('Switchback: rounds after a switch that are served but left out of the estimate, for what the previous arm left behind.'),
        assignments: z
          .number()
          .int()
          .min(2)
          .max(1000)
          .default(20)
          .describe('Re-randomised assignments each design is graded over (`run --grade` overrides it).'),
      })
      .optional()
      .describe(
        "An A/B test inside the feedback loops: the two participants share the replay period, each request served by its user's arm in the same rounds, and every design is graded against the full-rollout (global) lift.",
      ),
  })
  .describe(
    'Feedback loops (none when absent): every A/B arm and each learner here is deployed to the whole replay period in `rounds` of serve → log → retrain on its own log.',
  );

/** The scenario's fields; schema.ts adds the rules that relate them. */
export const ScenarioFields = z.strictObject({
  $schema: z.string().optional().describe('The JSON Schema this file follows, for editors (scenarios/scenario.schema.json).'),
  name: name.describe("The scenario's name, in run IDs, file names and report titles."),
  description: z.string().max(2000).default('').describe('What the scenario shows, in a few sentences.'),
  seed: z.number().int().min(0).max(MAX_SEED).default(1).describe('The seed every random stream derives from (`--seed` overrides it).'),
  domainShares: z
    .strictObject({ zipf: z.number().min(0).max(5).describe('Zipf exponent over the domains in their listed order: 0 is equal shares.') })
    .optional()
    .describe("A Zipf split of the requests over the domains, instead of each domain's `share`."),
  domains: z.array(DomainSchema).min(1).max(64).describe('The domains (scenarios) the traffic is split over.'),
  features: z.array(FeatureSchema).default([]).describe('Every feature any domain logs.'),
  users: UsersSchema,
  items: ItemsSchema,
  truth: TruthSchema.default(TruthSchema.parse({})),
  traffic: TrafficSchema,
  training: TrainingSchema.default(TrainingSchema.parse({})),
  strategies: z
    .array(name)
    .min(1)
    .optional()
    .describe(
      'Strategies `train` and `run` use when no `--strategies` is given (the seven core ones plus the arms when absent); `crossab strategies` lists them.',
    ),
  abtest: AbTestSchema.optional(),
  ope: OpeSchema.optional(),
  dynamics: DynamicsSchema.optional(),
  feedback: FeedbackSchema.optional(),
  expectations: z.array(ExpectationSchema).default([]).describe('Claims `crossab check` judges over seeds.'),
  check: CheckSchema.optional(),
});

export type Expectation = z.output<typeof ExpectationSchema>;
