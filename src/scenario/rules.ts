// The rules that relate a scenario's fields to each other (shares sum to 1, features exist, an
// expectation names what its metric is kept by), one function per block. They run as the schema's
// refinement, so every error carries the path of the field to change.
import type { z } from 'zod';
import type { Expectation as ParsedExpectation, ScenarioFields } from './blocks.js';
import { CONSISTENCY_METRICS, familyOf, GRADE_METRICS, OPE_METRICS, POWER_METRICS } from './metrics.js';

type Fields = z.output<typeof ScenarioFields>;
type Path = (string | number)[];
type Report = (path: Path, message: string) => void;

/** Names a report or an expectation uses for groups of domains or users cannot name a domain. */
const RESERVED_DOMAINS = ['all', 'head-domains', 'tail-domains'];

/** A domain's catalogue size, as world/items.ts deals it out. */
const catalogueSize = (s: Fields, catalogue: number) => Math.max(1, Math.round(catalogue * s.items.count));

function featureRules(s: Fields, issue: Report): void {
  const seen = new Set<string>();
  s.features.forEach((f, i) => {
    if (seen.has(f.name)) issue(['features', i, 'name'], `duplicate feature '${f.name}'`);
    seen.add(f.name);
    if (f.name === 'item_id' && s.items.idFeature) issue(['features', i, 'name'], "'item_id' is reserved (items.idFeature adds it)");
    if (f.kind === 'categorical' && f.vocab === undefined) issue(['features', i, 'vocab'], 'categorical features need a vocab size');
    if (f.kind === 'numeric' && f.vocab !== undefined) issue(['features', i, 'vocab'], 'numeric features take no vocab');
  });
}

function domainRules(s: Fields, issue: Report): void {
  const declared = new Set(s.features.map((f) => f.name));
  const seen = new Set<string>();
  s.domains.forEach((d, i) => {
    if (seen.has(d.name)) issue(['domains', i, 'name'], `duplicate domain '${d.name}'`);
    if (RESERVED_DOMAINS.includes(d.name)) issue(['domains', i, 'name'], `'${d.name}' is reserved for a group of domains`);
    seen.add(d.name);
    if (d.slate > d.candidates) issue(['domains', i, 'slate'], `slate (${d.slate}) exceeds candidates (${d.candidates})`);
    d.features.forEach((f, j) => {
      if (!declared.has(f)) issue(['domains', i, 'features', j], `feature '${f}' is not declared in features`);
    });
    if (new Set(d.features).size !== d.features.length) issue(['domains', i, 'features'], 'lists a feature twice');
  });
  const withShare = s.domains.filter((d) => d.share !== undefined).length;
  if (s.domainShares && withShare > 0) issue(['domainShares'], 'give either domainShares.zipf or a share per domain, not both');
  if (s.domainShares) return;
  if (withShare !== s.domains.length) issue(['domains'], 'every domain needs a share (or set domainShares.zipf)');
  else {
    const sum = s.domains.reduce((a, d) => a + (d.share ?? 0), 0);
    if (Math.abs(sum - 1) > 1e-6) issue(['domains'], `domain shares sum to ${+sum.toFixed(6)}, not 1`);
  }
}

function truthRules(s: Fields, issue: Report): void {
  for (const [name, f] of Object.entries(s.truth.fitted?.domains ?? {})) {
    const at = ['truth', 'fitted', 'domains', name];
    const d = s.domains.find((x) => x.name === name);
    if (!d) {
      issue(at, `unknown domain '${name}'`);
      continue;
    }
    const size = catalogueSize(s, d.catalogue);
    if (f.items.length !== size) issue([...at, 'items'], `has ${f.items.length} logits for a catalogue of ${size} items`);
    if (f.positions.length !== d.slate) issue([...at, 'positions'], `has ${f.positions.length} logits for a slate of ${d.slate}`);
    if (f.itemIds && f.itemIds.length !== f.items.length) issue([...at, 'itemIds'], `has ${f.itemIds.length} ids for ${f.items.length} items`);
  }
}

function trainingRules(s: Fields, issue: Report): void {
  const domains = new Set(s.domains.map((d) => d.name));
  if (s.training.lossWeights?.uncertainty && s.training.lossWeights.gradNorm)
    issue(['training', 'lossWeights', 'gradNorm'], 'choose one way to learn the task weights: uncertainty or gradNorm, not both');
  for (const d of Object.keys(s.training.lossWeights?.domains ?? {})) {
    if (!domains.has(d)) issue(['training', 'lossWeights', 'domains', d], `unknown domain '${d}'`);
  }
  if (s.strategies && new Set(s.strategies).size !== s.strategies.length) issue(['strategies'], 'lists a strategy twice');
}

