// What off-policy evaluation computes once per target strategy: its slates on the logged test
// requests and, request by request, every estimator's numerator and denominator (estimators.ts
// requestTerms), the weights behind them per logged row, the target's true and online value, and how
// much of its slates the logger never shows. Scopes and estimates are summed from these (evaluate.ts).
import type { TestCandidates } from '../data/inputs.js';
import { rankSlates } from '../data/slates.js';
import type { CandidateTruth } from '../data/candidate-truth.js';
import { fullSupport, loggingPolicy } from '../world/logging.js';
import { loggedPropensities, type World } from '../world/world.js';
import { ESTIMATORS, requestTerms, type SlateRequest } from './estimators.js';

/** The logged test period as every target's terms read it. */
export interface LoggedTest {
  world: World;
  candidates: TestCandidates;
  /** Request r's logged rows are rows firstRow[r] … firstRow[r + 1] − 1, counted from the test period's first. */
  firstRow: Int32Array;
  /** The test period's logged rows: the first one's index in the world's log, and how many. */
  row0: number;
  rows: number;
  /** Per logged row: its item as an index into the test candidates, and its logging propensities. */
  loggedCandidate: Int32Array;
  propensity: ReturnType<typeof loggedPropensities>;
  /** Whether the logger can show every slate (a deterministic logger shows only its own). */
  fullSupport: boolean;
}

export function loggedTest(w: World, tc: TestCandidates): LoggedTest {
  const rq = tc.requests;
  const row0 = w.loggedRow[tc.from];
  const firstRow = Int32Array.from({ length: rq.n + 1 }, (_, r) => w.loggedRow[tc.from + r] - row0);
  const rows = firstRow[rq.n];
  const loggedCandidate = new Int32Array(rows);
  const where = new Map<number, number>();
  for (let r = 0; r < rq.n; r++) {
    where.clear();
    for (let c = rq.candStart[r]; c < rq.candStart[r + 1]; c++) where.set(rq.candItems[c], c);
    for (let a = firstRow[r]; a < firstRow[r + 1]; a++) loggedCandidate[a] = where.get(w.logged.item[row0 + a])!;
  }
  return {
    world: w,
    candidates: tc,
    firstRow,
    row0,
    rows,
    loggedCandidate,
    propensity: loggedPropensities(w, tc.from, tc.from + rq.n),
    fullSupport: fullSupport(loggingPolicy(w.scenario)),
  };
}

/** One target's terms: per request × estimator, per logged row, per request. */
export interface TargetTerms {
  num: Float64Array; // [request × estimator]
  den: Float64Array;
  /** Per logged row: the IPW weight, its DR correction w (c − q̂), the IIPS weight. */
  itemWeight: Float64Array;
  residual: Float64Array;
  posWeight: Float64Array;
  /** Per request: Σ_j q̂(b_j) (Switch-DR's DM part), the true Σ_j p(b_j), the online Σ_j bias_j p(b_j). */
  dm: Float64Array;
  truth: Float64Array;
  online: Float64Array;
  /** Per request: the target's positions whose item the logger never shows there, or at all. */
  missPosition: Float64Array;
  missItem: Float64Array;
  /** Per request: SIPS's weight, 1{the logged slate is the target's} / P(logged slate). */
  slateWeight: Float64Array;
}

/**
 * A target's terms from its click probabilities of every test candidate (`scores`), with `reward`
 * the reward model's q̂, `truth` the candidates' true click probabilities and `bias` the A/B test's
 * position curve.
 */
export function targetTerms(t: LoggedTest, scores: Float32Array, reward: Float32Array, truth: CandidateTruth, bias: (pos: number) => number): TargetTerms {
  const w = t.world;
  const rq = t.candidates.requests;
  const n = rq.n;
  const E = ESTIMATORS.length;
  const slateOf = w.scenario.domains.map((d) => d.slate);
  const kMax = Math.max(...slateOf);
  const slate = {
    click: new Float64Array(kMax),
    pItemPosition: new Float64Array(kMax),
    pItem: new Float64Array(kMax),
    pCascade: new Float64Array(kMax),
    logged: new Int32Array(kMax),
    target: new Int32Array(kMax),
    qLogged: new Float64Array(kMax),
    qTarget: new Float64Array(kMax),
  } satisfies SlateRequest;
  const sl = rankSlates(rq, slateOf, scores);
  const out: TargetTerms = {
    num: new Float64Array(n * E),
    den: new Float64Array(n * E),
    itemWeight: new Float64Array(t.rows),
    residual: new Float64Array(t.rows),
    posWeight: new Float64Array(t.rows),
    dm: new Float64Array(n),
    truth: new Float64Array(n),
    online: new Float64Array(n),
    missPosition: new Float64Array(n),
    missItem: new Float64Array(n),
    slateWeight: new Float64Array(n),
  };
  const request = { num: new Float64Array(E), den: new Float64Array(E) };
  for (let r = 0; r < n; r++) {
    const first = t.firstRow[r];
    const k = sl.start[r + 1] - sl.start[r];
    for (let j = 0; j < k; j++) {
      const b = sl.cand[sl.start[r] + j];
      const a = t.loggedCandidate[first + j];
      slate.click[j] = w.logged.click[t.row0 + first + j];
      slate.pItemPosition[j] = t.propensity.itemPosition[first + j];
      slate.pItem[j] = t.propensity.item[first + j];
      slate.pCascade[j] = t.propensity.cascade[first + j];
      slate.logged[j] = a;
      slate.target[j] = b;
      slate.qLogged[j] = reward[a];
      slate.qTarget[j] = reward[b];
      out.dm[r] += reward[b];
      out.truth[r] += truth.click[b];
      out.online[r] += bias(j) * truth.click[b];
    }
    let same = true;
    for (let j = 0; j < k; j++) same &&= slate.logged[j] === slate.target[j];
    out.slateWeight[r] = same ? 1 / slate.pCascade[k - 1] : 0;
    if (!t.fullSupport) {
      // The deterministic logger shows only its own slate: the support is that slate, at its positions.
      for (let j = 0; j < k; j++) {
        let shown = false;
        for (let m = 0; m < k; m++) shown ||= slate.logged[m] === slate.target[j];
        out.missItem[r] += shown ? 0 : 1;
        out.missPosition[r] += slate.logged[j] === slate.target[j] ? 0 : 1;
      }
    }
    const rows = (x: Float64Array) => x.subarray(first, first + k);
    requestTerms(slate, k, request, rows(out.itemWeight), rows(out.residual), rows(out.posWeight));
    out.num.set(request.num, r * E);
    out.den.set(request.den, r * E);
  }
  return out;
}
