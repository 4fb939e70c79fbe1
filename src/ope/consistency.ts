// Offline ↔ online: does the strategy an offline signal prefers win online? For every domain, every
// pair of strategies and every signal (offline AUC, GAUC, log loss, and the off-policy estimates of
// CTR), the signal's difference beside the pair's TRUE online lift — each strategy serving the test
// period's requests, clicks drawn through the A/B test's position curve, computed from the truth; and
// per domain and signal, Kendall's τ-b between the signal's ordering and the true online ordering,
// whether the signal's winner is the online winner and what trusting it would cost.
import type { StrategyMetrics } from '../metrics/offline.js';
import type { OpeResult } from './evaluate.js';

import { OFFLINE_SIGNALS } from '../scenario/metrics.js';

export const SIGNALS = OFFLINE_SIGNALS;
export type Signal = (typeof SIGNALS)[number];

export interface PairRow {
  domain: string;
  signal: Signal;
  /** Strategy a against strategy b (a before b in the run's order). */
  a: string;
  b: string;
  /** The signal's difference in a's favour: ΔAUC, ΔGAUC, b's log loss − a's, or the estimated relative CTR lift of a over b. */
  delta: number;
  /** a's true online CTR over b's, − 1. */
  trueLift: number;
  /** The signal and the truth point the same way (null when either is exactly 0 or missing). */
  agrees: boolean | null;
}

export interface SignalRow {
  domain: string;
  signal: Signal;
  strategies: number;
  /** Kendall's τ-b between the signal's and the true online orderings. */
  tau: number;
  /** Share of pairs the signal orders as the truth does. */
  pairAgreement: number;
  /** '' and null when the signal has no value for some strategy (an off-policy estimate not identified). */
  offlineWinner: string;
  onlineWinner: string;
  winnerAgrees: boolean | null;
  /** How much CTR shipping the signal's winner gives up against the online winner: V(online winner) / V(signal's winner) − 1. */
  regret: number;
}

/** What a run knows off-policy: the estimates from the logs and the offline signals against the true online order. */
export type OffPolicy = OpeResult & { consistency: Consistency };

export interface Consistency {
  pairs: PairRow[];
  signals: SignalRow[];
}

/** Kendall's τ-b of two equally long lists (ties in either count as neither concordant nor discordant). */
export function kendallTauB(x: readonly number[], y: readonly number[]): number {
  let concordant = 0;
  let discordant = 0;
  let tiesX = 0;
  let tiesY = 0;
  for (let i = 0; i < x.length; i++) {
    for (let j = i + 1; j < x.length; j++) {
      const dx = Math.sign(x[i] - x[j]);
      const dy = Math.sign(y[i] - y[j]);
      if (dx === 0 && dy === 0) continue;
      if (dx === 0) tiesX++;
      else if (dy === 0) tiesY++;
      else if (dx === dy) concordant++;
      else discordant++;
    }
  }
  const denom = Math.sqrt((concordant + discordant + tiesX) * (concordant + discordant + tiesY));
  return denom > 0 ? (concordant - discordant) / denom : NaN;
}

/** Index of the largest finite value (the first on ties), −1 when none is finite. */
function argmax(v: readonly number[]): number {
  let best = -1;
  for (let i = 0; i < v.length; i++) if (Number.isFinite(v[i]) && (best < 0 || v[i] > v[best])) best = i;
  return best;
}

export function offlineOnline(strategies: Record<string, StrategyMetrics>, ope: OpeResult, domains: readonly string[]): Consistency {
  const names = Object.keys(strategies).filter((s) => ope.rows.some((r) => r.strategy === s));
  const pairs: PairRow[] = [];
  const signals: SignalRow[] = [];
  for (const domain of ['all', ...domains]) {
    const row = (s: string, estimator: string) =>
      ope.rows.find((r) => r.strategy === s && r.domain === domain && r.segment === 'all' && r.estimator === estimator);
    // The true online CTR up to the reference's (a common factor: orderings and ratios need no more).
    const online = names.map((s) => 1 + (row(s, 'dm')?.onlineTrueLift ?? NaN));
    if (!online.every(Number.isFinite)) continue;
    const offline = (s: string, metric: 'auc' | 'gauc' | 'logloss') => {
      const m = strategies[s].rows.find((r) => r.target === 'click' && (domain === 'all' ? r.scope === 'overall' : r.scope === 'domain' && r.key === domain));
      return m ? m[metric] : NaN;
    };
    for (const signal of SIGNALS) {
      // Every signal as "higher is better".
      const value = names.map((s) => {
        if (signal === 'logloss') return -offline(s, 'logloss');
        if (signal === 'auc' || signal === 'gauc') return offline(s, signal);
        return row(s, signal.slice(4))?.value ?? NaN;
      });
      const isLift = signal.startsWith('ope-');
      let agree = 0;
      let counted = 0;
      for (let i = 0; i < names.length; i++) {
        for (let j = i + 1; j < names.length; j++) {
          const delta = isLift ? value[i] / value[j] - 1 : value[i] - value[j];
          const trueLift = online[i] / online[j] - 1;
          const agrees = Number.isFinite(delta) && delta !== 0 && trueLift !== 0 ? Math.sign(delta) === Math.sign(trueLift) : null;
          if (agrees !== null) {
            counted++;
            agree += agrees ? 1 : 0;
          }
          pairs.push({ domain, signal, a: names[i], b: names[j], delta, trueLift, agrees });
        }
      }
      const finite = value.every(Number.isFinite);
      const w = argmax(value);
      const best = argmax(online);
      signals.push({
        domain,
        signal,
        strategies: names.length,
        tau: finite ? kendallTauB(value, online) : NaN,
        pairAgreement: counted ? agree / counted : NaN,
        offlineWinner: finite ? names[w] : '',
        onlineWinner: names[best],
        winnerAgrees: finite ? w === best : null,
        regret: finite ? online[best] / online[w] - 1 : NaN,
      });
    }
  }
  return { pairs, signals };
}
