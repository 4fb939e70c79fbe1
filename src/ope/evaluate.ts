// Off-policy evaluation of every trained strategy from the logged test period: the logging policy's
// slates, clicks and propensities are all an estimator sees; each strategy ranks the same requests'
// candidate pools, and because the truth is known its exact value there is the yardstick. Per
// strategy × estimator × domain × user segment: the estimate with its interval, the lift over the
// reference strategy, the weights' diagnostics, the share of the target's slates the logger never
// shows (where nothing is identified) — and the true value and lift beside each.
import type { TestCandidates } from '../data/inputs.js';
import { positionCurve } from '../data/slates.js';
import { candidateTruth } from '../data/candidate-truth.js';
import { normalQuantile } from '../abtest/stats/distributions.js';
import { loggingPolicy } from '../world/logging.js';
import type { World } from '../world/world.js';
import { ESTIMATOR_TABLE, ESTIMATORS, logRatioVariance, ratioEstimate, weightDiagnostics, type ClusteredSums, type EstimatorName } from './estimators.js';
import { loggedTest, targetTerms, type LoggedTest, type TargetTerms } from './terms.js';
import { clusteredSums, opeScopes, scopeRows, switchThreshold, type OpeScope } from './scopes.js';

export interface OpeRow {
  strategy: string;
  estimator: EstimatorName;
  domain: string;
  segment: string;
  requests: number;
  /** The estimate of the strategy's CTR on these requests, its standard error and 1 − α interval (NaN when not identified). */
  value: number;
  se: number;
  ciLow: number;
  ciHigh: number;
  /** The strategy's true CTR on the same requests under the click model that made the logs. */
  trueValue: number;
  /** |value − true| / true. */
  relativeError: number;
  covered: boolean | null;
  /** The estimated and the true lift over the reference strategy, and the interval of the estimated one. */
  lift: number;
  liftLow: number;
  liftHigh: number;
  trueLift: number;
  liftCovered: boolean | null;
  /** The true lift online: with the A/B test's position curve, as the replay scores it. */
  onlineTrueLift: number;
  /** Kish's effective sample size of the estimator's weights over the logged rows, as a share of the rows, and the largest weight. */
  ess: number;
  essShare: number;
  maxWeight: number;
  /** Share of the target's slate positions whose item the logger never shows there (position) or at all (item). */
  positionDeficiency: number;
  itemDeficiency: number;
  /** False where the logger's support misses part of the target: the estimate is then not identified (DM's is the model's extrapolation). */
  identified: boolean;
  /** Switch-DR: the weight above which the correction was dropped (Infinity: none dropped); NaN for the others. */
  threshold: number;
}

export interface OpeResult {
  logger: string;
  /** The strategy whose predictions are DM's reward model q̂, and the reference the lifts are over. */
  rewardModel: string;
  reference: string;
  rows: OpeRow[];
}

export interface OpeOptions {
  /** Each strategy's click probabilities of every test-period candidate. */
  scores: Map<string, Float32Array>;
  rewardModel: string;
  reference: string;
  positionBias: number[] | null;
  alpha: number;
}

type Diagnostics = ReturnType<typeof weightDiagnostics>;

/** What every row of one target on one scope shares: its threshold, truth, support and weights. */
interface TargetOnScope {
  name: string;
  terms: TargetTerms;
  /** Switch-DR's threshold here. */
  tau: number;
  trueValue: number;
  trueLift: number;
  onlineTrueLift: number;
  /** Shares of the target's slate positions outside the logger's support (by position, by item). */
  positionDeficiency: number;
  itemDeficiency: number;
  /** Kish's ESS of each kind of weight over the scope, and how many units (logged rows) they are over. */
  weights: Record<'item' | 'position' | 'slate', Diagnostics>;
  rows: number;
}

/** The reference on one scope: every estimator's sums, its true and online value. */
interface ReferenceOnScope {
  sums: ClusteredSums[];
  truth: number;
  online: number;
}

function onScope(t: LoggedTest, s: OpeScope, name: string, terms: TargetTerms, ref: ReferenceOnScope, slots: number): TargetOnScope {
  const itemRows = scopeRows(t, s, terms.itemWeight);
  let truth = 0;
  let online = 0;
  let missPosition = 0;
  let missItem = 0;
  for (const r of s.requests) {
    truth += terms.truth[r];
    online += terms.online[r];
    missPosition += terms.missPosition[r];
    missItem += terms.missItem[r];
  }
  return {
    name,
    terms,
    tau: switchThreshold(t, s, terms, itemRows),
    trueValue: truth / slots,
    trueLift: truth / ref.truth - 1,
    onlineTrueLift: online / ref.online - 1,
    positionDeficiency: missPosition / slots,
    itemDeficiency: missItem / slots,
    weights: {
      item: weightDiagnostics(itemRows),
      position: weightDiagnostics(scopeRows(t, s, terms.posWeight)),
      slate: weightDiagnostics(Float64Array.from(s.requests, (r) => terms.slateWeight[r])),
    },
    rows: itemRows.length,
  };
}

