import { basename } from 'node:path';
import { loadScenarioFile } from '../experiment/scenario-file.js';
import { admit } from '../experiment/budget.js';
import { selectBackend } from '../tf/backend.js';
import { formatTable } from '../util/table.js';
import { generate, resolveStrategies, trainAndEvaluate } from '../experiment/experiment.js';
import { plainLogger } from '../util/logger.js';
import { DEFAULT_WORKERS, type OfflineResults } from '../train/parallel.js';
import { listFlag, parse, seedFlag, workersFlag } from './args.js';
import { COMMANDS } from './specs.js';
import type { StrategyMetrics } from '../metrics/offline.js';

export function offlineJson(r: OfflineResults) {
  const pick = (m: StrategyMetrics) => ({ auc: m.auc, aucSe: m.aucSe, gauc: m.gauc, logloss: m.logloss });
  return {
    strategies: Object.fromEntries(Object.entries(r.strategies).map(([k, m]) => [k, pick(m)])),
    oracle: pick(r.oracle),
    constant: pick(r.constant),
  };
}

/** An AUC with its standard error, as printed wherever one is shown: "0.8123 ±0.0041". */
export const aucText = (auc: number | undefined, se: number | undefined): string =>
  auc === undefined || !Number.isFinite(auc) ? '–' : Number.isFinite(se) ? `${auc.toFixed(4)} ±${se!.toFixed(4)}` : auc.toFixed(4);

export function offlineTable(r: OfflineResults, domains: string[]): string {
  const rows = [...Object.entries(r.strategies), ['constant', r.constant] as const, ['oracle', r.oracle] as const].map(([name, m]) => {
    const seg = (key: string) => m.rows.find((x) => x.target === 'click' && x.key === key && x.scope === 'user_segment')?.auc ?? NaN;
    return [
      name,
      ...domains.map((d) => aucText(m.auc[d], m.aucSe[d])),
      aucText(m.auc.overall, m.aucSe.overall),
      m.gauc,
      m.logloss,
      seg('heavy'),
      seg('tail'),
      seg('cold'),
    ];
  });
  return `${formatTable(
    ['strategy', ...domains.map((d) => `AUC ${d}`), 'AUC all', 'GAUC', 'logloss', 'heavy', 'tail users', 'cold'],
    rows as (string | number)[][],
  )}\n(± is DeLong's standard error over the test impressions; it takes them as independent and leaves out the spread over training seeds)`;
}

export async function train(argv: string[]): Promise<number> {
  const { values, positionals } = parse('train', argv, COMMANDS.train.flags, COMMANDS.train.positionals);
  const workers = workersFlag('train', values.workers) ?? DEFAULT_WORKERS;
  const seedValue = seedFlag('train', values.seed);
  const scenario = loadScenarioFile(positionals[0]);
  const names = resolveStrategies(scenario, listFlag(values.strategies));
  const backend = await selectBackend(values.backend);
  const used = Math.min(workers, names.length);
  admit(scenario, { strategies: names, arms: 0, copies: 1 + (used > 1 ? used : 0), workers: used, backend }, basename(positionals[0]));
  const log = values.json ? () => {} : plainLogger(process.stderr);
  log({ type: 'backend', backend });
  const seed = seedValue ?? scenario.seed;
  const prepared = await generate(scenario, seed, log);
  const results = await trainAndEvaluate(prepared, names, seed, log, { workers });
  if (values.json)
    process.stdout.write(JSON.stringify({ scenario: scenario.name, seed, backend, fingerprint: prepared.world.fingerprint, ...offlineJson(results) }) + '\n');
  else process.stdout.write(offlineTable(results, prepared.world.layout.domains) + '\n');
  return 0;
}
