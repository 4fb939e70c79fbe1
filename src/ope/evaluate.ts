// Off-policy evaluation of every trained strategy from the logged test period: the logging policy's
// slates, clicks and propensities are all an estimator sees; each strategy ranks the same requests'
// candidate pools, and because the truth is known its exact value there is the yardstick. Per
// strategy × estimator × domain × user segment: the estimate with its interval, the lift over the
// reference strategy, the weights' diagnostics, the share of the target's slates the logger never
// shows (where nothing is identified) — and the true value and lift beside each.
import type { TestCandidates } from '../data/inputs.js';
import { positionCurve, rankSlates } from '../data/slates.js';
import { candidateTruth } from '../data/candidate-truth.js';
import { normalQuantile } from '../abtest/stats.js';
import { fullSupport, loggingPolicy } from '../world/logging.js';
import { loggedPropensities, SEGMENTS, type World } from '../world/world.js';
import {
  ESTIMATORS,
  logRatioVariance,
  ratioEstimate,
  requestTerms,
  SUPPORT_OF,
  switchThresholds,
  weightDiagnostics,
  type ClusteredSums,
  type EstimatorName,
  type SlateRequest,
} from './estimators.js';

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

/** Per strategy: the per-request terms of every estimator, the weights per logged row, the truth. */
interface TargetTerms {
  num: Float64Array; // [request × estimator]
  den: Float64Array;
  /** Per logged row: the IPW weight, its DR correction, the IIPS weight. */
  itemWeight: Float64Array;
  residual: Float64Array;
  posWeight: Float64Array;
  /** Per request: Σ_j q̂(b_j) (Switch-DR's DM part), Σ_j p(b_j), Σ_j bias_j p(b_j), positions outside the logger's support. */
  dm: Float64Array;
  truth: Float64Array;
  online: Float64Array;
  missPos: Float64Array;
  missItem: Float64Array;
  /** Per request: SIPS's weight, 1{the logged slate is the target's} / P(logged slate). */
  slateWeight: Float64Array;
}