function trafficRules(s: Fields, issue: Report): void {
  const p = s.traffic.periods;
  if (Math.abs(p.train + p.valid + p.test - 1) > 1e-6) issue(['traffic', 'periods'], 'train + valid + test must sum to 1');
  const floor = s.traffic.testFloor;
  if (!floor) return;
  // As world/traffic.ts's timeline counts the test period.
  const testRequests = s.traffic.requests - Math.round(s.traffic.requests * (p.train + p.valid));
  const needed = Math.ceil(s.domains.reduce((a, d) => a + floor / d.slate, 0));
  if (needed > testRequests)
    issue(['traffic', 'testFloor'], `${floor} test impressions per domain need ${needed} test requests; the test period has ${testRequests}`);
}

/** A user-memory block (dynamics, feedback.userState) needs a way to tell similar items apart. */
function memoryRules(s: Fields, block: readonly string[], by: string | undefined, issue: Report): void {
  const kinds = s.features.filter((f) => f.kind === 'categorical' && f.source === 'item');
  if (by && by !== 'item' && !kinds.some((f) => f.name === by)) issue([...block, 'similarBy'], `'${by}' is not a categorical item feature (or 'item')`);
  if (!by && !kinds.length) issue([...block], 'needs a categorical item feature to tell similar items apart (features, similarBy)');
}

function dynamicsRules(s: Fields, issue: Report): void {
  if (s.dynamics) memoryRules(s, ['dynamics'], s.dynamics.similarBy, issue);
  if (s.feedback?.userState) memoryRules(s, ['feedback', 'userState'], s.feedback.userState.similarBy, issue);
}

function abtestRules(s: Fields, issue: Report): void {
  const ab = s.abtest;
  if (!ab) return;
  if (!ab.arms.includes(ab.control)) issue(['abtest', 'control'], `control '${ab.control}' is not one of the arms`);
  const policies = ab.policies ?? {};
  for (const [pname, pol] of Object.entries(policies)) {
    if (s.strategies?.includes(pname)) issue(['abtest', 'policies', pname], `'${pname}' is also a strategy to train: give the policy another name`);
    if (pol.kind === 'explore' && Object.hasOwn(policies, pol.strategy))
      issue(['abtest', 'policies', pname, 'strategy'], `'${pol.strategy}' is a policy; explore around a trained strategy`);
    if (pol.kind === 'uniform' || pol.kind === 'explore') continue;
    for (const [dname, pd] of Object.entries(pol.domains)) {
      const d = s.domains.find((x) => x.name === dname);
      const at = ['abtest', 'policies', pname, 'domains', dname];
      if (!d) {
        issue(at, `unknown domain '${dname}'`);
        continue;
      }
      const size = catalogueSize(s, d.catalogue);
      const n = 'alpha' in pd ? pd.alpha.length : pd.probabilities.length;
      if (n !== size) issue(at, `gives ${n} items for a catalogue of ${size}`);
      if ('beta' in pd && pd.beta.length !== pd.alpha.length) issue(at, 'alpha and beta differ in length');
    }
    for (const d of s.domains) if (!(d.name in pol.domains)) issue(['abtest', 'policies', pname, 'domains'], `no probabilities for domain '${d.name}'`);
  }
  if (ab.split) {
    if (ab.split.length !== ab.arms.length) issue(['abtest', 'split'], 'needs one share per arm');
    else if (Math.abs(ab.split.reduce((a, b) => a + b, 0) - 1) > 1e-6) issue(['abtest', 'split'], 'shares must sum to 1');
  }
}

/**
 * The trained strategy whose model an A/B arm serves from: the arm's own, an 'explore' policy's
 * strategy, or null for the other policies (they need no model). Its scores are what the arm ranks
 * by, and a retrained arm's loop runs where that model lives.
 */
export function armModel(s: { abtest?: Fields['abtest'] }, arm: string): string | null {
  const pol = s.abtest?.policies?.[arm];
  return pol ? (pol.kind === 'explore' ? pol.strategy : null) : arm;
}

