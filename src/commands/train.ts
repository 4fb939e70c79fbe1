import { basename } from 'node:path';
import { loadScenarioFile } from '../experiment/scenario-file.js';
import { admit } from '../experiment/budget.js';
import { engineName, selectBackend } from '../tf/backend.js';
import { generate, trainAndEvaluate } from '../experiment/steps.js';
import { resolveStrategies } from '../experiment/plan.js';
import { plainLogger } from '../util/logger.js';
import { DEFAULT_WORKERS } from '../train/parallel.js';
import { listFlag, parse, seedFlag, workersFlag } from './args.js';
import { COMMANDS } from './specs.js';
import { offlineJson } from '../report/run-json.js';
import { offlineTable } from '../report/run-text.js';

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
  log({ type: 'backend', backend: engineName(backend) });
  const seed = seedValue ?? scenario.seed;
  const prepared = await generate(scenario, seed, log);
  const results = await trainAndEvaluate(prepared, names, seed, log, { workers });
  if (values.json)
    process.stdout.write(
      JSON.stringify({ scenario: scenario.name, seed, backend: engineName(backend), fingerprint: prepared.world.fingerprint, ...offlineJson(results) }) + '\n',
    );
  else process.stdout.write(offlineTable(results, prepared.world.layout.domains) + '\n');
  return 0;
}
