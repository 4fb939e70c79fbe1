// The scopes an off-policy estimate is reported for — every domain and all of them, × all users and
// each segment — and the sums over a scope's requests that every estimate is a ratio of, clustered
// by user (a user's requests are not independent).
import { SEGMENTS } from '../world/impressions.js';
import { ESTIMATORS, ratioEstimate, switchThresholds, type ClusteredSums } from './estimators.js';
import type { LoggedTest, TargetTerms } from './terms.js';

export interface OpeScope {
  domain: string;
  segment: string;
  /** The scope's test requests, in order. */
  requests: number[];
  /** Each user's cluster in this scope (−1: none of their requests is in it), and how many clusters. */
  clusterOf: Int32Array;
  clusters: number;
}

/**
 * Every non-empty scope in turn. The cluster array is one, refilled per scope: read a scope before
 * asking for the next.
 */
export function* opeScopes(t: LoggedTest): Generator<OpeScope> {
  const w = t.world;
  const rq = t.candidates.requests;
  const domains = ['all', ...w.layout.domains];
  const segments = ['all', ...SEGMENTS];
  const clusterOf = new Int32Array(w.users.count);
  for (let dk = 0; dk < domains.length; dk++) {
    for (let sk = 0; sk < segments.length; sk++) {
      const requests: number[] = [];
      for (let r = 0; r < rq.n; r++) if ((dk === 0 || rq.domain[r] === dk - 1) && (sk === 0 || w.userSegment[rq.user[r]] === sk - 1)) requests.push(r);
      if (requests.length === 0) continue;
      clusterOf.fill(-1);
      let clusters = 0;
      for (const r of requests) if (clusterOf[rq.user[r]] < 0) clusterOf[rq.user[r]] = clusters++;
      yield { domain: domains[dk], segment: segments[sk], requests, clusterOf, clusters };
    }
  }
}

const SWITCH = ESTIMATORS.indexOf('switch-dr');

/**
 * Estimator `e`'s numerator and denominator per user cluster of the scope; Switch-DR at threshold
 * `switchAt`: DM plus the DR corrections of the rows whose weight is at most it.
 */
export function clusteredSums(t: LoggedTest, s: OpeScope, terms: TargetTerms, e: number, switchAt?: number): ClusteredSums {
  const E = ESTIMATORS.length;
  const user = t.candidates.requests.user;
  const out: ClusteredSums = { num: new Float64Array(s.clusters), den: new Float64Array(s.clusters), clusters: s.clusters };
  for (const r of s.requests) {
    const g = s.clusterOf[user[r]];
    if (switchAt === undefined) out.num[g] += terms.num[r * E + e];
    else {
      let v = terms.dm[r];
      for (let a = t.firstRow[r]; a < t.firstRow[r + 1]; a++) if (terms.itemWeight[a] <= switchAt) v += terms.residual[a];
      out.num[g] += v;
    }
    out.den[g] += terms.den[r * E + e];
  }
  return out;
}

/** A per-logged-row value over the scope's rows, in order. */
export function scopeRows(t: LoggedTest, s: OpeScope, values: Float64Array): Float64Array {
  const x: number[] = [];
  for (const r of s.requests) for (let a = t.firstRow[r]; a < t.firstRow[r + 1]; a++) x.push(values[a]);
  return Float64Array.from(x);
}

/**
 * Switch-DR's threshold on this scope: of the candidates (estimators.ts switchThresholds, from the
 * target's IPW `weights` over the scope's rows), the one of least estimated MSE — the estimate's
 * variance plus the squared mean of the corrections it drops, less that mean's own variance.
 */
export function switchThreshold(t: LoggedTest, s: OpeScope, terms: TargetTerms, weights: Float64Array): number {
  const E = ESTIMATORS.length;
  const user = t.candidates.requests.user;
  let best = Infinity;
  let bestMse = Infinity;
  for (const tau of switchThresholds(weights, weights.length)) {
    const est = ratioEstimate(clusteredSums(t, s, terms, SWITCH, tau));
    const dropped: ClusteredSums = { num: new Float64Array(s.clusters), den: new Float64Array(s.clusters), clusters: s.clusters };
    for (const r of s.requests) {
      const g = s.clusterOf[user[r]];
      for (let a = t.firstRow[r]; a < t.firstRow[r + 1]; a++) if (terms.itemWeight[a] > tau) dropped.num[g] += terms.residual[a];
      dropped.den[g] += terms.den[r * E + SWITCH];
    }
    const b = ratioEstimate(dropped);
    const mse = est.variance + Math.max(0, b.value * b.value - b.variance);
    if (mse < bestMse - 1e-15) {
      bestMse = mse;
      best = tau;
    }
  }
  return best;
}