/** feedback.test: two different participants of the loops, each design once, and a switchback that fits. */
function feedbackRules(s: Fields, issue: Report): void {
  clusterRules(s, issue);
  const t = s.feedback?.test;
  if (!t) return;
  const learners = Object.keys(s.feedback!.learners);
  const known = [...learners, ...(s.abtest?.arms ?? [])];
  for (const key of ['treatment', 'control'] as const)
    if (!known.includes(t[key])) issue(['feedback', 'test', key], `'${t[key]}' is not a learner of the feedback block or an A/B arm (${known.join(', ')})`);
  if (t.treatment === t.control) issue(['feedback', 'test', 'control'], 'is the treatment too; a test needs two participants');
  if (s.feedback!.arms === 'retrain' && known.includes(t.treatment) && known.includes(t.control)) {
    // Retrained arms fine-tune in the worker that trained their model, learners in the main thread: a test serves both arms in one place.
    const retrained = [t.treatment, t.control].map((x) => !learners.includes(x) && armModel(s, x) !== null);
    const learning = [t.treatment, t.control].map((x) => learners.includes(x));
    if (!((retrained[0] && retrained[1]) || (learning[0] && learning[1])))
      issue(
        ['feedback', 'test', 'control'],
        `with arms 'retrain', a test is between two learners or two retrained arms (a trained strategy's own arm or an explore arm over one): '${t.treatment}' and '${t.control}' are not`,
      );
  }
  if (new Set(t.designs).size !== t.designs.length) issue(['feedback', 'test', 'designs'], 'lists a design twice');
  if (!t.designs.includes('switchback')) return;
  const periods = Math.ceil(s.feedback!.rounds / t.period);
  const treated = Math.round(t.split * periods);
  if (treated < 1 || treated >= periods)
    issue(
      ['feedback', 'test', 'period'],
      `switchback needs a period for each arm in every domain: ${s.feedback!.rounds} rounds make ${periods} period(s) of ${t.period}, ${treated} of them the treatment's`,
    );
  // A washout as long as a period would discard every period that follows a switch.
  if (t.washout >= t.period)
    issue(
      ['feedback', 'test', 'washout'],
      `a washout of ${t.washout} round(s) discards every ${t.period}-round period after a switch: make it shorter than the period`,
    );
}

/** A categorical user feature, named where markets or clusters are (feedback.itemState.by, feedback.test.clusterBy). */
function userFeatureRule(s: Fields, path: Path, by: string, what: string, issue: Report): void {
  if (!s.features.some((f) => f.name === by && f.kind === 'categorical' && f.source === 'user'))
    issue(path, `'${by}' is not a categorical user feature: ${what} are the values of one`);
}

/** feedback.itemState.by names markets; the 'cluster' design needs clusterBy, and clusterBy is only for it. */
function clusterRules(s: Fields, issue: Report): void {
  const by = s.feedback?.itemState?.by;
  if (by) userFeatureRule(s, ['feedback', 'itemState', 'by'], by, 'markets', issue);
  const t = s.feedback?.test;
  if (!t) return;
  const clustered = t.designs.includes('cluster');
  if (clustered && !t.clusterBy) issue(['feedback', 'test', 'clusterBy'], "the 'cluster' design needs the user feature whose values are the clusters");
  if (!clustered && t.clusterBy) issue(['feedback', 'test', 'clusterBy'], "is read only by the 'cluster' design, which designs does not list");
  if (!t.clusterBy) return;
  userFeatureRule(s, ['feedback', 'test', 'clusterBy'], t.clusterBy, 'clusters', issue);
  const f = s.features.find((x) => x.name === t.clusterBy && x.kind === 'categorical');
  const treated = f ? Math.round(t.split * f.vocab!) : 1;
  if (f && (treated < 1 || treated >= f.vocab!))
    issue(
      ['feedback', 'test', 'split'],
      `the 'cluster' design needs a cluster in each arm: ${f.vocab} clusters of '${f.name}' at split ${t.split} put ${treated} in the treatment`,
    );
}

type At = (key: string, message: string) => void;

