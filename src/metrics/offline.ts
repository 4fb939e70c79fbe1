// Offline evaluation on the test period: AUC, GAUC, log loss and calibration per domain, overall, for
// head vs tail domains and for heavy / tail / cold-start users; the same for the oracle (the true
// probabilities, the ceiling) and a constant per-domain training CTR (the floor).
import type { Dataset } from '../data/dataset.js';
import type { Predictions } from '../models/model.js';
import { SEGMENTS } from '../world/impressions.js';
import type { World } from '../world/world.js';
import { tailDomains } from '../world/traffic.js';
import { aucWithSe, calibration, gauc, logloss } from './auc.js';

export type Scope = 'overall' | 'domain' | 'domain_group' | 'user_segment';

export interface MetricRow {
  strategy: string;
  target: 'click' | 'conversion';
  scope: Scope;
  key: string;
  n: number;
  auc: number;
  /** DeLong's standard error of the AUC over this scope's test impressions. */
  aucSe: number;
  gauc: number;
  logloss: number;
  predicted: number;
  observed: number;
}

export interface StrategyMetrics {
  auc: Record<string, number>;
  /** The standard error of each of those AUCs (DeLong). */
  aucSe: Record<string, number>;
  gauc: number;
  logloss: number;
  rows: MetricRow[];
}

interface Groups {
  scope: Scope;
  key: string;
  rows: Int32Array;
}

function groupsOf(w: World, ds: Dataset, test: Int32Array): Groups[] {
  const groups: Groups[] = [{ scope: 'overall', key: 'all', rows: test }];
  const pick = (pred: (r: number) => boolean) => Int32Array.from(Array.from(test).filter(pred));
  w.layout.domains.forEach((name, d) => groups.push({ scope: 'domain', key: name, rows: pick((r) => ds.domain[r] === d) }));
  const tail = tailDomains(w);
  groups.push({ scope: 'domain_group', key: 'head-domains', rows: pick((r) => !tail[ds.domain[r]]) });
  groups.push({ scope: 'domain_group', key: 'tail-domains', rows: pick((r) => tail[ds.domain[r]]) });
  SEGMENTS.forEach((seg, k) => groups.push({ scope: 'user_segment', key: seg, rows: pick((r) => w.userSegment[ds.user[r]] === k) }));
  return groups;
}

function metricRows(
  name: string,
  target: 'click' | 'conversion',
  probs: ArrayLike<number>,
  labels: ArrayLike<number>,
  ds: Dataset,
  groups: Groups[],
): MetricRow[] {
  return groups.map((g) => {
    const c = calibration(probs, labels, g.rows);
    const a = aucWithSe(probs, labels, g.rows);
    return {
      strategy: name,
      target,
      scope: g.scope,
      key: g.key,
      n: g.rows.length,
      auc: a.auc,
      aucSe: a.se,
      gauc: gauc(probs, labels, ds.user, g.rows),
      logloss: logloss(probs, labels, g.rows),
      predicted: c.predicted,
      observed: c.observed,
    };
  });
}

export function evaluate(name: string, p: Predictions, w: World, ds: Dataset, test: Int32Array, groups = groupsOf(w, ds, test)): StrategyMetrics {
  const rows = metricRows(name, 'click', p.click, ds.click, ds, groups);
  if (p.ctcvr) rows.push(...metricRows(name, 'conversion', p.ctcvr, ds.conv, ds, groups));
  const overall = rows[0];
  const aucs: Record<string, number> = { overall: overall.auc };
  const ses: Record<string, number> = { overall: overall.aucSe };
  rows
    .filter((r) => r.target === 'click' && r.scope === 'domain')
    .forEach((r) => {
      aucs[r.key] = r.auc;
      ses[r.key] = r.aucSe;
    });
  return { auc: aucs, aucSe: ses, gauc: overall.gauc, logloss: overall.logloss, rows };
}

/** The ceiling: the true click (and click-and-convert) probabilities. */
export function oraclePredictions(w: World): Predictions {
  return { click: w.logged.pClick, ctcvr: Float32Array.from(w.logged.pClick, (p, j) => p * w.logged.pConv[j]) };
}

/** The floor: each domain's training-period CTR (and CTCVR) for every impression. */
export function constantPredictions(ds: Dataset, train: Int32Array): Predictions {
  const clicks = new Float64Array(ds.domains);
  const convs = new Float64Array(ds.domains);
  const n = new Float64Array(ds.domains);
  for (const r of train) {
    clicks[ds.domain[r]] += ds.click[r];
    convs[ds.domain[r]] += ds.conv[r];
    n[ds.domain[r]]++;
  }
  const click = new Float32Array(ds.n);
  const ctcvr = new Float32Array(ds.n);
  for (let r = 0; r < ds.n; r++) {
    const d = ds.domain[r];
    click[r] = n[d] ? clicks[d] / n[d] : 0;
    ctcvr[r] = n[d] ? convs[d] / n[d] : 0;
  }
  return { click, ctcvr };
}

export { groupsOf };
