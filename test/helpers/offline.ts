// Train strategies on a scenario over several seeds and collect the test-period metrics.
import { selectBackend } from '../../src/tf/backend.js';
import { modelInputs } from '../../src/data/inputs.js';
import { trainAndEvaluate } from '../../src/experiment/steps.js';
import type { StrategyMetrics } from '../../src/metrics/offline.js';
import type { Scenario } from '../../src/scenario/schema.js';

export interface SeedResult {
  seed: number;
  strategies: Record<string, StrategyMetrics>;
  oracle: StrategyMetrics;
  constant: StrategyMetrics;
}

export async function offlineOverSeeds(s: Scenario, strategies: string[], seeds: number[]): Promise<SeedResult[]> {
  await selectBackend(process.env.CROSSAB_BACKEND ?? 'wasm');
  const out: SeedResult[] = [];
  for (const seed of seeds) {
    const p = modelInputs(s, seed);
    const r = await trainAndEvaluate(p, strategies, seed);
    out.push({ seed, strategies: r.strategies, oracle: r.oracle, constant: r.constant });
  }
  return out;
}

/** A click metric row of a strategy (or 'oracle' / 'constant'). */
export function metric(r: SeedResult, strategy: string, scope: string, key: string, field: 'auc' | 'gauc' | 'logloss' = 'auc'): number {
  const m = strategy === 'oracle' ? r.oracle : strategy === 'constant' ? r.constant : r.strategies[strategy];
  const row = m.rows.find((x) => x.target === 'click' && x.scope === scope && x.key === key);
  if (!row) throw new Error(`no ${scope}/${key} row for ${strategy}`);
  return row[field];
}

export const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