/** Interference metrics are kept per design of feedback.test and per domain (and for all), over all users. */
function interferenceExpectation(s: Fields, e: ParsedExpectation, domains: Set<string>, at: At): void {
  const t = s.feedback?.test;
  if (!t) {
    at('metric', `'${e.metric}' needs a feedback block with a test`);
    return;
  }
  if (!e.design) at('design', `'${e.metric}' is judged per design: name one of ${t.designs.join(', ')}`);
  for (const key of ['design', 'vs'] as const) {
    const v = e[key];
    if (v && !(t.designs as string[]).includes(v)) at(key, `'${v}' is not a design of feedback.test (${t.designs.join(', ')})`);
  }
  if (e.vs && e.metric === 'interference_global_lift') at('vs', 'the global lift is the same for every design');
  if (!domains.has(e.domain) && !['all', 'each', 'any'].includes(e.domain))
    at('domain', `'${e.metric}' is kept per domain and for all: name one, all, each or any`);
  if (e.segment !== 'all') at('segment', `'${e.metric}' is judged over all users`);
  for (const key of ['arm', 'strategy', 'participant', 'method', 'estimator', 'signal'] as const)
    if (e[key]) at(key, `'${e.metric}' is judged per design of feedback.test: remove ${key}`);
}

/** Feedback metrics are kept per participant and domain, over all users. */
function feedbackExpectation(s: Fields, e: ParsedExpectation, domains: Set<string>, at: At): void {
  if (!s.feedback) {
    at('metric', `'${e.metric}' needs a feedback block`);
    return;
  }
  const known = [...Object.keys(s.feedback.learners), ...(s.abtest?.arms ?? [])];
  for (const key of ['participant', 'vs'] as const) {
    const v = e[key];
    if (key === 'participant' && !v) at(key, `'${e.metric}' is judged per participant: name a learner or an A/B arm (${known.join(', ')})`);
    else if (v && !known.includes(v)) at(key, `'${v}' takes no part in the feedback loops (${known.join(', ')})`);
  }
  if (!domains.has(e.domain) && e.domain !== 'each' && e.domain !== 'any') at('domain', `'${e.metric}' is kept per domain: name one, each or any`);
  if (e.segment !== 'all') at('segment', `'${e.metric}' is judged over all users`);
}

/** Off-policy and consistency metrics are about the strategies' clicks, per domain and for all. */
function offPolicyExpectation(e: ParsedExpectation, ope: boolean, at: At): void {
  if (RESERVED_DOMAINS.slice(1).includes(e.domain)) at('domain', `'${e.metric}' is stored per domain and for all: not for ${e.domain}`);
  if (e.arm) at('arm', `'${e.metric}' judges strategies, not arms${ope ? ': use strategy' : ''}`);
  if (e.target !== 'click') at('target', `'${e.metric}' is about clicks`);
  if (ope && !e.strategy) at('strategy', `metric '${e.metric}' is judged per strategy: name one`);
  if (ope) return;
  if (e.strategy) at('strategy', `'${e.metric}' orders all strategies: remove strategy`);
  if (e.segment !== 'all') at('segment', `'${e.metric}' is judged over all users`);
  if (e.vs) at('vs', `'${e.metric}' compares no pair`);
}

/** A/B, power and grade metrics read the A/B test: arms, the control, its domains. */
function abExpectation(s: Fields, e: ParsedExpectation, domains: Set<string>, at: At): void {
  if (e.target !== 'click') at('target', 'A/B metrics have no target');
  if (e.strategy) at('strategy', `metric '${e.metric}' is an A/B metric; use arm, not strategy`);
  if (!s.abtest) {
    at('metric', `'${e.metric}' needs an abtest block`);
    return;
  }
  const arms = s.abtest.arms;
  const family = familyOf(e.metric);
  if (/^ab_(clicks|visits)_per_user/.test(e.metric)) {
    if (!s.dynamics) at('metric', `'${e.metric}' reads the long-term readout, which needs a dynamics block`);
    if (e.segment !== 'all') at('segment', `'${e.metric}' is judged over all users`);
    if (e.domain === 'head-domains' || e.domain === 'tail-domains') at('domain', `'${e.metric}' is kept per domain and for all`);
  }
  const graded = family === 'grade';
  const perTest = family === 'power';
  if (graded || perTest) {
    if (e.domain !== 'each' && e.domain !== 'any' && !domains.has(e.domain))
      at('domain', `'${e.metric}' is decided per domain: name one of ${[...domains].join(', ')}, each or any`);
    if (e.segment !== 'all') at('segment', `'${e.metric}' is judged over all users of a domain`);
  }
  if (e.method && perTest && !['plain', 'cuped', 'sequential'].includes(e.method))
    at('method', `'${e.metric}' is a property of a test: plain, cuped or sequential (which uses CUPED's estimate)`);
  if (graded && e.arm) at('arm', `'${e.metric}' grades the decision on a domain, not one arm: remove arm`);
  const perRun = e.metric === 'srm_p_value' || e.metric === 'max_user_share';
  if (!perRun && !graded && !e.arm) at('arm', `metric '${e.metric}' is judged per arm: name one of ${arms.join(', ')}`);
  if (e.arm && !arms.includes(e.arm)) at('arm', `'${e.arm}' is not an arm (arms: ${arms.join(', ')})`);
  if (e.metric === 'srm_p_value' && e.arm) at('arm', 'the sample-ratio check covers all arms at once: remove arm');
  if (e.arm && e.arm === s.abtest.control && e.metric !== 'ab_ctr' && e.metric !== 'max_user_share')
    at('arm', `'${e.arm}' is the control; lifts are measured against it`);
  if (e.vs && e.metric !== 'ab_ctr') at('vs', `only ab_ctr compares two arms; '${e.metric}' is already relative to the control`);
  if (e.vs && !arms.includes(e.vs)) at('vs', `'${e.vs}' is not an arm (arms: ${arms.join(', ')})`);
  if (perRun && (e.domain !== 'all' || e.segment !== 'all')) at('domain', `'${e.metric}' is stored per run, not per domain or segment`);
}

