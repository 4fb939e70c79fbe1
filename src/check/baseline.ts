// A regression alarm: a new run (or the mean of several seeds) against a stored baseline run, metric by
// metric — offline AUC / GAUC / log loss of every strategy in every scope, and every arm's A/B CTR lift
// — flagging moves beyond a tolerance. A move in the bad direction fails; a good one is reported.
import type { Db } from '../store/db.js';
import { ctrLifts, strategyMetrics } from '../store/run-data.js';
import type { CaseResult } from './junit.js';

export const DEFAULT_TOLERANCES = { auc: 0.003, gauc: 0.003, logloss: 0.003, lift: 0.03 } as const;
export type Tolerances = Record<keyof typeof DEFAULT_TOLERANCES, number>;

export interface Move {
  metric: string;
  what: string;
  baseline: number;
  candidate: number;
  delta: number;
  status: 'ok' | 'improved' | 'regressed' | 'missing';
}

type Keyed = Map<string, { metric: keyof Tolerances; what: string; value: number }>;

async function metricsOf(db: Db, runId: string): Promise<Keyed> {
  const out: Keyed = new Map();
  const off = await strategyMetrics(db, runId);
  for (const r of off) {
    for (const m of ['auc', 'gauc', 'logloss'] as const) {
      const what = `${r.strategy} ${r.target === 'conversion' ? 'conversion ' : ''}${r.scope === 'overall' ? 'overall' : r.key}`;
      out.set(`${m}|${what}`, { metric: m, what, value: r[m] === null ? NaN : Number(r[m]) });
    }
  }
  const lifts = await ctrLifts(db, runId);
  for (const r of lifts) {
    const what = `${r.arm} vs ${r.control} on ${r.domain}`;
    out.set(`lift|${what}`, { metric: 'lift', what, value: r.lift === null ? NaN : Number(r.lift) });
  }
  return out;
}

/** Compare the baseline run with the candidates (their mean, when several seeds ran). */
export async function compareWithBaseline(db: Db, baseline: string, candidates: string[], tol: Tolerances): Promise<Move[]> {
  const base = await metricsOf(db, baseline);
  const cands = await Promise.all(candidates.map((c) => metricsOf(db, c)));
  const moves: Move[] = [];
  for (const [key, b] of base) {
    if (!Number.isFinite(b.value)) continue;
    const vals = cands.map((c) => c.get(key)?.value).filter((v): v is number => v !== undefined && Number.isFinite(v));
    if (vals.length < cands.length) {
      moves.push({ metric: b.metric, what: b.what, baseline: b.value, candidate: NaN, delta: NaN, status: 'missing' });
      continue;
    }
    const candidate = vals.reduce((a, v) => a + v, 0) / vals.length;
    const delta = candidate - b.value;
    // Log loss is better when lower; the others when higher.
    const gain = b.metric === 'logloss' ? -delta : delta;
    const status = gain < -tol[b.metric] ? 'regressed' : gain > tol[b.metric] ? 'improved' : 'ok';
    moves.push({ metric: b.metric, what: b.what, baseline: b.value, candidate, delta, status });
  }
  return moves;
}

export function moveCase(m: Move, tol: Tolerances): CaseResult {
  const name = `${m.metric} ${m.what}`;
  const detail = `baseline ${m.baseline} candidate ${m.candidate} delta ${m.delta}`;
  const t = tol[m.metric as keyof Tolerances];
  if (m.status === 'missing') return { name, verdict: 'fail', reason: 'in the baseline but not in the new run', detail };
  if (m.status === 'regressed')
    return { name, verdict: 'fail', reason: `moved ${m.delta > 0 ? '+' : ''}${m.delta.toFixed(4)} (worse; tolerance ${t})`, detail };
  return { name, verdict: 'pass', reason: m.status === 'improved' ? `improved by ${Math.abs(m.delta).toFixed(4)}` : 'within tolerance', detail };
}