/** One estimator's row for a target on a scope: the estimate and its interval, the lift over the reference, the diagnostics. */
function estimateRow(t: LoggedTest, s: OpeScope, x: TargetOnScope, e: EstimatorName, ref: ReferenceOnScope, reference: string, z: number): OpeRow {
  const ei = ESTIMATORS.indexOf(e);
  const spec = ESTIMATOR_TABLE[e];
  const isSwitch = e === 'switch-dr';
  const sums = clusteredSums(t, s, x.terms, ei, isSwitch ? x.tau : undefined);
  const est = ratioEstimate(sums);
  const deficiency = spec.support === 'position' ? x.positionDeficiency : x.itemDeficiency;
  const identified = deficiency === 0;
  const se = Math.sqrt(est.variance);
  const diag = spec.weights === 'none' ? { ess: NaN, maxWeight: NaN } : x.weights[spec.weights];
  // No logged row agreeing with the target where this estimator needs one: a 0 with a 0 variance would look certain.
  const unmatched = spec.matches !== 'none' && x.weights[spec.matches].ess === 0;
  const value = (identified || spec.support === 'model') && !unmatched ? est.value : NaN;
  const refValue = ratioEstimate(ref.sums[ei]).value;
  const seLog = Math.sqrt(logRatioVariance(sums, ref.sums[ei]));
  const logLift = Math.log(est.value / refValue);
  const lift = Number.isFinite(value) && Number.isFinite(refValue) ? Math.exp(logLift) - 1 : NaN;
  const liftLow = Number.isFinite(lift) && seLog > 0 ? Math.exp(logLift - z * seLog) - 1 : NaN;
  const liftHigh = Number.isFinite(lift) && seLog > 0 ? Math.exp(logLift + z * seLog) - 1 : NaN;
  const ciLow = Number.isFinite(value) && Number.isFinite(se) ? value - z * se : NaN;
  const ciHigh = Number.isFinite(value) && Number.isFinite(se) ? value + z * se : NaN;
  return {
    strategy: x.name,
    estimator: e,
    domain: s.domain,
    segment: s.segment,
    requests: s.requests.length,
    value,
    se: Number.isFinite(value) ? se : NaN,
    ciLow,
    ciHigh,
    trueValue: x.trueValue,
    relativeError: Number.isFinite(value) && x.trueValue > 0 ? Math.abs(value - x.trueValue) / x.trueValue : NaN,
    covered: Number.isFinite(ciLow) ? ciLow <= x.trueValue && x.trueValue <= ciHigh : null,
    lift,
    liftLow,
    liftHigh,
    trueLift: x.trueLift,
    liftCovered: Number.isFinite(liftLow) && x.name !== reference ? liftLow <= x.trueLift && x.trueLift <= liftHigh : null,
    onlineTrueLift: x.onlineTrueLift,
    ess: diag.ess,
    // SIPS weighs requests, the others logged rows.
    essShare: diag.ess / (spec.weights === 'slate' ? s.requests.length : x.rows),
    maxWeight: diag.maxWeight,
    positionDeficiency: x.positionDeficiency,
    itemDeficiency: x.itemDeficiency,
    identified,
    threshold: isSwitch ? x.tau : NaN,
  };
}

/**
 * Every trained strategy's value on the logged test period by every estimator, on every scope, with
 * its lift over `o.reference` and the truth beside each: the targets' terms once (terms.ts), then per
 * scope the reference's sums and each target's rows.
 */
export function offPolicyEvaluation(w: World, tc: TestCandidates, o: OpeOptions): OpeResult {
  const t = loggedTest(w, tc);
  const reward = o.scores.get(o.rewardModel);
  if (!reward) throw new Error(`off-policy evaluation: no test-candidate scores for the reward model '${o.rewardModel}'`);
  const truth = candidateTruth(w, tc, tc.requests, tc.experience);
  const bias = positionCurve(o.positionBias);
  const names = [...o.scores.keys()];
  const terms = new Map(names.map((s) => [s, targetTerms(t, o.scores.get(s)!, reward, truth, bias)]));
  const refTerms = terms.get(o.reference);
  if (!refTerms) throw new Error(`off-policy evaluation: no test-candidate scores for the reference '${o.reference}'`);
  const z = normalQuantile(1 - o.alpha / 2);
  const slateOf = w.scenario.domains.map((d) => d.slate);
  const rows: OpeRow[] = [];
  for (const s of opeScopes(t)) {
    const refTau = switchThreshold(t, s, refTerms, scopeRows(t, s, refTerms.itemWeight));
    const ref: ReferenceOnScope = {
      sums: ESTIMATORS.map((e, ei) => clusteredSums(t, s, refTerms, ei, e === 'switch-dr' ? refTau : undefined)),
      truth: 0,
      online: 0,
    };
    let slots = 0;
    for (const r of s.requests) {
      ref.truth += refTerms.truth[r];
      ref.online += refTerms.online[r];
      slots += slateOf[tc.requests.domain[r]];
    }
    for (const name of names) {
      const x = onScope(t, s, name, terms.get(name)!, ref, slots);
      for (const e of ESTIMATORS) rows.push(estimateRow(t, s, x, e, ref, o.reference, z));
    }
  }
  return { logger: loggingPolicy(w.scenario).name, rewardModel: o.rewardModel, reference: o.reference, rows };
}