function expectationRules(s: Fields, issue: Report): void {
  const domains = new Set(s.domains.map((d) => d.name));
  if (s.check?.seeds && new Set(s.check.seeds).size !== s.check.seeds.length) issue(['check', 'seeds'], 'lists a seed twice');
  s.expectations.forEach((e, i) => {
    const at: At = (key, message) => issue(['expectations', i, key], message);
    if ((e.atLeast === undefined) === (e.atMost === undefined)) at('atLeast', 'give exactly one of atLeast and atMost');
    if (e.domain !== 'each' && e.domain !== 'any' && !RESERVED_DOMAINS.includes(e.domain) && !domains.has(e.domain))
      at('domain', `unknown domain '${e.domain}' (domains: ${[...domains].join(', ')}; or all, head-domains, tail-domains, each, any)`);
    const family = familyOf(e.metric);
    if (e.method && family !== 'power' && family !== 'grade') at('method', `only ${[...POWER_METRICS, ...GRADE_METRICS].join(', ')} take a method`);
    if (family === 'interference') return interferenceExpectation(s, e, domains, at);
    if (e.design) at('design', 'only interference metrics take a design');
    if (family === 'feedback') return feedbackExpectation(s, e, domains, at);
    if (e.participant) at('participant', 'only feedback metrics take a participant');
    if (family === 'experts') {
      if (!e.strategy) at('strategy', `metric '${e.metric}' is judged per strategy (a mixture model): name one`);
      if (e.arm) at('arm', `metric '${e.metric}' reads a trained model's gates; use strategy, not arm`);
      if (e.segment !== 'all') at('segment', `'${e.metric}' is kept per domain, not per user segment`);
      if (RESERVED_DOMAINS.includes(e.domain) && e.domain !== 'all') at('domain', `'${e.metric}' is kept per domain (or 'all', every domain's gates)`);
      return;
    }
    if (family === 'offline') {
      if (!e.strategy) at('strategy', `metric '${e.metric}' is judged per strategy: name one`);
      if (e.arm) at('arm', `metric '${e.metric}' is an offline metric; use strategy, not arm`);
      if (e.segment !== 'all' && e.domain !== 'all') at('segment', 'offline metrics are stored per domain or per user segment, not both: set domain to all');
      return;
    }
    const ope = family === 'ope';
    if (e.estimator && !ope) at('estimator', `only ${OPE_METRICS.join(', ')} take an estimator`);
    if (e.signal && family !== 'consistency') at('signal', `only ${CONSISTENCY_METRICS.join(', ')} take a signal`);
    if (ope || family === 'consistency') return offPolicyExpectation(e, ope, at);
    abExpectation(s, e, domains, at);
  });
}

/** Every cross-field rule, block by block; `issue` records one error at a field's path. */
export function crossFieldRules(s: Fields, issue: Report): void {
  for (const rules of [featureRules, domainRules, truthRules, trainingRules, trafficRules, dynamicsRules, abtestRules, feedbackRules, expectationRules])
    rules(s, issue);
}
