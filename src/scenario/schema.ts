// The scenario file: one JSON document that fully determines a world, its training and its A/B test.
// Every number has a range; cross-field rules (shares sum to 1, features exist) are refinements so
// that errors carry the path of the offending field.
import { z } from 'zod';

const name = z.string().regex(/^[a-z][a-z0-9_-]*$/, 'must be lower-case letters, digits, _ or -');
/** Names a report or an expectation uses for groups of domains or users cannot name a domain. */
const RESERVED_DOMAINS = ['all', 'head-domains', 'tail-domains'];
const prob = z.number().gt(0).lt(1);

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
  share: prob.optional(),
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
});

export const TrafficSchema = z.strictObject({
  /** Logged requests over the train, validation and test periods. */
  requests: z.number().int().min(100).max(50_000_000),
  /** Requests in the later A/B replay period. */
  replayRequests: z.number().int().min(0).max(50_000_000).default(10_000),
  periods: z.strictObject({ train: prob, valid: prob, test: prob }).default({ train: 0.7, valid: 0.1, test: 0.2 }),
  loggingPolicy: z.enum(['random', 'popularity']).default('random'),
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
  /** MAML: inner-loop step, inner steps, support size at adaptation time. */
  maml: z.strictObject({
    innerLr: z.number().gt(0).max(10).default(0.1),
    innerSteps: z.number().int().min(1).max(20).default(3),
    support: z.number().int().min(1).max(256).default(16),
    metaUsers: z.number().int().min(1).max(4096).default(64),
    metaWeight: z.number().min(0).max(10).default(1),
  }).default({ innerLr: 0.1, innerSteps: 3, support: 16, metaUsers: 64, metaWeight: 1 }),
});

export const AbTestSchema = z.strictObject({
  arms: z.array(name).min(2),
  control: name,
  /** Traffic split over arms; equal when omitted. */
  split: z.array(prob).optional(),
  /** Click-probability multiplier per slate position (1-based order). */
  positionBias: z.array(z.number().gt(0).max(1)).optional(),
});

export const ScenarioSchema = z
  .strictObject({
    $schema: z.string().optional(),
    name,
    description: z.string().default(''),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
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
    const p = s.traffic.periods;
    if (Math.abs(p.train + p.valid + p.test - 1) > 1e-6) issue(['traffic', 'periods'], 'train + valid + test must sum to 1');
    if (s.strategies && new Set(s.strategies).size !== s.strategies.length) issue(['strategies'], 'lists a strategy twice');
    if (s.abtest) {
      if (!s.abtest.arms.includes(s.abtest.control)) issue(['abtest', 'control'], `control '${s.abtest.control}' is not one of the arms`);
      if (s.abtest.split) {
        if (s.abtest.split.length !== s.abtest.arms.length) issue(['abtest', 'split'], 'needs one share per arm');
        else if (Math.abs(s.abtest.split.reduce((a, b) => a + b, 0) - 1) > 1e-6) issue(['abtest', 'split'], 'shares must sum to 1');
      }
    }
  });

export type Scenario = z.infer<typeof ScenarioSchema>;
export type FeatureSpec = Scenario['features'][number];
export type DomainSpec = Scenario['domains'][number];
export type TrainingConfig = Scenario['training'];