export function offPolicyEvaluation(w: World, tc: TestCandidates, o: OpeOptions): OpeResult {
  const rq = tc.requests;
  const n = rq.n;
  const E = ESTIMATORS.length;
  const slateOf = w.scenario.domains.map((d) => d.slate);
  const truth = candidateTruth(w, tc, rq, tc.experience);
  const prop = loggedPropensities(w, tc.from, tc.from + n);
  const row0 = w.loggedRow[tc.from];
  const rows = w.loggedRow[tc.from + n] - row0;
  const full = fullSupport(loggingPolicy(w.scenario));
  // Each logged row's item as an index into the test candidates.
  const loggedCand = new Int32Array(rows);
  const where = new Map<number, number>();
  for (let r = 0; r < n; r++) {
    where.clear();
    for (let c = rq.candStart[r]; c < rq.candStart[r + 1]; c++) where.set(rq.candItems[c], c);
    for (let a = w.loggedRow[tc.from + r]; a < w.loggedRow[tc.from + r + 1]; a++) loggedCand[a - row0] = where.get(w.logged.item[a])!;
  }
  const q = o.scores.get(o.rewardModel);
  if (!q) throw new Error(`off-policy evaluation: no test-candidate scores for the reward model '${o.rewardModel}'`);
  const bias = positionCurve(o.positionBias);

  const kMax = Math.max(...slateOf);
  const buf = {
    click: new Float64Array(kMax),
    pItemPosition: new Float64Array(kMax),
    pItem: new Float64Array(kMax),
    pCascade: new Float64Array(kMax),
    logged: new Int32Array(kMax),
    target: new Int32Array(kMax),
    qLogged: new Float64Array(kMax),
    qTarget: new Float64Array(kMax),
  } satisfies SlateRequest;
  const termsOf = (scores: Float32Array): TargetTerms => {
    const sl = rankSlates(rq, slateOf, scores);
    const t: TargetTerms = {
      num: new Float64Array(n * E),
      den: new Float64Array(n * E),
      itemWeight: new Float64Array(rows),
      residual: new Float64Array(rows),
      posWeight: new Float64Array(rows),
      dm: new Float64Array(n),
      truth: new Float64Array(n),
      online: new Float64Array(n),
      missPos: new Float64Array(n),
      missItem: new Float64Array(n),
      slateWeight: new Float64Array(n),
    };
    const out = { num: new Float64Array(E), den: new Float64Array(E) };
    for (let r = 0; r < n; r++) {
      const a0 = w.loggedRow[tc.from + r] - row0;
      const k = sl.start[r + 1] - sl.start[r];
      for (let j = 0; j < k; j++) {
        const b = sl.cand[sl.start[r] + j];
        const a = loggedCand[a0 + j];
        buf.click[j] = w.logged.click[row0 + a0 + j];
        buf.pItemPosition[j] = prop.itemPosition[a0 + j];
        buf.pItem[j] = prop.item[a0 + j];
        buf.pCascade[j] = prop.cascade[a0 + j];
        buf.logged[j] = a;
        buf.target[j] = b;
        buf.qLogged[j] = q[a];
        buf.qTarget[j] = q[b];
        t.dm[r] += q[b];
        t.truth[r] += truth.click[b];
        t.online[r] += bias(j) * truth.click[b];
      }
      let same = true;
      for (let j = 0; j < k; j++) same &&= buf.logged[j] === buf.target[j];
      t.slateWeight[r] = same ? 1 / buf.pCascade[k - 1] : 0;
      if (!full) {
        // The deterministic logger shows only its own slate: the support is that slate, at its positions.
        for (let j = 0; j < k; j++) {
          let shown = false;
          for (let m = 0; m < k; m++) shown ||= buf.logged[m] === buf.target[j];
          t.missItem[r] += shown ? 0 : 1;
          t.missPos[r] += buf.logged[j] === buf.target[j] ? 0 : 1;
        }
      }
      requestTerms(buf, k, out, t.itemWeight.subarray(a0, a0 + k), t.residual.subarray(a0, a0 + k), t.posWeight.subarray(a0, a0 + k));
      t.num.set(out.num, r * E);
      t.den.set(out.den, r * E);
    }
    return t;
  };

  const names = [...o.scores.keys()];
  const terms = new Map(names.map((s) => [s, termsOf(o.scores.get(s)!)]));
  const ref = terms.get(o.reference);
  if (!ref) throw new Error(`off-policy evaluation: no test-candidate scores for the reference '${o.reference}'`);
  const z = normalQuantile(1 - o.alpha / 2);

  // Scopes: every domain and all of them, × all users and each segment.
  const D = w.layout.domains.length;
  const domainKeys = ['all', ...w.layout.domains];
  const segmentKeys = ['all', ...SEGMENTS];
  const out: OpeRow[] = [];
  const clusterOf = new Int32Array(w.users.count);
  for (let dk = 0; dk <= D; dk++) {
    for (let sk = 0; sk <= SEGMENTS.length; sk++) {
      const reqs: number[] = [];
      for (let r = 0; r < n; r++) if ((dk === 0 || rq.domain[r] === dk - 1) && (sk === 0 || w.userSegment[rq.user[r]] === sk - 1)) reqs.push(r);
      if (reqs.length === 0) continue;
      clusterOf.fill(-1);
      let G = 0;
      for (const r of reqs) if (clusterOf[rq.user[r]] < 0) clusterOf[rq.user[r]] = G++;
      const sums = (t: TargetTerms, e: number, switchAt?: number): ClusteredSums => {
        const s: ClusteredSums = { num: new Float64Array(G), den: new Float64Array(G), clusters: G };
        for (const r of reqs) {
          const g = clusterOf[rq.user[r]];
          if (switchAt === undefined) s.num[g] += t.num[r * E + e];
          else {
            let v = t.dm[r];
            for (let a = w.loggedRow[tc.from + r] - row0; a < w.loggedRow[tc.from + r + 1] - row0; a++) if (t.itemWeight[a] <= switchAt) v += t.residual[a];
            s.num[g] += v;
          }
          s.den[g] += t.den[r * E + e];
        }
        return s;
      };
      const rowsOf = (weights: Float64Array) => {
        const x: number[] = [];
        for (const r of reqs) for (let a = w.loggedRow[tc.from + r] - row0; a < w.loggedRow[tc.from + r + 1] - row0; a++) x.push(weights[a]);
        return Float64Array.from(x);
      };
      const sw = ESTIMATORS.indexOf('switch-dr');
      // `weights`: the target's IPW weights over this scope's logged rows.
      const tune = (t: TargetTerms, weights: Float64Array): number => {
        let best = Infinity;
        let bestMse = Infinity;
        for (const tau of switchThresholds(weights, weights.length)) {
          const est = ratioEstimate(sums(t, sw, tau));
          // The dropped corrections' mean: the bias the threshold buys, and its sampling variance.
          const dropped: ClusteredSums = { num: new Float64Array(G), den: new Float64Array(G), clusters: G };
          for (const r of reqs) {
            const g = clusterOf[rq.user[r]];
            for (let a = w.loggedRow[tc.from + r] - row0; a < w.loggedRow[tc.from + r + 1] - row0; a++)
              if (t.itemWeight[a] > tau) dropped.num[g] += t.residual[a];
            dropped.den[g] += t.den[r * E + sw];
          }
          const b = ratioEstimate(dropped);
          const mse = est.variance + Math.max(0, b.value * b.value - b.variance);
          if (mse < bestMse - 1e-15) {
            bestMse = mse;
            best = tau;
          }
        }
        return best;
      };
      const refTau = tune(ref, rowsOf(ref.itemWeight));
      // The reference's sums per estimator: every target's lift is over them.
      const refSums = ESTIMATORS.map((e, ei) => sums(ref, ei, e === 'switch-dr' ? refTau : undefined));
      let truthRef = 0;
      let onlineRef = 0;
      let slots = 0;
      for (const r of reqs) {
        truthRef += ref.truth[r];
        onlineRef += ref.online[r];
        slots += slateOf[rq.domain[r]];
      }
      for (const name of names) {
        const t = terms.get(name)!;
        const itemRows = rowsOf(t.itemWeight);
        const tau = tune(t, itemRows);
        let tv = 0;
        let on = 0;
        let missPos = 0;
        let missItem = 0;
        for (const r of reqs) {
          tv += t.truth[r];
          on += t.online[r];
          missPos += t.missPos[r];
          missItem += t.missItem[r];
        }
        const trueValue = tv / slots;
        const trueLift = tv / truthRef - 1;
        const onlineTrueLift = on / onlineRef - 1;
        const itemW = weightDiagnostics(itemRows);
        const posW = weightDiagnostics(rowsOf(t.posWeight));
        const slateW = weightDiagnostics(Float64Array.from(reqs, (r) => t.slateWeight[r]));
        const nRows = itemRows.length;
        ESTIMATORS.forEach((e, ei) => {
          const isSwitch = e === 'switch-dr';
          const s = sums(t, ei, isSwitch ? tau : undefined);
          const sRef = refSums[ei];
          const est = ratioEstimate(s);
          const support = SUPPORT_OF[e];
          const deficiency = support === 'position' ? missPos / slots : missItem / slots;
          const identified = deficiency === 0;
          const se = Math.sqrt(est.variance);
          // Each estimator's own weights: per logged row (IPW family, IIPS family), per request (SIPS); RIPS's prefix weights lie between.
          const diag = e === 'dm' || e === 'rips' ? { ess: NaN, maxWeight: NaN } : e === 'sips' ? slateW : support === 'item' ? itemW : posW;
          // No logged slate agreeing with the target at all: a 0 with a 0 variance would look certain.
          const unmatched = diag.ess === 0 || (e === 'rips' && posW.ess === 0);
          const value = (identified || support === 'model') && !unmatched ? est.value : NaN;
          const refValue = ratioEstimate(sRef).value;
          const seLog = Math.sqrt(logRatioVariance(s, sRef));
          const logLift = Math.log(est.value / refValue);
          const lift = Number.isFinite(value) && Number.isFinite(refValue) ? Math.exp(logLift) - 1 : NaN;
          const liftLow = Number.isFinite(lift) && seLog > 0 ? Math.exp(logLift - z * seLog) - 1 : NaN;
          const liftHigh = Number.isFinite(lift) && seLog > 0 ? Math.exp(logLift + z * seLog) - 1 : NaN;
          const units = e === 'sips' ? reqs.length : nRows;
          const ciLow = Number.isFinite(value) && Number.isFinite(se) ? value - z * se : NaN;
          const ciHigh = Number.isFinite(value) && Number.isFinite(se) ? value + z * se : NaN;
          out.push({
            strategy: name,
            estimator: e,
            domain: domainKeys[dk],
            segment: segmentKeys[sk],
            requests: reqs.length,
            value,
            se: Number.isFinite(value) ? se : NaN,
            ciLow,
            ciHigh,
            trueValue,
            relativeError: Number.isFinite(value) && trueValue > 0 ? Math.abs(value - trueValue) / trueValue : NaN,
            covered: Number.isFinite(ciLow) ? ciLow <= trueValue && trueValue <= ciHigh : null,
            lift,
            liftLow,
            liftHigh,
            trueLift,
            liftCovered: Number.isFinite(liftLow) && name !== o.reference ? liftLow <= trueLift && trueLift <= liftHigh : null,
            onlineTrueLift,
            ess: diag.ess,
            essShare: diag.ess / units,
            maxWeight: diag.maxWeight,
            positionDeficiency: missPos / slots,
            itemDeficiency: missItem / slots,
            identified,
            threshold: isSwitch ? tau : NaN,
          });
        });
      }
    }
  }
  return { logger: loggingPolicy(w.scenario).name, rewardModel: o.rewardModel, reference: o.reference, rows: out };
}
